import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, configMap, expectStatus, failure, revisionOf, startBadInputServer } from './bad-input-helpers';

/**
 * Issue 4, wrong types: a built-in object is decoded into its Go type before
 * anything else, as kube-apiserver does. A value of the wrong JSON type fails
 * the request with Go's error (400 for creates and updates, 422 on `patch`
 * for patches) and nothing is written; `null` and timestamps come out as the
 * Go value encodes again.
 */
let t: TestServer;
const BASE = '/clusters/types';
const NS = `${BASE}/api/v1/namespaces/ns`;
const CMS = `${NS}/configmaps`;
const LEASES = `${BASE}/apis/coordination.k8s.io/v1/namespaces/ns/leases`;
const ROLES = `${BASE}/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles`;
const MERGE = { 'content-type': 'application/merge-patch+json' };
const STRATEGIC = { 'content-type': 'application/strategic-merge-patch+json' };
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };

beforeAll(async () => {
  t = await startBadInputServer();
  expect((await t.request('POST', `${BASE}/api/v1/namespaces`, { metadata: { name: 'ns' } })).status).toBe(201);
  expect((await t.request('POST', CMS, configMap('existing'))).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

const cannot = (kind: string, detail: string) => failure(400, 'BadRequest', `${kind} in version "v1" cannot be handled as a ${kind}: ${detail}`);

interface Case {
  name: string;
  url?: string;
  body: unknown;
  expected: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'a bool in configmap data (YAML `yes` read by kubectl)',
    body: { metadata: { name: 'c' }, data: { enabled: true } },
    expected: cannot('ConfigMap', 'json: cannot unmarshal bool into Go struct field ConfigMap.data of type string'),
  },
  {
    name: 'a number as a label value',
    body: { metadata: { name: 'c', labels: { tier: 1 } } },
    expected: cannot('ConfigMap', 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'),
  },
  {
    name: 'annotations that are a string',
    body: { metadata: { name: 'c', annotations: 'x' } },
    expected: cannot('ConfigMap', 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.annotations of type map[string]string'),
  },
  {
    name: 'immutable as a string',
    body: { metadata: { name: 'c' }, immutable: 'yes' },
    expected: cannot('ConfigMap', 'json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool'),
  },
  {
    name: 'binaryData that is not base64',
    body: { metadata: { name: 'c' }, binaryData: { b: '!!' } },
    expected: cannot('ConfigMap', 'illegal base64 data at input byte 0'),
  },
  {
    name: 'the first of two wrong values, in document order',
    body: { metadata: { name: 'c', labels: { a: false } }, data: { b: 2 } },
    expected: cannot('ConfigMap', 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string'),
  },
  {
    name: 'a bad timestamp stops decoding, even after a wrong value',
    body: { metadata: { name: 'c', labels: { a: 1 }, creationTimestamp: 'yesterday' } },
    expected: cannot('ConfigMap', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
  },
  {
    name: 'a number as a timestamp',
    body: { metadata: { name: 'c', creationTimestamp: 5 } },
    expected: cannot('ConfigMap', 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string'),
  },
  {
    name: 'a month out of range',
    body: { metadata: { name: 'c', creationTimestamp: '2024-13-01T00:00:00Z' } },
    expected: cannot('ConfigMap', 'parsing time "2024-13-01T00:00:00Z": month out of range'),
  },
  {
    name: 'a named string type (Secret.type)',
    url: `${NS}/secrets`,
    body: { metadata: { name: 's' }, type: 7 },
    expected: cannot('Secret', 'json: cannot unmarshal number into Go struct field Secret.type of type v1.SecretType'),
  },
  {
    name: 'namespace finalizers as a string',
    url: `${BASE}/api/v1/namespaces`,
    body: { metadata: { name: 'n' }, spec: { finalizers: 'kubernetes' } },
    expected: cannot('Namespace', 'json: cannot unmarshal string into Go struct field NamespaceSpec.spec.finalizers of type []v1.FinalizerName'),
  },
  {
    name: 'role verbs as a string: the path leaves out list indexes',
    url: ROLES,
    body: { metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: 'get' }] },
    expected: cannot('Role', 'json: cannot unmarshal string into Go struct field PolicyRule.rules.verbs of type []string'),
  },
  {
    name: 'a lease duration as a string',
    url: LEASES,
    body: { metadata: { name: 'l' }, spec: { leaseDurationSeconds: '10' } },
    expected: cannot('Lease', 'json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'),
  },
  {
    name: 'a fractional lease duration',
    url: LEASES,
    body: { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 1.5 } },
    expected: cannot('Lease', 'json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'),
  },
  {
    name: 'a lease duration beyond int32',
    url: LEASES,
    body: { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 3000000000 } },
    expected: cannot('Lease', 'json: cannot unmarshal number 3000000000 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'),
  },
  {
    name: 'a lease spec that is a string',
    url: LEASES,
    body: { metadata: { name: 'l' }, spec: 'x' },
    expected: cannot('Lease', 'json: cannot unmarshal string into Go struct field Lease.spec of type v1.LeaseSpec'),
  },
  {
    name: 'a MicroTime without its six fractional digits',
    url: LEASES,
    body: { metadata: { name: 'l' }, spec: { renewTime: '2024-01-02T03:04:05Z' } },
    expected: cannot('Lease', 'parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'),
  },
];

describe('values of the wrong type in built-in objects', () => {
  it.each(cases)('create: $name', async ({ url = CMS, body, expected }) => {
    const before = await revisionOf(t);
    expectStatus(await t.request('POST', url, body), expected);
    expect(await revisionOf(t)).toBe(before);
    // the server keeps serving
    expect((await t.request('GET', `${CMS}/existing`)).status).toBe(200);
  });

  it('update: the same 400, the stored object unchanged', async () => {
    const before = await revisionOf(t);
    const r = await t.request('PUT', `${CMS}/existing`, { metadata: { name: 'existing' }, data: { k: ['v'] } });
    expectStatus(r, cannot('ConfigMap', 'json: cannot unmarshal array into Go struct field ConfigMap.data of type string'));
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', `${CMS}/existing`)).json().data).toEqual({ k: 'v' });
  });

  const patchInvalid = (value: string | RegExp, detail: string) => ({
    kind: 'Status',
    status: 'Failure',
    reason: 'Invalid',
    code: 422,
    message: expect.stringMatching(new RegExp(`^ "" is invalid: patch: Invalid value: ${typeof value === 'string' ? escape(JSON.stringify(value)) : value.source}: ${escape(detail)}$`)),
    details: { causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: expect.stringMatching(new RegExp(`: ${escape(detail)}$`)) }] },
  });

  it.each([
    ['merge', MERGE, { data: { k: true } }, patchInvalid(/".*"/, 'json: cannot unmarshal bool into Go struct field ConfigMap.data of type string')],
    ['JSON', JSON_PATCH, [{ op: 'add', path: '/data/n', value: 1 }], patchInvalid(/".*"/, 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string')],
    // strategic: upstream prints the patch map with %+v and uses the unstructured converter's words
    ['strategic (bool)', STRATEGIC, { data: { k: true } }, patchInvalid('map[data:map[k:true]]', 'unrecognized type: string')],
    ['strategic (int)', STRATEGIC, { data: { k: 1 }, immutable: false }, patchInvalid('map[data:map[k:1] immutable:false]', 'cannot convert int64 to string')],
  ])('patch (%s): 422 on the field `patch`, nothing written', async (_name, headers, patch, expected) => {
    const before = await revisionOf(t);
    const r = await t.request('PATCH', `${CMS}/existing`, patch, headers);
    expect({ code: r.status, body: r.json() }).toEqual({ code: 422, body: expect.objectContaining(expected) });
    expect(await revisionOf(t)).toBe(before);
  });
});

describe('server-side apply of values of the wrong type', () => {
  const APPLY = { 'content-type': 'application/apply-patch+yaml' };
  it.each([
    ['a bool in configmap data', { data: { enabled: true } }, '.data.enabled: expected string, got &value.valueUnstructured{Value:true}'],
    ['data that is a string', { data: 'x' }, '.data: expected map, got &{x}'],
    ['a number as a label value', { metadata: { name: 'applied', namespace: 'ns', labels: { tier: 1 } } }, '.metadata.labels.tier: expected string, got &value.valueUnstructured{Value:1}'],
  ])('%s: a 500 without a reason, as upstream, nothing written', async (_name, fields, detail) => {
    const before = await revisionOf(t);
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'ns' }, ...fields };
    const r = await t.request('PATCH', `${CMS}/applied?fieldManager=kubectl`, body, APPLY);
    expectStatus(r, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `failed to create typed patch object (ns/applied; /v1, Kind=ConfigMap): ${detail}`, code: 500 });
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', `${CMS}/applied`)).status).toBe(404);
  });
});

describe('values decoded as the Go value encodes again', () => {
  it('null in a string map is "", not a 500', async () => {
    const r = await t.request('POST', CMS, { metadata: { name: 'nulls', annotations: { a: null } }, data: { k: null } });
    expect(r.status).toBe(201);
    const stored = (await t.request('GET', `${CMS}/nulls`)).json();
    expect(stored.data).toEqual({ k: '' });
    expect(stored.metadata.annotations).toMatchObject({ a: '' });
  });

  it('null fields are left out', async () => {
    const r = await t.request('POST', CMS, { metadata: { name: 'unset', labels: null }, data: null, immutable: null });
    expect(r.status).toBe(201);
    const stored = (await t.request('GET', `${CMS}/unset`)).json();
    expect(Object.keys(stored).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(stored.metadata.labels).toBeUndefined();
    const role = await t.request('POST', ROLES, { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: null }] });
    expect(role.status).toBe(201);
    expect(role.json().rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
  });

  it('timestamps are written in UTC, MicroTime with six digits', async () => {
    const r = await t.request('POST', LEASES, { metadata: { name: 'held' }, spec: { holderIdentity: 'a', renewTime: '2024-01-02T04:04:05.123456+01:00' } });
    expect(r.status).toBe(201);
    expect((await t.request('GET', `${LEASES}/held`)).json().spec.renewTime).toBe('2024-01-02T03:04:05.123456Z');
  });

  it('bytes given as a JSON array become base64', async () => {
    const r = await t.request('POST', CMS, { metadata: { name: 'bytes' }, binaryData: { b: [104, 105] } });
    expect(r.status).toBe(201);
    expect((await t.request('GET', `${CMS}/bytes`)).json().binaryData).toEqual({ b: 'aGk=' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
