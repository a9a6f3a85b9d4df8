import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, type TestServer, configMap, expectStatus, failure, revisionOf, startBadInputServer } from './bad-input-helpers';

/**
 * Issue 4, URLs: paths that address nothing, methods a path does not take,
 * invalid logical cluster names and wildcard requests are answered exactly
 * as kube-apiserver (and kcp's handler chain) answer them; nothing is written.
 */
let t: TestServer;
const C = '/clusters/urls';
const CMS = `${C}/api/v1/namespaces/ns/configmaps`;

/** What kube-apiserver's router answers for a path nothing serves. */
const NOT_FOUND = failure(404, 'NotFound', 'the server could not find the requested resource', {});
/** What kube-apiserver's router answers for a served path and a method it does not take. */
const METHOD_NOT_ALLOWED = failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

beforeAll(async () => {
  t = await startBadInputServer();
  expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'ns' } })).status).toBe(201);
  expect((await t.request('POST', CMS, configMap('existing'))).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

interface Case {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  token?: string;
  expected: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'an invalid logical cluster name',
    method: 'GET',
    url: '/clusters/Bad_Cluster/api/v1/namespaces',
    expected: failure(400, 'BadRequest', 'invalid cluster: "Bad_Cluster" does not match the regex'),
  },
  {
    name: 'an invalid logical cluster path',
    method: 'POST',
    url: '/clusters/root:-x/api/v1/namespaces',
    body: { metadata: { name: 'x' } },
    expected: failure(400, 'BadRequest', 'invalid cluster: "root:-x" does not match the regex'),
  },
  { name: 'an unknown resource', method: 'GET', url: `${C}/api/v1/gadgets`, expected: NOT_FOUND },
  { name: 'an unknown namespaced resource', method: 'POST', url: `${C}/api/v1/namespaces/ns/gadgets`, body: {}, expected: NOT_FOUND },
  { name: 'an unknown group', method: 'GET', url: `${C}/apis/gadgets.example.com/v1/gadgets`, expected: NOT_FOUND },
  { name: 'an unknown version', method: 'GET', url: `${C}/api/v2/configmaps`, expected: NOT_FOUND },
  { name: 'an unknown version of a known group', method: 'GET', url: `${C}/apis/rbac.authorization.k8s.io/v1beta7/roles`, expected: NOT_FOUND },
  { name: 'discovery of an unknown group', method: 'GET', url: `${C}/apis/gadgets.example.com`, expected: NOT_FOUND },
  { name: 'discovery of an unknown version', method: 'GET', url: `${C}/api/v2`, expected: NOT_FOUND },
  { name: 'an unknown subresource', method: 'GET', url: `${CMS}/existing/gadget`, expected: NOT_FOUND },
  { name: 'a write to an unknown subresource', method: 'PUT', url: `${CMS}/existing/status`, body: configMap('existing'), expected: NOT_FOUND },
  { name: 'a path below a subresource', method: 'GET', url: `${C}/api/v1/namespaces/ns/status/x`, expected: NOT_FOUND },
  { name: 'a named namespaced object without a namespace', method: 'GET', url: `${C}/api/v1/configmaps/existing`, expected: NOT_FOUND },
  { name: 'an unknown non-resource path', method: 'GET', url: `${C}/gadgets`, expected: NOT_FOUND },
  { name: 'an API path without /clusters/', method: 'GET', url: '/api/v1/namespaces', expected: NOT_FOUND },
  { name: 'discovery without /clusters/', method: 'GET', url: '/apis', expected: NOT_FOUND },
  { name: 'a malformed percent-escape', method: 'GET', url: `${CMS}/%zz`, expected: failure(400, 'BadRequest', 'invalid URL escape "%zz"') },
  { name: 'a percent sign ending the path', method: 'DELETE', url: `${CMS}/existing%`, expected: failure(400, 'BadRequest', 'invalid URL escape "%"') },
  {
    name: 'an escaped logical cluster name that is not UTF-8',
    method: 'GET',
    url: '/clusters/%FF/api/v1/namespaces',
    expected: failure(400, 'BadRequest', 'invalid cluster: "\ufffd" does not match the regex'),
  },
  {
    name: 'an escaped name that names nothing',
    method: 'GET',
    url: `${CMS}/%E2%82%AC`,
    expected: failure(404, 'NotFound', 'configmaps "\u20ac" not found', { name: '\u20ac', kind: 'configmaps' }),
  },
  {
    name: 'an escaped NUL in a name (no stored object can have one)',
    method: 'DELETE',
    url: `${CMS}/a%00`,
    expected: failure(404, 'NotFound', 'configmaps "a\\x00" not found', { name: 'a\u0000', kind: 'configmaps' }),
  },
  {
    name: 'a create of an RBAC name with NUL (upstream stores it; no kcp-ts store takes such a key)',
    method: 'POST',
    url: `${C}/apis/rbac.authorization.k8s.io/v1/clusterroles`,
    body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a\u0000b' } },
    expected: failure(400, 'BadRequest', 'clusterroles.rbac.authorization.k8s.io "a\\x00b" cannot be stored: a name may not contain NUL'),
  },
  { name: 'PUT on a collection', method: 'PUT', url: CMS, body: configMap('existing'), expected: METHOD_NOT_ALLOWED },
  { name: 'PATCH on a collection', method: 'PATCH', url: CMS, body: {}, expected: METHOD_NOT_ALLOWED },
  { name: 'POST to a named object', method: 'POST', url: `${CMS}/existing`, body: configMap('existing'), expected: METHOD_NOT_ALLOWED },
  { name: 'DELETE of all namespaces', method: 'DELETE', url: `${C}/api/v1/namespaces`, expected: METHOD_NOT_ALLOWED },
  { name: 'GET of a review kind', method: 'GET', url: `${C}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, expected: METHOD_NOT_ALLOWED },
  { name: 'DELETE of a status subresource', method: 'DELETE', url: `${C}/api/v1/namespaces/ns/status`, expected: METHOD_NOT_ALLOWED },
  {
    name: 'a create in the wildcard cluster',
    method: 'POST',
    url: '/clusters/*/api/v1/namespaces/ns/configmaps',
    body: configMap('x'),
    expected: failure(405, 'MethodNotAllowed', 'create is not supported on resources of kind "configmaps" in the `*` logical cluster', { kind: 'configmaps' }),
  },
  {
    name: 'an update in the wildcard cluster',
    method: 'PUT',
    url: '/clusters/*/api/v1/namespaces/ns/configmaps/existing',
    body: configMap('existing'),
    expected: failure(405, 'MethodNotAllowed', 'update is not supported on resources of kind "configmaps" in the `*` logical cluster', { kind: 'configmaps' }),
  },
  {
    name: 'a delete in the wildcard cluster',
    method: 'DELETE',
    url: '/clusters/*/apis/rbac.authorization.k8s.io/v1/clusterroles/x',
    expected: failure(405, 'MethodNotAllowed', 'delete is not supported on resources of kind "clusterroles.rbac.authorization.k8s.io" in the `*` logical cluster', {
      group: 'rbac.authorization.k8s.io',
      kind: 'clusterroles',
    }),
  },
  {
    name: 'a get in the wildcard cluster',
    method: 'GET',
    url: '/clusters/*/api/v1/namespaces/ns/configmaps/existing',
    expected: failure(405, 'MethodNotAllowed', 'get is not supported on resources of kind "configmaps" in the `*` logical cluster', { kind: 'configmaps' }),
  },
  {
    name: 'a wildcard list by a user who is not system:masters',
    method: 'GET',
    url: '/clusters/*/api/v1/configmaps',
    token: TOKENS.alice,
    expected: failure(403, 'Forbidden', 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" at the cluster scope', {
      kind: 'configmaps',
    }),
  },
  {
    name: 'a wildcard watch by a kcp admin who is not system:masters',
    method: 'GET',
    url: '/clusters/*/api/v1/configmaps?watch=true',
    token: TOKENS.kcpAdmin,
    expected: failure(403, 'Forbidden', 'configmaps is forbidden: User "kcp-admin" cannot watch resource "configmaps" in API group "" at the cluster scope', {
      kind: 'configmaps',
    }),
  },
];

describe('bad URLs', () => {
  it.each(cases)('$name', async ({ method, url, body, token, expected }) => {
    const before = await revisionOf(t);
    const r = await t.request(method, url, body, {}, token);
    expectStatus(r, expected);
    expect(await revisionOf(t)).toBe(before);
    const ok = await t.request('GET', `${CMS}/existing`);
    expect(ok.status).toBe(200);
  });

  it('decodes escapes in the path as upstream routes on it: names, and %2F as a slash', async () => {
    const roles = `${C}/apis/rbac.authorization.k8s.io/v1/clusterroles`;
    for (const name of ['my role', 'r\u00fcle:x+y']) {
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] };
      expect((await t.request('POST', roles, role)).status).toBe(201);
      const url = `${roles}/${encodeURIComponent(name)}`;
      expect((await t.request('GET', url)).json().metadata.name).toBe(name);
      expect((await t.request('PUT', url, { ...role, metadata: { name, labels: { x: 'y' } } })).json().metadata.labels).toEqual({ x: 'y' });
      expect((await t.request('DELETE', url)).status).toBe(200);
      expect((await t.request('GET', url)).status).toBe(404);
    }
    expect((await t.request('GET', `${CMS}%2Fexisting`)).json().metadata.name).toBe('existing');
    expect((await t.request('GET', `${C}/api/v1/namespaces/n%00s/configmaps`)).json().items).toEqual([]);
    expect((await t.request('GET', `${CMS}/a%00`)).status).toBe(404);
    expect((await t.request('GET', `/clusters/urls%2Fapi/v1/namespaces/ns/configmaps/existing`)).json().metadata.name).toBe('existing');
  });

  it('serves wildcard lists to system:masters, across logical clusters', async () => {
    expect((await t.request('POST', '/clusters/urls-other/api/v1/namespaces', { metadata: { name: 'ns' } })).status).toBe(201);
    expect((await t.request('POST', '/clusters/urls-other/api/v1/namespaces/ns/configmaps', configMap('elsewhere'))).status).toBe(201);
    const r = await t.request('GET', '/clusters/*/api/v1/configmaps');
    expect(r.status).toBe(200);
    const names = r.json().items.map((i: any) => `${i.metadata.annotations['kcp.io/cluster']}/${i.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['urls/existing', 'urls-other/elsewhere']));
  });

  it('lets the kcp admin group (bootstrap policy) do everything inside a logical cluster', async () => {
    const r = await t.request('POST', CMS, configMap('by-kcp-admin'), {}, TOKENS.kcpAdmin);
    expect(r.status).toBe(201);
    expect((await t.request('GET', `${C}/api/v1/namespaces`, undefined, {}, TOKENS.kcpAdmin)).status).toBe(200);
  });
});
