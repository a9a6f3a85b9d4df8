/**
 * Server-side apply through the REST layer (ApiServer.handle over a memory
 * store): what kubectl sends for `apply --server-side`, managedFields on
 * every write, conflicts, force, field removal, status, dry-run, the
 * client-side-apply takeover kubectl 1.32 performs, and every bad input with
 * its exact status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cowboySchema } from '../src/fieldmanager/test-fixtures';
import { FieldSet } from '../src/fieldmanager/field-set';
import { LAST_APPLIED_ANNOTATION } from '../src/fieldmanager/last-applied';
import { STATUS_SUBRESOURCE, builtinPrefix, defineBuiltin } from '../src/builtin/define';
import type { ResourceDefinition } from '../src/registry/types';
import { startTestServer } from './harness';

const COWBOY = 'io.example.v1.Cowboy';
const cowboys: ResourceDefinition = {
  ...defineBuiltin({
    group: 'example.io',
    version: 'v1',
    resource: 'cowboys',
    kind: 'Cowboy',
    singular: 'cowboy',
    namespaced: true,
    subresources: { status: STATUS_SUBRESOURCE },
    strategy: { statusSubresource: true, tracksGeneration: true },
    storage: { prefix: builtinPrefix('example.io', 'cowboys'), storageApiVersion: 'example.io/v1' },
  }),
  schemaName: COWBOY,
  openAPISchemas: () => ({ [COWBOY]: cowboySchema }),
};

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer({ extraBuiltins: [cowboys] });
  await t.request('POST', '/clusters/ssa/api/v1/namespaces', { metadata: { name: 'default' } });
});
afterAll(async () => {
  await t.stop();
});

const NS = '/clusters/ssa/api/v1/namespaces/default';
const APPLY = { 'content-type': 'application/apply-patch+yaml' };
const KUBECTL = { 'user-agent': 'kubectl/v1.32.4 (linux/amd64) kubernetes/abcdef' };

const configMap = (name: string, data: Record<string, string>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...metadata },
  data,
});

/** `kubectl apply --server-side [--force-conflicts] [--field-manager=m]`: JSON body, apply-patch+yaml. */
const apply = (name: string, body: unknown, manager = 'kubectl', force = false, extra = '') =>
  t.request('PATCH', `${NS}/configmaps/${name}?fieldManager=${manager}&fieldValidation=Strict&force=${force}${extra}`, body, { ...APPLY, ...KUBECTL });

const get = async (name: string) => (await t.request('GET', `${NS}/configmaps/${name}`)).json();

function owners(object: { metadata: { managedFields?: Array<{ manager: string; operation: string; subresource?: string; fieldsV1: unknown }> } }) {
  const out: Record<string, string[]> = {};
  for (const e of object.metadata.managedFields ?? []) {
    out[[e.manager, e.operation, ...(e.subresource ? [e.subresource] : [])].join('/')] = FieldSet.fromFieldsV1(e.fieldsV1)
      .paths()
      .map((p) => p.join('/'));
  }
  return out;
}

describe('server-side apply over HTTP', () => {
  it('creates with 201, records the applier, then updates with 200', async () => {
    let r = await apply('cm1', configMap('cm1', { a: '1', b: '2' }));
    expect(r.status).toBe(201);
    const created = r.json();
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(owners(created)).toEqual({ 'kubectl/Apply': ['f:data/f:a', 'f:data/f:b'] });
    expect(created.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    expect(created.metadata.managedFields[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    r = await apply('cm1', configMap('cm1', { a: '1', b: '3' }));
    expect(r.status).toBe(200);
    expect(r.json().data).toEqual({ a: '1', b: '3' });
    expect(Number(r.json().metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect((await get('cm1')).metadata.managedFields).toEqual(r.json().metadata.managedFields);
  });

  it('answers 409 naming the field and the other manager, then takes ownership with force', async () => {
    await apply('cm2', configMap('cm2', { k: 'v', mine: 'x' }));
    let r = await apply('cm2', configMap('cm2', { k: 'other' }), 'other');
    expect(r.status).toBe(409);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .data.k',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.k' }] },
      code: 409,
    });
    expect((await get('cm2')).data).toEqual({ k: 'v', mine: 'x' });

    r = await apply('cm2', configMap('cm2', { k: 'other' }), 'other', true);
    expect(r.status).toBe(200);
    expect(r.json().data).toEqual({ k: 'other', mine: 'x' });
    expect(owners(r.json())).toEqual({ 'kubectl/Apply': ['f:data/f:mine'], 'other/Apply': ['f:data/f:k'] });
  });

  it('removes a field only its applier owned when the applier stops applying it', async () => {
    await apply('cm3', configMap('cm3', { keep: '1', drop: '2', shared: '3' }));
    await apply('cm3', configMap('cm3', { shared: '3' }), 'friend');
    const r = await apply('cm3', configMap('cm3', { keep: '1' }));
    expect(r.json().data).toEqual({ keep: '1', shared: '3' });
    expect(owners(r.json())).toEqual({ 'kubectl/Apply': ['f:data/f:keep'], 'friend/Apply': ['f:data/f:shared'] });
  });

  it('records Update managers for create, merge patch, update and status writes', async () => {
    let r = await t.request('POST', `${NS}/configmaps?fieldManager=kubectl-create`, configMap('cm4', { a: '1' }));
    expect(owners(r.json())).toEqual({ 'kubectl-create/Update': ['f:data', 'f:data/f:a'] });
    r = await t.request('PATCH', `${NS}/configmaps/cm4?fieldManager=kubectl-label`, { metadata: { labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
    r = await t.request('PUT', `${NS}/configmaps/cm4`, { ...r.json(), data: { a: '2' } }, { 'user-agent': 'my-controller/1.0 (go)' });
    expect(owners(r.json())).toEqual({
      'kubectl-create/Update': ['f:data'],
      'kubectl-label/Update': ['f:metadata/f:labels', 'f:metadata/f:labels/f:x'],
      'my-controller/Update': ['f:data/f:a'],
    });

    const ns = (await t.request('GET', '/clusters/ssa/api/v1/namespaces/default')).json();
    r = await t.request('PUT', '/clusters/ssa/api/v1/namespaces/default/status', { ...ns, status: { phase: 'Active', conditions: [{ type: 'X', status: 'True' }] } }, { 'user-agent': 'ns-controller/v1' });
    expect(r.status).toBe(200);
    expect(owners(r.json())['ns-controller/Update/status']).toEqual([
      'f:status/f:conditions',
      'f:status/f:conditions/k:{"type":"X"}',
      'f:status/f:conditions/k:{"type":"X"}/f:status',
      'f:status/f:conditions/k:{"type":"X"}/f:type',
    ]);
  });

  it('ignores status applied through the main resource and applies it through /status', async () => {
    const url = '/clusters/ssa/apis/example.io/v1/namespaces/default/cowboys/joe';
    const joe = (spec: unknown, status?: unknown) => ({ apiVersion: 'example.io/v1', kind: 'Cowboy', metadata: { name: 'joe' }, spec, ...(status ? { status } : {}) });
    let r = await t.request('PATCH', `${url}?fieldManager=kubectl`, joe({ horses: [{ name: 'silver', color: 'white' }] }, { phase: 'Riding' }), APPLY);
    expect(r.status).toBe(201);
    expect(r.json().status).toBeUndefined();
    expect(owners(r.json())).toEqual({ 'kubectl/Apply': ['f:spec/f:horses/k:{"name":"silver"}', 'f:spec/f:horses/k:{"name":"silver"}/f:color', 'f:spec/f:horses/k:{"name":"silver"}/f:name'] });

    r = await t.request('PATCH', `${url}?fieldManager=other`, joe({ horses: [{ name: 'scout' }] }), APPLY);
    expect(r.json().spec.horses.map((h: { name: string }) => h.name)).toEqual(['silver', 'scout']);

    r = await t.request('PATCH', `${url}/status?fieldManager=controller`, joe({ horses: [] }, { phase: 'Riding' }), APPLY);
    expect(r.status).toBe(200);
    expect(r.json().status).toEqual({ phase: 'Riding' });
    expect(r.json().spec.horses).toHaveLength(2);
    expect(owners(r.json())['controller/Apply/status']).toEqual(['f:status/f:phase']);
    expect(r.json().metadata.generation).toBe(2);
  });

  it('reads YAML configurations as well as JSON', async () => {
    const r = await apply('cm-yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-yaml\ndata:\n  a: "1"\n');
    expect(r.status).toBe(201);
    expect(owners(r.json())).toEqual({ 'kubectl/Apply': ['f:data/f:a'] });
  });

  it('applies nothing under dry-run', async () => {
    const r = await apply('cm-dry', configMap('cm-dry', { a: '1' }), 'kubectl', false, '&dryRun=All');
    expect(r.status).toBe(201);
    expect(owners(r.json())).toEqual({ 'kubectl/Apply': ['f:data/f:a'] });
    expect((await t.request('GET', `${NS}/configmaps/cm-dry`)).status).toBe(404);
  });

  it('treats a resourceVersion in the configuration as a precondition', async () => {
    const created = (await apply('cm-rv', configMap('cm-rv', { a: '1' }))).json();
    await apply('cm-rv', configMap('cm-rv', { a: '2' }));
    const r = await apply('cm-rv', configMap('cm-rv', { a: '3' }, { resourceVersion: created.metadata.resourceVersion }));
    expect(r.status).toBe(409);
    expect(r.json().message).toBe('Operation cannot be fulfilled on configmaps "cm-rv": the object has been modified; please apply your changes to the latest version and try again');
    expect((await get('cm-rv')).data).toEqual({ a: '2' });
  });
});

describe('taking over objects created by client-side apply (kubectl 1.32)', () => {
  it('migrates kubectl-client-side-apply to the kubectl applier the way kubectl does', async () => {
    const lastApplied = (data: Record<string, string>) =>
      `${JSON.stringify({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { annotations: {}, name: 'csa', namespace: 'default' } })}\n`;
    // kubectl apply -f (client-side): a create carrying the annotation
    let r = await t.request(
      'POST',
      `${NS}/configmaps?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      configMap('csa', { k: 'v', gone: 'x' }, { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied({ k: 'v', gone: 'x' }) } }),
    );
    expect(r.status).toBe(201);

    // kubectl apply --server-side with a changed value and a dropped key: no conflict with the client-side manager
    const manifest = configMap('csa', { k: 'v2' }, { namespace: 'default' });
    r = await apply('csa', manifest);
    expect(r.status).toBe(200);
    let live = r.json();
    expect(live.data).toEqual({ k: 'v2', gone: 'x' });
    expect(live.metadata.annotations[LAST_APPLIED_ANNOTATION]).toBe(
      '{"apiVersion":"v1","data":{"k":"v2"},"kind":"ConfigMap","metadata":{"name":"csa","namespace":"default"}}\n',
    );

    // kubectl keeps the annotation under its own applier
    r = await t.request(
      'PATCH',
      `${NS}/configmaps/csa?fieldManager=kubectl-last-applied`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'csa', namespace: 'default', annotations: { [LAST_APPLIED_ANNOTATION]: live.metadata.annotations[LAST_APPLIED_ANNOTATION] } } },
      { ...APPLY, ...KUBECTL },
    );
    expect(r.status).toBe(200);
    live = r.json();

    // csaupgrade: a JSON patch moving the client-side manager's fields into the kubectl applier
    const entries = live.metadata.managedFields as Array<{ manager: string; operation: string; fieldsV1: unknown }>;
    const csa = entries.find((e) => e.manager === 'kubectl-client-side-apply')!;
    const ssa = entries.find((e) => e.manager === 'kubectl' && e.operation === 'Apply')!;
    const upgraded = entries
      .filter((e) => e !== csa)
      .map((e) => (e === ssa ? { ...e, fieldsV1: FieldSet.fromFieldsV1(e.fieldsV1).union(FieldSet.fromFieldsV1(csa.fieldsV1)).toFieldsV1() } : e));
    r = await t.request(
      'PATCH',
      `${NS}/configmaps/csa`,
      [
        { op: 'replace', path: '/metadata/managedFields', value: upgraded },
        { op: 'replace', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
      ],
      { 'content-type': 'application/json-patch+json', ...KUBECTL },
    );
    expect(r.status).toBe(200);
    expect(Object.keys(owners(r.json())).sort()).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);

    // the re-sent apply removes what the manifest no longer has, and keeps the annotation
    r = await apply('csa', manifest);
    expect(r.status).toBe(200);
    expect(r.json().data).toEqual({ k: 'v2' });
    expect(r.json().metadata.annotations[LAST_APPLIED_ANNOTATION]).toBeDefined();
  });
});

describe('bad input', () => {
  const written = async (name: string) => (await t.request('GET', `${NS}/configmaps/${name}`)).status;

  it('requires a field manager: 422 as kube-apiserver', async () => {
    const r = await t.request('PATCH', `${NS}/configmaps/bad1`, configMap('bad1', { a: '1' }), APPLY);
    expect(r.status).toBe(422);
    expect(r.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    expect(r.json().details).toEqual({
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
    });
    expect(await written('bad1')).toBe(404);
  });

  it.each([
    ['a name other than the URL\'s', configMap('other-name', { a: '1' }), 'the name of the object (other-name) does not match the name on the URL (bad2)'],
    ['another kind', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad2' } }, 'invalid object type: /v1, Kind=Secret'],
    ['another version', { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'bad2' } }, 'invalid object type: /v2, Kind=ConfigMap'],
    ['no kind', { apiVersion: 'v1', metadata: { name: 'bad2' } }, 'invalid object type: /v1, Kind='],
    ['another namespace', configMap('bad2', {}, { namespace: 'elsewhere' }), 'the namespace of the object (elsewhere) does not match the namespace on the request (default)'],
    ['managedFields', configMap('bad2', {}, { managedFields: [{ manager: 'x', operation: 'Apply' }] }), 'metadata.managedFields must be nil'],
    ['a list body', '- a\n- b\n', 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a string body', '"just text"', 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['malformed YAML', 'data: [\n', 'error decoding YAML: error converting YAML to JSON: yaml: line 2: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['malformed JSON', '{"apiVersion": ', 'error decoding YAML: error converting YAML to JSON: yaml: line 1: Flow map must end with a }'],
    ['an empty body', '', 'invalid object type: /, Kind='],
    ['metadata that is not an object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' }, 'error decoding YAML: metadata must be an object'],
  ])('rejects %s with 400 and writes nothing', async (_name, body, message) => {
    const r = await apply('bad2', body);
    expect([r.status, r.json().reason, r.json().message]).toEqual([400, 'BadRequest', message]);
    expect(await written('bad2')).toBe(404);
  });

  it('rejects an item without its list key with a 500 without a reason, as upstream (custom resource)', async () => {
    const r = await t.request(
      'PATCH',
      '/clusters/ssa/apis/example.io/v1/namespaces/default/cowboys/bad3?fieldManager=m',
      { apiVersion: 'example.io/v1', kind: 'Cowboy', metadata: { name: 'bad3' }, spec: { horses: [{ color: 'x' }] } },
      APPLY,
    );
    expect([r.status, r.json().reason, r.json().message]).toEqual([
      500,
      undefined,
      'failed to create typed patch object (/bad3; example.io/v1, Kind=Cowboy): .spec.horses: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    ]);
  });

  it('does not create through a subresource (404) nor with a uid (409)', async () => {
    let r = await t.request('PATCH', '/clusters/ssa/apis/example.io/v1/namespaces/default/cowboys/ghost/status?fieldManager=m', { apiVersion: 'example.io/v1', kind: 'Cowboy', metadata: { name: 'ghost' } }, APPLY);
    expect([r.status, r.json().message]).toEqual([404, 'cowboys.example.io "ghost" not found']);
    r = await apply('bad4', configMap('bad4', {}, { uid: '0d4e6b7e-0000-0000-0000-000000000000' }));
    expect([r.status, r.json().message]).toEqual([
      409,
      'Operation cannot be fulfilled on configmaps "bad4": uid mismatch: the provided object specified uid 0d4e6b7e-0000-0000-0000-000000000000, and no existing object was found',
    ]);
    expect(await written('bad4')).toBe(404);
  });
});
