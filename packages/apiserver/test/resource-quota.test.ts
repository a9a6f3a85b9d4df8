import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, eventually, expectStatus, failure, revisionOf } from './bad-input-helpers';
import { USER_TOKEN, startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const ns = (cluster: string, name: string) => t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const quotas = (cluster: string, namespace: string) => `/clusters/${cluster}/api/v1/namespaces/${namespace}/resourcequotas`;
const configmaps = (cluster: string, namespace: string) => `/clusters/${cluster}/api/v1/namespaces/${namespace}/configmaps`;
const quota = (name: string, hard: Record<string, string>, extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}) => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { hard, ...extra.spec },
});

async function statusOf(cluster: string, namespace: string, name: string): Promise<{ hard?: Record<string, string>; used?: Record<string, string> }> {
  const r = await t.request('GET', `${quotas(cluster, namespace)}/${name}`);
  return r.json().status ?? {};
}

/** Waits until the quota controller has counted: `status.used` is `used`. */
async function usedBecomes(cluster: string, namespace: string, name: string, used: Record<string, string>): Promise<void> {
  const sorted = (list: Record<string, string> | undefined) => JSON.stringify(Object.entries(list ?? {}).sort());
  await eventually(async () => sorted((await statusOf(cluster, namespace, name)).used) === sorted(used), 4_000);
}

describe('ResourceQuota object counts', () => {
  it('counts what is there, refuses a create past the limit with upstream’s 403 and writes nothing', async () => {
    await ns('q1', 'team');
    await t.request('POST', configmaps('q1', 'team'), configMap('one'));
    const created = await t.request('POST', quotas('q1', 'team'), quota('objects', { 'count/configmaps': '2', configmaps: '2', secrets: '1', 'requests.cpu': '2' }));
    expect(created.status).toBe(201);
    // a create starts with an empty status (Go writes the struct); the controller fills it in
    expect(created.json().status).toEqual({});
    await usedBecomes('q1', 'team', 'objects', { configmaps: '1', 'count/configmaps': '1', 'requests.cpu': '0', secrets: '0' });
    expect((await statusOf('q1', 'team', 'objects')).hard).toEqual({ configmaps: '2', 'count/configmaps': '2', 'requests.cpu': '2', secrets: '1' });

    expect((await t.request('POST', configmaps('q1', 'team'), configMap('two'))).status).toBe(201);
    // the create was charged before it was written
    expect((await statusOf('q1', 'team', 'objects')).used).toMatchObject({ configmaps: '2', 'count/configmaps': '2' });

    const before = await revisionOf(t);
    const refused = await t.request('POST', configmaps('q1', 'team'), configMap('three'));
    expectStatus(
      refused,
      failure(
        403,
        'Forbidden',
        'configmaps "three" is forbidden: exceeded quota: objects, requested: configmaps=1,count/configmaps=1, used: configmaps=2,count/configmaps=2, limited: configmaps=2,count/configmaps=2',
        { name: 'three', kind: 'configmaps' },
      ),
    );
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', `${configmaps('q1', 'team')}/three`)).status).toBe(404);
    // other namespaces and other logical clusters are not limited by it
    await ns('q1', 'other');
    expect((await t.request('POST', configmaps('q1', 'other'), configMap('three'))).status).toBe(201);
    await ns('q1-elsewhere', 'team');
    for (const name of ['a', 'b', 'c']) expect((await t.request('POST', configmaps('q1-elsewhere', 'team'), configMap(name))).status).toBe(201);

    // kubectl get quota: the Request column
    const table = await t.request('GET', quotas('q1', 'team'), undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json().columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Age', 'Request', 'Limit']);
    expect(table.json().rows[0].cells[2]).toBe('configmaps: 2/2, count/configmaps: 2/2, requests.cpu: 0/2, secrets: 0/1');
  });

  it('gives back what a delete frees', async () => {
    await ns('q2', 'team');
    await t.request('POST', quotas('q2', 'team'), quota('objects', { 'count/configmaps': '1' }));
    await usedBecomes('q2', 'team', 'objects', { 'count/configmaps': '0' });
    expect((await t.request('POST', configmaps('q2', 'team'), configMap('one'))).status).toBe(201);
    expect((await t.request('POST', configmaps('q2', 'team'), configMap('two'))).status).toBe(403);
    expect((await t.request('DELETE', `${configmaps('q2', 'team')}/one`)).status).toBe(200);
    await usedBecomes('q2', 'team', 'objects', { 'count/configmaps': '0' });
    expect((await t.request('POST', configmaps('q2', 'team'), configMap('two'))).status).toBe(201);
  });

  it('lets exactly as many racing creates through as the limit allows', async () => {
    await ns('q3', 'team');
    await t.request('POST', quotas('q3', 'team'), quota('objects', { 'count/configmaps': '5' }));
    await usedBecomes('q3', 'team', 'objects', { 'count/configmaps': '0' });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => t.request('POST', configmaps('q3', 'team'), configMap(`c${i}`))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 403)).toHaveLength(7);
    const list = await t.request('GET', configmaps('q3', 'team'));
    expect(list.json().items).toHaveLength(5);
    expect((await statusOf('q3', 'team', 'objects')).used).toEqual({ 'count/configmaps': '5' });
  });

  it('checks a dry run without charging it, and leaves scoped quotas out of object counts', async () => {
    await ns('q4', 'team');
    await t.request('POST', quotas('q4', 'team'), quota('objects', { 'count/configmaps': '1' }));
    await t.request('POST', quotas('q4', 'team'), quota('pods-only', { 'count/configmaps': '0' }, { spec: { scopes: ['BestEffort'] } }));
    await usedBecomes('q4', 'team', 'objects', { 'count/configmaps': '0' });
    await usedBecomes('q4', 'team', 'pods-only', { 'count/configmaps': '0' });
    expect((await t.request('POST', `${configmaps('q4', 'team')}?dryRun=All`, configMap('one'))).status).toBe(201);
    expect((await statusOf('q4', 'team', 'objects')).used).toEqual({ 'count/configmaps': '0' });
    expect((await t.request('POST', configmaps('q4', 'team'), configMap('one'))).status).toBe(201);
    expect((await t.request('POST', `${configmaps('q4', 'team')}?dryRun=All`, configMap('two'))).status).toBe(403);
  });

  it('counts custom resources by count/<resource>.<group>', async () => {
    await ns('q5', 'team');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'sheriffs.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'sheriffs', singular: 'sheriff', kind: 'Sheriff' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    expect((await t.request('POST', '/clusters/q5/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    const sheriffs = '/clusters/q5/apis/example.com/v1/namespaces/team/sheriffs';
    await eventually(async () => (await t.request('GET', sheriffs)).status === 200, 5_000);
    await t.request('POST', sheriffs, { apiVersion: 'example.com/v1', kind: 'Sheriff', metadata: { name: 'wyatt' } });
    await t.request('POST', quotas('q5', 'team'), quota('sheriffs', { 'count/sheriffs.example.com': '2' }));
    await usedBecomes('q5', 'team', 'sheriffs', { 'count/sheriffs.example.com': '1' });
    expect((await t.request('POST', sheriffs, { apiVersion: 'example.com/v1', kind: 'Sheriff', metadata: { name: 'doc' } })).status).toBe(201);
    const refused = await t.request('POST', sheriffs, { apiVersion: 'example.com/v1', kind: 'Sheriff', metadata: { name: 'virgil' } });
    expectStatus(
      refused,
      failure(
        403,
        'Forbidden',
        'sheriffs.example.com "virgil" is forbidden: exceeded quota: sheriffs, requested: count/sheriffs.example.com=1, used: count/sheriffs.example.com=2, limited: count/sheriffs.example.com=2',
        { name: 'virgil', group: 'example.com', kind: 'sheriffs' },
      ),
    );
  });

  it('with kcp’s cluster-scoped annotation in the admin namespace, counts the whole logical cluster', async () => {
    await ns('q6', 'admin');
    await ns('q6', 'team');
    await t.request('POST', configmaps('q6', 'team'), configMap('one'));
    await t.request(
      'POST',
      quotas('q6', 'admin'),
      quota('cluster-scoped', { 'count/configmaps': '2', 'count/namespaces': '2' }, { annotations: { 'experimental.quota.kcp.io/cluster-scoped': 'true' } }),
    );
    // namespaces admin and team
    await usedBecomes('q6', 'admin', 'cluster-scoped', { 'count/configmaps': '1', 'count/namespaces': '2' });
    expect((await t.request('POST', configmaps('q6', 'admin'), configMap('two'))).status).toBe(201);
    expect((await t.request('POST', configmaps('q6', 'team'), configMap('three'))).status).toBe(403);
    const refused = await ns('q6', 'more');
    expectStatus(
      refused,
      failure(403, 'Forbidden', 'namespaces "more" is forbidden: exceeded quota: cluster-scoped, requested: count/namespaces=1, used: count/namespaces=2, limited: count/namespaces=2', {
        name: 'more',
        kind: 'namespaces',
      }),
    );
  });
});

describe('ResourceQuota access', () => {
  it('is readable, status included, with the view role (as in edit), and not writable with edit', async () => {
    await ns('qrbac', 'team');
    await t.request('POST', quotas('qrbac', 'team'), quota('objects', { 'count/secrets': '1' }));
    await t.request('POST', '/clusters/qrbac/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-edits' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    });
    await eventually(async () => (await t.request('GET', `${quotas('qrbac', 'team')}/objects/status`, undefined, {}, USER_TOKEN)).status === 200);
    expect((await t.request('GET', quotas('qrbac', 'team'), undefined, {}, USER_TOKEN)).status).toBe(200);
    expectStatus(
      await t.request('POST', quotas('qrbac', 'team'), quota('mine', { 'count/secrets': '9' }), {}, USER_TOKEN),
      failure(403, 'Forbidden', 'resourcequotas is forbidden: User "alice" cannot create resource "resourcequotas" in API group "" in the namespace "team"', {
        kind: 'resourcequotas',
      }),
    );
  });
});

describe('ResourceQuota bad input', () => {
  it('refuses a malformed quantity (400), an unknown resource name and a fractional count (422), writing nothing', async () => {
    await ns('qbad', 'team');
    const before = await revisionOf(t);
    expectStatus(
      await t.request('POST', quotas('qbad', 'team'), quota('q', { 'count/configmaps': 'lots' })),
      failure(
        400,
        'BadRequest',
        `ResourceQuota in version "v1" cannot be handled as a ResourceQuota: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      ),
    );
    const invalid = await t.request('POST', quotas('qbad', 'team'), quota('q', { widgets: '1', 'count/secrets': '1.5' }));
    expect(invalid.status).toBe(422);
    expect(invalid.json().message).toBe(
      'ResourceQuota "q" is invalid: [spec.hard[count/secrets]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer, ' +
        'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified, spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota]',
    );
    expect(await revisionOf(t)).toBe(before);
    // server-side apply: Go's field manager converts the result back to the Go type
    const applyQuota = (hard: Record<string, string>) =>
      t.request('PATCH', `${quotas('qbad', 'team')}/applied?fieldManager=me`, JSON.stringify(quota('applied', hard)), { 'content-type': 'application/apply-patch+yaml' });
    const beforeApply = await revisionOf(t);
    expectStatus(
      await applyQuota({ 'count/secrets': 'lots' }),
      failure(
        500,
        'InternalError',
        `Internal error occurred: failed to convert new object (/applied; /v1, Kind=ResourceQuota) to proper version: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
        { causes: [{ message: `failed to convert new object (/applied; /v1, Kind=ResourceQuota) to proper version: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` }] },
      ),
    );
    expect(await revisionOf(t)).toBe(beforeApply);
    const applied = await applyQuota({ 'count/secrets': '1000', 'requests.memory': '1024Mi' });
    expect(applied.status).toBe(201);
    expect(applied.json().spec.hard).toEqual({ 'count/secrets': '1k', 'requests.memory': '1Gi' });
    // a quota's scopes cannot change
    await t.request('POST', quotas('qbad', 'team'), quota('pods', { pods: '1' }, { spec: { scopes: ['BestEffort'] } }));
    const changed = await t.request('PATCH', `${quotas('qbad', 'team')}/pods`, { spec: { scopes: ['NotBestEffort'] } }, { 'content-type': 'application/merge-patch+json' });
    expect(changed.status).toBe(422);
    expect(changed.json().message).toBe('ResourceQuota "pods" is invalid: spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotBestEffort"}: field is immutable');
  });
});

describe('LimitRange', () => {
  it('is stored, named by the server when sent without a name', async () => {
    await ns('lr', 'team');
    const body = { apiVersion: 'v1', kind: 'LimitRange', metadata: {}, spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] } };
    const r = await t.request('POST', '/clusters/lr/api/v1/namespaces/team/limitranges', body);
    expect(r.status).toBe(201);
    expect(r.json().metadata.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(r.json().spec.limits[0].default).toEqual({ cpu: '500m' });
  });
});
