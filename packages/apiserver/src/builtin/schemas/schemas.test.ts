import { describe, expect, it } from 'vitest';
import {
  BUILTIN_GROUP_VERSIONS,
  SCHEMA_REF_PREFIX,
  builtinSchemaGroups,
  builtinSchemas,
  schemaNameForKind,
  schemaRefName,
} from './index';
import { resolve, walkSchema } from './test-helpers';
import type { OpenAPISchema } from './types';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

/** Every kind the API server serves from these schemas: [group, version, kind, definition name]. */
const SERVED_KINDS: readonly (readonly [string, string, string, string])[] = [
  ['', 'v1', 'Namespace', 'io.k8s.api.core.v1.Namespace'],
  ['', 'v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
  ['', 'v1', 'Secret', 'io.k8s.api.core.v1.Secret'],
  ['', 'v1', 'ServiceAccount', 'io.k8s.api.core.v1.ServiceAccount'],
  ['', 'v1', 'Event', 'io.k8s.api.core.v1.Event'],
  ['', 'v1', 'ResourceQuota', 'io.k8s.api.core.v1.ResourceQuota'],
  ['', 'v1', 'LimitRange', 'io.k8s.api.core.v1.LimitRange'],
  ['events.k8s.io', 'v1', 'Event', 'io.k8s.api.events.v1.Event'],
  ['coordination.k8s.io', 'v1', 'Lease', 'io.k8s.api.coordination.v1.Lease'],
  ['certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'io.k8s.api.certificates.v1.CertificateSigningRequest'],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'io.k8s.api.rbac.v1.Role'],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'io.k8s.api.rbac.v1.RoleBinding'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'io.k8s.api.rbac.v1.ClusterRole'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'io.k8s.api.rbac.v1.ClusterRoleBinding'],
  ['authorization.k8s.io', 'v1', 'SubjectAccessReview', 'io.k8s.api.authorization.v1.SubjectAccessReview'],
  ['authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'io.k8s.api.authorization.v1.LocalSubjectAccessReview'],
  ['authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'io.k8s.api.authorization.v1.SelfSubjectAccessReview'],
  ['authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'io.k8s.api.authorization.v1.SelfSubjectRulesReview'],
  ['authentication.k8s.io', 'v1', 'TokenReview', 'io.k8s.api.authentication.v1.TokenReview'],
  ['authentication.k8s.io', 'v1', 'SelfSubjectReview', 'io.k8s.api.authentication.v1.SelfSubjectReview'],
  [
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration',
  ],
  [
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration',
  ],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy'],
  [
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingAdmissionPolicyBinding',
    'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
  ],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', `${APIEXT}CustomResourceDefinition`],
];

/** Definitions the brief asks for that no served kind references. */
const STANDALONE_ROOTS = [
  `${META}Status`,
  `${META}DeleteOptions`,
  `${META}ListMeta`,
  `${META}Condition`,
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
];

/**
 * Known upstream quirks kept verbatim: meta/v1 Status.details (a struct) and the
 * two `[]byte` fields of a CertificateSigningRequest (base64 strings in JSON)
 * carry `+listType=atomic`.
 */
const LIST_EXTENSION_ON_NON_ARRAY = new Set([
  `${META}Status.details`,
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.request',
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus.certificate',
]);

const allNodes: { node: OpenAPISchema; path: string }[] = [];
for (const [name, schema] of Object.entries(builtinSchemas)) {
  walkSchema(schema, name, (node, path) => allNodes.push({ node, path }));
}

const isObjectNode = (node: OpenAPISchema): boolean => resolve(node).type === 'object';

describe('builtinSchemas', () => {
  it('is the union of the group tables without a repeated definition name', () => {
    const sizes = Object.values(builtinSchemaGroups).map((group) => Object.keys(group).length);
    expect(Object.keys(builtinSchemas)).toHaveLength(sizes.reduce((a, b) => a + b, 0));
  });

  it('resolves every $ref to a defined schema', () => {
    const refs = allNodes.filter(({ node }) => node.$ref !== undefined);
    expect(refs.length).toBeGreaterThan(100);
    for (const { node, path } of refs) {
      expect(node.$ref, path).toMatch(new RegExp(`^${SCHEMA_REF_PREFIX}`));
      expect(builtinSchemas[node.$ref!.slice(SCHEMA_REF_PREFIX.length)], `${path} -> ${node.$ref}`).toBeDefined();
    }
  });

  it('uses allOf only as a single-reference wrapper for described properties', () => {
    for (const { node, path } of allNodes.filter(({ node }) => node.allOf !== undefined)) {
      expect(node.allOf, path).toHaveLength(1);
      expect(Object.keys(node.allOf![0]!), path).toEqual(['$ref']);
      expect(node.description, path).toBeTruthy();
      expect(node.type, path).toBeUndefined();
    }
  });

  it('gives every array node items and never puts properties next to additionalProperties', () => {
    for (const { node, path } of allNodes) {
      if (node.type === 'array') expect(node.items, path).toBeDefined();
      if (node.items !== undefined) expect(node.type, path).toBe('array');
      expect(node.properties !== undefined && node.additionalProperties !== undefined, path).toBe(false);
      if (node.properties !== undefined || node.additionalProperties !== undefined) expect(node.type, path).toBe('object');
    }
  });

  it('uses only known types and formats', () => {
    const formats = new Set(['int32', 'int64', 'double', 'byte', 'date-time', 'int-or-string']);
    for (const { node, path } of allNodes) {
      if (node.type !== undefined) expect(['object', 'array', 'string', 'integer', 'number', 'boolean'], path).toContain(node.type);
      if (node.format !== undefined) expect(formats.has(node.format), `${path}: ${node.format}`).toBe(true);
    }
  });

  it('lists only existing properties as required', () => {
    for (const { node, path } of allNodes.filter(({ node }) => node.required !== undefined)) {
      for (const field of node.required!) expect(node.properties?.[field], `${path}.${field}`).toBeDefined();
    }
  });

  it('puts list and patch extensions only on arrays, map-type only on objects', () => {
    for (const { node, path } of allNodes) {
      const onArray = node.type === 'array';
      for (const key of ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-patch-merge-key'] as const) {
        if (node[key] !== undefined && !LIST_EXTENSION_ON_NON_ARRAY.has(path)) expect(onArray, `${path}: ${key}`).toBe(true);
      }
      if (node['x-kubernetes-patch-strategy'] !== undefined) {
        expect(onArray || isObjectNode(node), `${path}: patch-strategy`).toBe(true);
      }
      if (node['x-kubernetes-map-type'] !== undefined) expect(isObjectNode(node), `${path}: map-type`).toBe(true);
    }
  });

  it('keeps the documented non-array list-type exception real', () => {
    // If upstream or this table drops the quirk, the allow-list must shrink with it.
    for (const path of LIST_EXTENSION_ON_NON_ARRAY) {
      const found = allNodes.find((entry) => entry.path === path);
      expect(found?.node['x-kubernetes-list-type'], path).toBe('atomic');
      expect(found?.node.type, path).not.toBe('array');
    }
  });

  it('keys map lists and merge-patched lists by fields of their items', () => {
    for (const { node, path } of allNodes.filter(({ node }) => node.type === 'array')) {
      const keys = node['x-kubernetes-list-map-keys'];
      const isMap = node['x-kubernetes-list-type'] === 'map';
      expect(keys !== undefined, `${path}: list-map-keys iff list-type map`).toBe(isMap);
      const item = resolve(node.items!);
      for (const key of keys ?? []) expect(item.properties?.[key], `${path}: key ${key}`).toBeDefined();
      const mergeKey = node['x-kubernetes-patch-merge-key'];
      if (mergeKey !== undefined) {
        expect(node['x-kubernetes-patch-strategy'], path).toMatch(/merge/);
        expect(item.properties?.[mergeKey], `${path}: merge key ${mergeKey}`).toBeDefined();
      }
      if (node['x-kubernetes-list-type'] === 'set') expect(item.type, `${path}: set of scalars`).toBe('string');
    }
  });

  it('describes every definition and every property in its own words', () => {
    for (const [name, schema] of Object.entries(builtinSchemas)) {
      expect(schema.description, name).toBeTruthy();
      walkSchema(schema, name, (node, path) => {
        for (const [field, property] of Object.entries(node.properties ?? {})) {
          expect(property.description, `${path}.${field}`).toBeTruthy();
        }
      });
    }
    for (const { node, path } of allNodes.filter(({ node }) => node.description !== undefined)) {
      // Upstream's text carries "More info:" links; ours is written afresh.
      expect(node.description, path).not.toMatch(/More info:|git\.k8s\.io/);
    }
  });

  it('gives every served kind apiVersion, kind, metadata and its group/version/kind', () => {
    for (const [group, version, kind, name] of SERVED_KINDS) {
      const schema = builtinSchemas[name]!;
      expect(schema, name).toBeDefined();
      expect(schema['x-kubernetes-group-version-kind'], name).toEqual([{ group, kind, version }]);
      expect(schema.properties?.apiVersion?.type, name).toBe('string');
      expect(schema.properties?.kind?.type, name).toBe('string');
      expect(schemaRefName(schema.properties!.metadata!), name).toBe(`${META}ObjectMeta`);
    }
  });

  it('declares a group/version/kind only on the served kinds, Status and DeleteOptions', () => {
    const withGVK = Object.keys(builtinSchemas).filter((name) => builtinSchemas[name]!['x-kubernetes-group-version-kind']);
    expect(withGVK.sort()).toEqual(
      [...SERVED_KINDS.map(([, , , name]) => name), `${META}Status`, `${META}DeleteOptions`].sort(),
    );
    for (const name of withGVK) {
      expect(builtinSchemas[name]!.properties?.apiVersion, name).toBeDefined();
      expect(builtinSchemas[name]!.properties?.kind, name).toBeDefined();
    }
  });

  it('reaches every definition from a served kind or a requested standalone type', () => {
    const reached = new Set<string>();
    const pending = [...SERVED_KINDS.map(([, , , name]) => name), ...STANDALONE_ROOTS];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (reached.has(name)) continue;
      reached.add(name);
      walkSchema(builtinSchemas[name]!, name, (node) => {
        if (node.$ref !== undefined) pending.push(node.$ref.slice(SCHEMA_REF_PREFIX.length));
      });
    }
    expect([...reached].sort()).toEqual(Object.keys(builtinSchemas).sort());
  });

  it('is deeply frozen', () => {
    const objectMeta = builtinSchemas[`${META}ObjectMeta`]!;
    expect(Object.isFrozen(builtinSchemas)).toBe(true);
    expect(Object.isFrozen(objectMeta.properties!.finalizers)).toBe(true);
    expect(() => {
      (objectMeta.properties!.finalizers as { 'x-kubernetes-list-type'?: string })['x-kubernetes-list-type'] = 'atomic';
    }).toThrow(TypeError);
    expect(objectMeta.properties!.finalizers!['x-kubernetes-list-type']).toBe('set');
  });

  it('survives a JSON round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(builtinSchemas))).toEqual(builtinSchemas);
  });
});

describe('schemaNameForKind', () => {
  it.each(SERVED_KINDS)('%s/%s %s -> %s', (group, version, kind, name) => {
    expect(schemaNameForKind(group, version, kind)).toBe(name);
  });

  it('finds Status in the core group and DeleteOptions in every served group version', () => {
    expect(schemaNameForKind('', 'v1', 'Status')).toBe(`${META}Status`);
    for (const { group, version } of BUILTIN_GROUP_VERSIONS) {
      expect(schemaNameForKind(group, version, 'DeleteOptions'), group).toBe(`${META}DeleteOptions`);
    }
  });

  it.each([
    ['a list kind', '', 'v1', 'ConfigMapList'],
    ['the core group spelled "core"', 'core', 'v1', 'ConfigMap'],
    ['an unknown version', '', 'v2', 'ConfigMap'],
    ['a kind of another group', 'events.k8s.io', 'v1', 'ConfigMap'],
    ['a kind in the wrong case', '', 'v1', 'configmap'],
    ['a non-kind definition', '', 'v1', 'ObjectMeta'],
    ['an empty kind', '', 'v1', ''],
  ])('returns undefined for %s', (_, group, version, kind) => {
    expect(schemaNameForKind(group, version, kind)).toBeUndefined();
  });
});

describe('schemaRefName', () => {
  it.each([
    ['a bare reference', { $ref: `${SCHEMA_REF_PREFIX}${META}Time` }, `${META}Time`],
    ['an allOf wrapper', { allOf: [{ $ref: `${SCHEMA_REF_PREFIX}${META}Time` }], description: 'x' }, `${META}Time`],
    ['a typed node', { type: 'string' }, undefined],
    ['an allOf of two schemas', { allOf: [{ $ref: `${SCHEMA_REF_PREFIX}a` }, { $ref: `${SCHEMA_REF_PREFIX}b` }] }, undefined],
    ['a reference outside components/schemas', { $ref: '#/definitions/x' }, undefined],
  ] as const)('%s', (_, schema, expected) => {
    expect(schemaRefName(schema as OpenAPISchema)).toBe(expected);
  });
});
