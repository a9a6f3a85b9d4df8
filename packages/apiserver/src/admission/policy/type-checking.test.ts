import { describe, expect, it } from 'vitest';
import { coreResources } from '../../builtin/core';
import { rbacResources } from '../../builtin/rbac';
import { MAX_TYPES_TO_CHECK, type SchemaDefinition, definitionsTypeSource, groupVersionKindString, typeCheckPolicy, typesToCheck } from './type-checking';

const OBJECT_META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** A custom resource as the CRD code publishes it: its schema under `schemaName`, metadata a reference to ObjectMeta. */
const widgets: SchemaDefinition = {
  group: 'example.com',
  version: 'v1',
  resource: 'widgets',
  kind: 'Widget',
  schemaName: 'com.example.v1.Widget',
  openAPISchemas: () => ({
    'com.example.v1.Widget': {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { allOf: [{ $ref: OBJECT_META_REF }] },
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer' },
            port: { 'x-kubernetes-int-or-string': true },
            tags: { type: 'array', items: { type: 'string' } },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    },
  }),
};

const source = definitionsTypeSource([...coreResources, ...rbacResources, widgets]);

const rules = (...resourceRules: Array<{ apiGroups: string[]; apiVersions: string[]; resources: string[] }>) => ({
  matchConstraints: { resourceRules: resourceRules.map((r) => ({ ...r, operations: ['*'] })) },
});
const configMaps = rules({ apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] });

describe('typesToCheck', () => {
  it.each([
    ['no match constraints', {}, []],
    ['one built-in resource', configMaps, ['/v1, Kind=ConfigMap']],
    [
      'several rules and resources, sorted by group, version, kind',
      rules(
        { apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] },
        { apiGroups: [''], apiVersions: ['v1'], resources: ['secrets', 'configmaps', 'configmaps'] },
      ),
      ['/v1, Kind=ConfigMap', '/v1, Kind=Secret', 'example.com/v1, Kind=Widget'],
    ],
    ['a wildcard group skips the rule', rules({ apiGroups: ['*'], apiVersions: ['v1'], resources: ['configmaps'] }), []],
    ['a wildcard version skips the rule', rules({ apiGroups: [''], apiVersions: ['v1', '*'], resources: ['configmaps'] }), []],
    [
      'wildcard and subresource resources are dropped, the rest kept',
      rules({ apiGroups: [''], apiVersions: ['v1'], resources: ['*', 'configmaps/status', '*/status', 'secrets'] }),
      ['/v1, Kind=Secret'],
    ],
    ['a resource not served is skipped', rules({ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }), []],
  ])('%s', (_name, spec, expected) => {
    expect(typesToCheck(spec, source).map((gvk) => groupVersionKindString(gvk))).toEqual(expected);
  });

  it(`stops at ${MAX_TYPES_TO_CHECK} kinds of one rule`, () => {
    const many: SchemaDefinition[] = Array.from({ length: 12 }, (_, i) => ({
      group: 'many.example.com',
      version: 'v1',
      resource: `things${String(i).padStart(2, '0')}`,
      kind: `Thing${String(i).padStart(2, '0')}`,
    }));
    const spec = rules(
      { apiGroups: ['many.example.com'], apiVersions: ['v1'], resources: many.map((d) => d.resource) },
      { apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
    );
    const kinds = typesToCheck(spec, definitionsTypeSource(many)).map((gvk) => gvk.kind);
    expect(kinds).toEqual(many.slice(0, MAX_TYPES_TO_CHECK).map((d) => d.kind));
  });
});

describe('typeCheckPolicy', () => {
  it('has no warnings for a policy that compiles against the matched kinds', () => {
    const spec = {
      ...rules({ apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }, { apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] }),
      variables: [{ name: 'name', expression: 'object.metadata.name' }],
      validations: [
        {
          expression: "has(object.metadata.labels) && object.metadata.labels['team'] != '' && variables.name.startsWith('a')",
          messageExpression: "'name: ' + variables.name + ' at ' + string(object.metadata.creationTimestamp)",
        },
        { expression: "request.operation == 'CREATE' && authorizer.group('').resource('configmaps').check('get').allowed()" },
        { expression: "oldObject == null || object.kind == oldObject.kind && namespaceObject.metadata.name != ''" },
      ],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([]);
  });

  it('warns about a field a built-in kind does not have, in the expression and the messageExpression', () => {
    const spec = {
      ...configMaps,
      validations: [
        { expression: "object.dataa.x == 'y'" },
        { expression: "object.data.x == 'y'", messageExpression: "'bad: ' + object.metadata.nmae" },
      ],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([
      { fieldRef: 'spec.validations[0].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: dataa\n' },
      { fieldRef: 'spec.validations[1].messageExpression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: nmae\n' },
    ]);
  });

  it('types a custom resource by its CRD schema', () => {
    const spec = {
      ...rules({ apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] }),
      validations: [
        { expression: "object.spec.replicas < 5 && object.spec.tags.all(t, t != '') && object.spec.port != 0" },
        { expression: 'object.spec.replicas2 < 5' },
        { expression: "object.spec.replicas == 'three'" },
        { expression: 'object.spec.free.anything == 1' },
      ],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([
      { fieldRef: 'spec.validations[1].expression', warning: 'example.com/v1, Kind=Widget: ERROR: <input>: No such key: replicas2\n' },
      { fieldRef: 'spec.validations[2].expression', warning: 'example.com/v1, Kind=Widget: ERROR: <input>: no such overload: int == string\n' },
      // as upstream, preserve-unknown-fields exposes no field the schema does not describe
      { fieldRef: 'spec.validations[3].expression', warning: 'example.com/v1, Kind=Widget: ERROR: <input>: No such key: anything\n' },
    ]);
  });

  it('gives one block per kind an expression fails on, joined by a newline', () => {
    const spec = {
      ...rules({ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets', 'configmaps'] }),
      validations: [{ expression: 'object.nope' }, { expression: "object.stringData.x == 'y'" }, { expression: "object.data.x == 'y'" }],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([
      {
        fieldRef: 'spec.validations[0].expression',
        warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: nope\n\n/v1, Kind=Secret: ERROR: <input>: No such key: nope\n',
      },
      { fieldRef: 'spec.validations[1].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: stringData\n' },
      // Secret data is bytes (format: byte)
      { fieldRef: 'spec.validations[2].expression', warning: '/v1, Kind=Secret: ERROR: <input>: no such overload: bytes == string\n' },
    ]);
  });

  it('types params by a resolvable paramKind, and (as upstream) leaves them undeclared otherwise', () => {
    const withParams = (apiVersion: string, kind: string) => ({
      ...configMaps,
      paramKind: { apiVersion, kind },
      validations: [{ expression: 'object.data.x == params.data.y' }, { expression: 'params.dat.y == 1' }],
    });
    expect(typeCheckPolicy(withParams('v1', 'ConfigMap'), source)).toEqual([
      { fieldRef: 'spec.validations[1].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: dat\n' },
    ]);
    const undeclared = (i: number) => ({ fieldRef: `spec.validations[${i}].expression`, warning: '/v1, Kind=ConfigMap: ERROR: <input>: Unknown variable: params\n' });
    expect(typeCheckPolicy(withParams('example.com/v1', 'Missing'), source)).toEqual([undeclared(0), undeclared(1)]);
    expect(typeCheckPolicy(withParams('a/b/c', 'Bad'), source)).toEqual([undeclared(0), undeclared(1)]);
  });

  it('types variables as they compile (dyn when they do not)', () => {
    const spec = {
      ...configMaps,
      variables: [
        { name: 'data', expression: 'object.data' },
        { name: 'broken', expression: 'object.dataa' },
        { name: 'first', expression: 'variables.data.x' },
      ],
      validations: [{ expression: 'variables.first == 1' }, { expression: 'variables.broken.anything == 1' }, { expression: 'variables.nothing' }],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([
      { fieldRef: 'spec.validations[0].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: no such overload: string == int\n' },
      { fieldRef: 'spec.validations[2].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: nothing\n' },
    ]);
  });

  it('checks nothing when no matched kind resolves (wildcards, unknown resources)', () => {
    const spec = {
      ...rules({ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }, { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }),
      validations: [{ expression: 'object.spec.replicas2 > 1' }],
    };
    expect(typeCheckPolicy(spec, source)).toEqual([]);
  });
});
