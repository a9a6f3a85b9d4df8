import { isStatusError, type StatusError } from '@kcp-ts/apimachinery';
import { describe, expect, it } from 'vitest';
import type { Obj, ResourceDefinition } from '../registry/types';
import { ServerSideApplyFieldManager } from './field-manager';
import { FieldSet } from './field-set';
import { LAST_APPLIED_ANNOTATION } from './last-applied';
import { configMaps, cowboys, namespaces, schemaless } from './test-fixtures';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

function manager() {
  const clock = { now: T0 };
  const fm = new ServerSideApplyFieldManager({ now: () => clock.now });
  return { fm, clock };
}

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', ...extra }, data }) as Obj;

const cowboy = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Obj =>
  ({ apiVersion: 'example.io/v1', kind: 'Cowboy', metadata: { name: 'joe', namespace: 'default' }, spec, ...extra }) as Obj;

/** managedFields as `manager/operation[/subresource]` → owned paths. */
function owners(object: Obj): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of object.metadata.managedFields ?? []) {
    const key = [entry.manager, entry.operation, ...(entry.subresource ? [entry.subresource] : [])].join('/');
    out[key] = FieldSet.fromFieldsV1(entry.fieldsV1)
      .paths()
      .map((p) => p.join('/'));
  }
  return out;
}

function caught(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (isStatusError(err)) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

const created = (fm: ServerSideApplyFieldManager, definition: ResourceDefinition, object: Obj, by = 'kubectl-create') =>
  fm.update(definition, object, undefined, by, '');

describe('managedFields for non-apply writes', () => {
  it('records a create as an Update owning what it set, with "." on the maps it created', () => {
    const { fm } = manager();
    const object = created(fm, configMaps, cm({ a: '1' }, { labels: { app: 'x' } }));
    expect(object.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  it('starts built-ins from their empty spec and status structs, custom resources from nothing', () => {
    const { fm } = manager();
    const ns = created(fm, namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] } } as Obj);
    expect(owners(ns)).toEqual({ 'kubectl-create/Update': ['f:spec/f:finalizers'] });
    const cr = created(fm, cowboys, cowboy({ motto: 'yee' }));
    expect(owners(cr)).toEqual({ 'kubectl-create/Update': ['f:spec', 'f:spec/f:motto'] });
  });

  it('records a create without request managedFields exactly as the general update path does', () => {
    // a create carrying `managedFields: []` (a reset) takes the general path: compare with the
    // empty object, strip, filter, encode; one carrying none is written straight as FieldsV1
    const meta = { name: 'n', namespace: 'default', uid: 'u', generation: 3, creationTimestamp: T0, resourceVersion: '7' };
    const cases: Array<[ResourceDefinition, Record<string, unknown>]> = [
      [configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare' } }],
      [configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: {} }],
      [configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: null }],
      [
        configMaps,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            ...meta,
            labels: { z: '1', a: '2', 'é': '3', '\u{1F600}': '4', '\uE000': '5' },
            annotations: {},
            finalizers: ['b', 'a'],
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }, { apiVersion: 'v1', kind: 'Pod', name: 'q', uid: 'u1' }],
            __proto__: null,
          },
          immutable: true,
          data: { 'app.properties': 'x', __proto__: 'y', '': 'empty key' },
          binaryData: { b: 'AA==' },
        },
      ],
      [configMaps, { kind: 'ConfigMap', apiVersion: 'v2', metadata: { name: { odd: 'name' } }, data: { a: 'b' } }],
      [namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }],
      [namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: {}, status: { phase: 'Active' } }],
      [namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] } }],
      [namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: null }],
      [namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: 'not a map' }],
      [
        cowboys,
        cowboy(
          {
            horses: [{ name: 'b', color: 'brown' }, { name: 'a' }, { name: 'b', age: 3 }, { color: 'keyless' }],
            ports: [{ port: 80 }, { port: 80, protocol: 'UDP', name: 'u' }],
            hats: ['z', 'a', 'z', 1, true, null],
            boots: ['l', 'r'],
            saddle: { brand: 'x' },
            notes: { b: '1', a: '2' },
            extra: { known: 'k', unknown: { deep: [1, { x: 1 }] } },
            anything: { a: [{ b: 1 }], c: {} },
            size: 3,
            nickname: null,
            motto: '',
          },
          { status: { phase: 'riding' } },
        ),
      ],
      [cowboys, cowboy({ horses: [], hats: null, notes: {} })],
      [schemaless, { apiVersion: 'example.io/v1', kind: 'Drifter', metadata: { name: 'd' }, spec: { list: [{ a: 1 }], map: { x: { y: null } } }, status: { s: 1 } }],
    ];
    for (const [definition, object] of cases) {
      const { fm } = manager();
      const direct = created(fm, definition, structuredClone(object) as Obj);
      const general = created(fm, definition, { ...structuredClone(object), metadata: { ...(object['metadata'] as object), managedFields: [] } } as Obj);
      expect(JSON.stringify(direct), JSON.stringify(object)).toBe(JSON.stringify(general));
    }
    // a member set to undefined is not part of the object as written: nobody owns it
    const { fm } = manager();
    const withUndefined = created(fm, configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'u', labels: undefined }, data: { a: 'b', gone: undefined } } as unknown as Obj);
    expect(withUndefined.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {} } });
  });

  it('moves changed fields to the writer, keeps unchanged ownership, and drops managers left with nothing', () => {
    const { fm, clock } = manager();
    const first = created(fm, configMaps, cm({ a: '1', b: '2' }));
    clock.now = T1;
    const second = fm.update(configMaps, cm({ a: '1', b: '3' }, { managedFields: first.metadata.managedFields }), first, 'kubectl-edit', '');
    expect(owners(second)).toEqual({ 'kubectl-create/Update': ['f:data', 'f:data/f:a'], 'kubectl-edit/Update': ['f:data/f:b'] });
    expect(second.metadata.managedFields!.map((e) => e.time)).toEqual([T0, T1]);
    const third = fm.update(configMaps, cm({ a: '2' }, { managedFields: second.metadata.managedFields }), second, 'kubectl-edit', '');
    expect(owners(third)).toEqual({ 'kubectl-create/Update': ['f:data'], 'kubectl-edit/Update': ['f:data/f:a'] });
  });

  it('leaves managedFields and times alone when a write changes nothing owned', () => {
    const { fm, clock } = manager();
    const first = created(fm, configMaps, cm({ a: '1' }));
    clock.now = T1;
    const again = fm.update(configMaps, cm({ a: '1' }, { resourceVersion: '7', managedFields: first.metadata.managedFields }), first, 'other', '');
    expect(again.metadata.managedFields).toEqual(first.metadata.managedFields);
  });

  it('keeps the stored managedFields when a request omits them, and uses the request\'s when it sends some', () => {
    const { fm } = manager();
    const first = created(fm, configMaps, cm({ a: '1' }));
    expect(owners(fm.update(configMaps, cm({ a: '1' }), first, 'x', ''))).toEqual(owners(first));
    const rewritten = [{ manager: 'someone', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    expect(owners(fm.update(configMaps, cm({ a: '1' }, { managedFields: rewritten }), first, 'x', ''))).toEqual({ 'someone/Apply': ['f:data/f:a'] });
  });

  it.each([
    ['[] resets', [], {}],
    ['[{}] resets', [{}], {}],
    ['undecodable ones are ignored', [{ manager: 'm', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }], { 'kubectl-create/Update': ['f:data', 'f:data/f:a'] }],
    ['a wrong fieldsType is ignored', [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2', fieldsV1: {} }], { 'kubectl-create/Update': ['f:data', 'f:data/f:a'] }],
  ])('managedFields in a request: %s', (_name, requested, expected) => {
    const { fm } = manager();
    const first = created(fm, configMaps, cm({ a: '1' }));
    const next = fm.update(configMaps, cm({ a: '1' }, { managedFields: requested }), first, 'x', '');
    expect(owners(next)).toEqual(expected);
    if (Object.keys(expected).length === 0) expect(next.metadata.managedFields).toBeUndefined();
  });

  it('never owns identity and server-managed metadata', () => {
    const { fm } = manager();
    const object = created(fm, configMaps, cm({}, { uid: 'u', resourceVersion: '1', generation: 2, creationTimestamp: T0, generateName: 'g' }));
    expect(owners(object)).toEqual({ 'kubectl-create/Update': ['f:data', 'f:metadata/f:generateName'] });
  });

  it('records status writes as the status subresource, owning status only, and ignores status on the main resource', () => {
    const { fm } = manager();
    const first = created(fm, cowboys, cowboy({ motto: 'a' }));
    const status = fm.update(cowboys, { ...first, status: { phase: 'Riding' }, metadata: { ...first.metadata, managedFields: [] } } as Obj, first, 'controller', 'status');
    expect(owners(status)).toEqual({ 'kubectl-create/Update': ['f:spec', 'f:spec/f:motto'], 'controller/Update/status': ['f:status', 'f:status/f:phase'] });
    const main = fm.update(cowboys, { ...status, status: { phase: 'Resting' } } as Obj, status, 'editor', '');
    expect(owners(main)).toEqual(owners(status));
  });

  it('caps Update entries at 10, merging the oldest into ancient-changes', () => {
    const { fm, clock } = manager();
    let object = created(fm, configMaps, cm({ k0: 'v' }), 'm00');
    for (let i = 1; i <= 11; i++) {
      clock.now = `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`;
      object = fm.update(configMaps, { ...object, data: { ...object.data as object, [`k${i}`]: 'v' } } as Obj, object, `m${String(i).padStart(2, '0')}`, '');
    }
    const entries = object.metadata.managedFields!;
    expect(entries).toHaveLength(10);
    expect(entries[0]).toMatchObject({ manager: 'ancient-changes', operation: 'Update', time: '2024-01-01T00:00:02Z' });
    expect(owners(object)['ancient-changes/Update']).toEqual(['f:data', 'f:data/f:k0', 'f:data/f:k1', 'f:data/f:k2']);
    expect(entries.slice(1).map((e) => e.manager)).toEqual(['m03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11']);
  });

  it('keeps the previous managedFields when tracking fails (as upstream) and reports the failure', () => {
    const errors: unknown[] = [];
    const fm = new ServerSideApplyFieldManager({ now: () => T0, onUpdateError: (err) => errors.push(err) });
    const broken: ResourceDefinition = { ...cowboys, openAPISchemas: () => { throw new Error('schema unavailable'); } };
    const stored = cowboy({ motto: 'a' }, { metadata: { name: 'joe', managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'example.io/v1', fieldsType: 'FieldsV1', fieldsV1: {} }] } });
    const next = fm.update(broken, cowboy({ motto: 'b' }), stored, 'x', '');
    expect(next.metadata.managedFields).toEqual(stored.metadata.managedFields);
    expect(errors).toEqual([new Error('schema unavailable')]);
  });
});

describe('server-side apply', () => {
  it('creates: the applier owns exactly what it applied', () => {
    const { fm } = manager();
    const object = fm.apply(configMaps, undefined, cm({ a: '1' }, { labels: { app: 'x' } }), 'kubectl', false, '');
    expect(object).toMatchObject({ data: { a: '1' }, metadata: { name: 'cm', labels: { app: 'x' } } });
    expect(object.metadata.managedFields).toEqual([
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
    ]);
  });

  it('is a no-op when re-applied unchanged (time kept)', () => {
    const { fm, clock } = manager();
    const first = fm.apply(configMaps, undefined, cm({ a: '1' }), 'kubectl', false, '');
    clock.now = T1;
    const again = fm.apply(configMaps, first, cm({ a: '1' }), 'kubectl', false, '');
    expect(again).toEqual(first);
  });

  it('removes fields the applier stops applying when nobody else owns them', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1', b: '2', c: '3' }), 'kubectl', false, '');
    object = fm.apply(configMaps, object, cm({ b: '2' }, {}), 'other', false, ''); // shares b
    object = fm.update(configMaps, { ...object, data: { ...(object.data as object), c: '4' } } as Obj, object, 'editor', ''); // takes c
    object = fm.apply(configMaps, object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } as Obj, 'kubectl', false, '');
    expect(object.data).toEqual({ b: '2', c: '4' });
    expect(owners(object)).toEqual({ 'other/Apply': ['f:data/f:b'], 'editor/Update': ['f:data/f:c'] });
  });

  it('removes a whole field the applier owned when it drops it and nobody owns anything in it', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1' }, { labels: { x: 'y' } }), 'kubectl', false, '');
    object = fm.apply(configMaps, object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } as Obj, 'kubectl', false, '');
    expect(object.data).toBeUndefined();
    expect(object.metadata.labels).toBeUndefined();
    expect(object.metadata.managedFields).toBeUndefined();
  });

  it('shares ownership when a second applier sets the same value', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1' }), 'one', false, '');
    object = fm.apply(configMaps, object, cm({ a: '1' }), 'two', false, '');
    expect(owners(object)).toEqual({ 'one/Apply': ['f:data/f:a'], 'two/Apply': ['f:data/f:a'] });
    // the second apply changed nothing, so its entry has no time (as upstream) and sorts first
    expect(object.metadata.managedFields!.map((e) => [e.manager, e.time])).toEqual([['two', undefined], ['one', T0]]);
  });

  it('owns a field applied as an empty map (its former keys are removed, leaving it empty and so dropped, as upstream)', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1' }), 'one', false, '');
    object = fm.apply(configMaps, object, cm({}), 'one', false, '');
    expect(object.data).toBeUndefined();
    expect(owners(object)).toEqual({ 'one/Apply': ['f:data'] });
  });

  it('conflicts with an updater that owns a field it changes (409, upstream wording)', () => {
    const { fm } = manager();
    const object = created(fm, configMaps, cm({ k: 'v' }), 'kubectl-client-side-apply');
    const err = caught(() => fm.apply(configMaps, object, cm({ k: 'other' }), 'mine', false, ''));
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.k' }] },
      code: 409,
    });
  });

  it('lists several conflicts grouped by manager', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1', b: '2' }), 'one', false, '');
    object = fm.update(configMaps, { ...object, data: { a: '1', b: '2', c: '3' } } as Obj, object, 'editor', '');
    const err = caught(() => fm.apply(configMaps, object, cm({ a: 'x', b: 'y', c: 'z' }), 'two', false, ''));
    expect(err.status.message).toBe('Apply failed with 3 conflicts: conflicts with "editor" using v1:\n- .data.c\nconflicts with "one":\n- .data.a\n- .data.b');
    expect(err.status.details?.causes?.map((c) => `${c.message} ${c.field}`)).toEqual([
      'conflict with "editor" using v1 .data.c',
      'conflict with "one" .data.a',
      'conflict with "one" .data.b',
    ]);
  });

  it('takes ownership with force; managers left with nothing disappear', () => {
    const { fm } = manager();
    let object = fm.apply(configMaps, undefined, cm({ a: '1' }), 'one', false, '');
    object = fm.apply(configMaps, object, cm({ a: '2' }), 'two', true, '');
    expect(object.data).toEqual({ a: '2' });
    expect(owners(object)).toEqual({ 'two/Apply': ['f:data/f:a'] });
  });

  it('merges keyed lists, sets and atomic values per the schema (custom resource)', () => {
    const { fm } = manager();
    let object = fm.apply(cowboys, undefined, cowboy({ horses: [{ name: 'silver', color: 'white' }], hats: ['stetson'], boots: ['a'] }), 'one', false, '');
    object = fm.apply(cowboys, object, cowboy({ horses: [{ name: 'scout', color: 'brown' }], hats: ['cap'] }), 'two', false, '');
    expect(object['spec']).toEqual({ horses: [{ name: 'silver', color: 'white' }, { name: 'scout', color: 'brown' }], hats: ['stetson', 'cap'], boots: ['a'] });
    const err = caught(() => fm.apply(cowboys, object, cowboy({ boots: ['b'], horses: [{ name: 'silver', color: 'black' }] }), 'two', false, ''));
    expect(err.status.details?.causes?.map((c) => c.field)).toEqual(['.spec.boots', '.spec.horses[name="silver"].color']);
    object = fm.apply(cowboys, object, cowboy({ hats: ['cap'] }), 'two', false, '');
    expect(object['spec']).toEqual({ horses: [{ name: 'silver', color: 'white' }], hats: ['stetson', 'cap'], boots: ['a'] });
  });

  it('treats a resource without a schema as unstructured: maps granular, lists atomic', () => {
    const { fm } = manager();
    const drifter = (spec: unknown) => ({ apiVersion: 'example.io/v1', kind: 'Drifter', metadata: { name: 'd' }, spec }) as Obj;
    let object = fm.apply(schemaless, undefined, drifter({ a: { x: 1 }, l: [1] }), 'one', false, '');
    object = fm.apply(schemaless, object, drifter({ a: { y: 2 } }), 'two', false, '');
    expect(object['spec']).toEqual({ a: { x: 1, y: 2 }, l: [1] });
    expect(caught(() => fm.apply(schemaless, object, drifter({ l: [2] }), 'two', false, '')).status.message).toBe(
      'Apply failed with 1 conflict: conflict with "one": .spec.l',
    );
  });

  it('ignores status applied through the main resource, and applies it through /status', () => {
    const { fm } = manager();
    let object = fm.apply(cowboys, undefined, cowboy({ motto: 'a' }, { status: { phase: 'Riding' } }), 'one', false, '');
    expect(object['status']).toBeUndefined();
    expect(owners(object)).toEqual({ 'one/Apply': ['f:spec/f:motto'] });
    object = fm.apply(cowboys, object, cowboy({ motto: 'changed' }, { status: { phase: 'Riding' } }), 'controller', true, 'status');
    expect(object['spec']).toEqual({ motto: 'a' });
    expect(object['status']).toEqual({ phase: 'Riding' });
    expect(owners(object)).toEqual({ 'one/Apply': ['f:spec/f:motto'], 'controller/Apply/status': ['f:status/f:phase'] });
  });

  it.each([
    ['another kind', cm({}, {}), 'invalid object type: /v1, Kind=ConfigMap'],
    ['another version', { apiVersion: 'example.io/v2', kind: 'Cowboy', metadata: { name: 'joe' } }, 'invalid object type: example.io/v2, Kind=Cowboy'],
    ['no apiVersion or kind', { metadata: { name: 'joe' } }, 'invalid object type: /, Kind='],
    ['managedFields', cowboy({}, { metadata: { name: 'joe', managedFields: [] } }), 'metadata.managedFields must be nil'],
  ])('rejects a configuration with %s (400)', (_name, applied, message) => {
    const { fm } = manager();
    const err = caught(() => fm.apply(cowboys, undefined, applied as Obj, 'one', false, ''));
    expect([err.code, err.reason, err.message]).toEqual([400, 'BadRequest', message]);
  });

  // upstream's typed conversion errors are not turned into a Status: 500 without a reason
  it.each([
    [
      'a keyed item without its key',
      cowboy({ horses: [{ color: 'x' }] }),
      'failed to create typed patch object (default/joe; example.io/v1, Kind=Cowboy): .spec.horses: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    ],
    ['duplicate keys', cowboy({ hats: ['a', 'a'] }), 'failed to create typed patch object (default/joe; example.io/v1, Kind=Cowboy): .spec.hats: duplicate entries for key [="a"]'],
    [
      'a string where a number goes',
      cowboy({ horses: [{ name: 'a', age: 'old' }] }),
      'failed to create typed patch object (default/joe; example.io/v1, Kind=Cowboy): .spec.horses[name="a"].age: expected numeric (int or float), got string',
    ],
    [
      'values of the wrong type, all of them',
      cowboy({ notes: { a: 1, b: true }, saddle: 'x' }),
      'failed to create typed patch object (default/joe; example.io/v1, Kind=Cowboy): errors:\n' +
        '  .spec.notes.a: expected string, got &value.valueUnstructured{Value:1}\n' +
        '  .spec.notes.b: expected string, got &value.valueUnstructured{Value:true}\n' +
        '  .spec.saddle: expected map, got &{x}',
    ],
  ])('rejects a configuration with %s (500, no reason)', (_name, applied, message) => {
    const { fm } = manager();
    const err = caught(() => fm.apply(cowboys, undefined, applied as Obj, 'one', false, ''));
    expect([err.code, err.reason, err.message]).toEqual([500, '', message]);
  });
});

describe('taking over from client-side apply', () => {
  const csaManifest = (data: Record<string, string>) =>
    `${JSON.stringify({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { annotations: {}, name: 'cm', namespace: 'default' } })}\n`;
  const csaCreated = (fm: ServerSideApplyFieldManager) =>
    created(fm, configMaps, cm({ k: 'v', old: 'x' }, { annotations: { [LAST_APPLIED_ANNOTATION]: csaManifest({ k: 'v', old: 'x' }) } }), 'kubectl-client-side-apply');

  it('lets kubectl take fields it last applied client-side without conflicts, and keeps the annotation current', () => {
    const { fm } = manager();
    const object = fm.apply(configMaps, csaCreated(fm), cm({ k: 'v2' }), 'kubectl', false, '');
    expect(object.data).toEqual({ k: 'v2', old: 'x' });
    expect(owners(object)).toEqual({
      'kubectl/Apply': ['f:data/f:k'],
      'kubectl-client-side-apply/Update': ['f:data', 'f:data/f:old', 'f:metadata/f:annotations', `f:metadata/f:annotations/f:${LAST_APPLIED_ANNOTATION}`],
    });
    expect(object.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBe(
      '{"apiVersion":"v1","data":{"k":"v2"},"kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}}\n',
    );
  });

  it('still conflicts for other managers and for fields changed since the last client-side apply', () => {
    const { fm } = manager();
    const object = csaCreated(fm);
    expect(caught(() => fm.apply(configMaps, object, cm({ k: 'v2' }), 'not-kubectl', false, '')).code).toBe(409);
    const edited = fm.update(configMaps, { ...object, data: { k: 'edited', old: 'x' } } as Obj, object, 'kubectl-client-side-apply', '');
    expect(caught(() => fm.apply(configMaps, edited, cm({ k: 'v2' }), 'kubectl', false, '')).status.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k',
    );
  });
});
