import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents, startTestServer, USER_TOKEN } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const cm = (name: string, data: Record<string, string> = { a: 'b' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('REST over one logical cluster', () => {
  it('creates, gets, lists, updates and deletes a configmap', async () => {
    let r = await t.request('POST', '/clusters/c1/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    expect(r.status).toBe(201);
    expect(r.json().status.phase).toBe('Active');
    r = await t.request('POST', '/clusters/c1/api/v1/namespaces/demo/configmaps', cm('c1'));
    expect(r.status).toBe(201);
    const created = r.json();
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.annotations['kcp.io/cluster']).toBe('c1');
    expect(created.metadata.creationTimestamp).toMatch(/Z$/);

    r = await t.request('GET', '/clusters/c1/api/v1/namespaces/demo/configmaps/c1');
    expect(r.json().data).toEqual({ a: 'b' });

    r = await t.request('PUT', '/clusters/c1/api/v1/namespaces/demo/configmaps/c1', { ...created, data: { a: 'c' } });
    expect(r.status).toBe(200);
    expect(Number(r.json().metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));

    // stale resourceVersion → 409 Conflict
    r = await t.request('PUT', '/clusters/c1/api/v1/namespaces/demo/configmaps/c1', { ...created, data: { a: 'd' } });
    expect(r.status).toBe(409);
    expect(r.json().reason).toBe('Conflict');

    r = await t.request('GET', '/clusters/c1/api/v1/namespaces/demo/configmaps?limit=500');
    expect(r.json().kind).toBe('ConfigMapList');
    expect(r.json().items.map((i: any) => i.metadata.name)).toEqual(['c1']);

    r = await t.request('DELETE', '/clusters/c1/api/v1/namespaces/demo/configmaps/c1', { propagationPolicy: 'Background' });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'c1', kind: 'configmaps' } });
    r = await t.request('GET', '/clusters/c1/api/v1/namespaces/demo/configmaps/c1');
    expect(r.status).toBe(404);
    expect(r.json().message).toBe('configmaps "c1" not found');
  });

  it('leaves out empty metadata maps, lists and strings, as Go encodes ObjectMeta (omitempty): on create, update and patch', async () => {
    await t.request('POST', '/clusters/c1/api/v1/namespaces', { metadata: { name: 'omit' } });
    const url = '/clusters/c1/api/v1/namespaces/omit/configmaps';
    let r = await t.request('POST', url, { metadata: { name: 'e', labels: {}, finalizers: [], ownerReferences: [], generateName: '' }, data: {} });
    expect(r.status).toBe(201);
    const created = r.json();
    expect(Object.keys(created.metadata).sort()).toEqual(['annotations', 'creationTimestamp', 'managedFields', 'name', 'namespace', 'resourceVersion', 'uid']);
    // an empty labels map added by a patch is no change: nothing is written
    r = await t.request('PATCH', `${url}/e`, [{ op: 'add', path: '/metadata/labels', value: {} }], { 'content-type': 'application/json-patch+json' });
    expect(r.status).toBe(200);
    expect(r.json().metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(r.json().metadata.labels).toBeUndefined();
    // the last finalizer removed: no empty list is left
    r = await t.request('PUT', `${url}/e`, { ...created, metadata: { ...created.metadata, finalizers: ['example.com/f'] } });
    expect(r.json().metadata.finalizers).toEqual(['example.com/f']);
    r = await t.request('PATCH', `${url}/e`, { metadata: { finalizers: [] } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.json().metadata).not.toHaveProperty('finalizers');
    expect(JSON.stringify((await t.request('GET', `${url}/e`)).json().metadata)).not.toContain('finalizers');
  });

  it('isolates logical clusters', async () => {
    await t.request('POST', '/clusters/iso-a/api/v1/namespaces', { metadata: { name: 'x' } });
    await t.request('POST', '/clusters/iso-a/api/v1/namespaces/x/configmaps', cm('only-in-a'));
    const r = await t.request('GET', '/clusters/iso-b/api/v1/configmaps');
    expect(r.json().items).toEqual([]);
  });

  it('watches with synthetic ADDED events and then changes', async () => {
    await t.request('POST', '/clusters/w1/api/v1/namespaces', { metadata: { name: 'ns' } });
    await t.request('POST', '/clusters/w1/api/v1/namespaces/ns/configmaps', cm('first'));
    const watch = await t.request('GET', '/clusters/w1/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=0');
    const pending = readEvents(watch, 2);
    await t.request('POST', '/clusters/w1/api/v1/namespaces/ns/configmaps', cm('second'));
    const events = await pending;
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'first'], ['ADDED', 'second']]);
    watch.abort();
  });

  it('watches with sendInitialEvents=false from now on, without the history (RV unset and 0)', async () => {
    const url = '/clusters/w2/api/v1/namespaces/ns/configmaps';
    await t.request('POST', '/clusters/w2/api/v1/namespaces', { metadata: { name: 'ns' } });
    await t.request('POST', url, cm('old'));
    await t.request('DELETE', `${url}/old`);
    await t.request('POST', url, cm('kept'));
    for (const rv of ['', '&resourceVersion=0']) {
      const watch = await t.request('GET', `${url}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan${rv}`);
      const pending = readEvents(watch, 1);
      await t.request('PATCH', `${url}/kept`, { data: { rv } }, { 'content-type': 'application/merge-patch+json' });
      expect((await pending).map((e) => [e.type, e.object.metadata.name, e.object.data.rv])).toEqual([['MODIFIED', 'kept', rv]]);
      watch.abort();
    }
  });

  it('watches on the deprecated /watch/ paths: a collection, and one object whose field selector must name it', async () => {
    await t.request('POST', '/clusters/w3/api/v1/namespaces', { metadata: { name: 'ns' } });
    await t.request('POST', '/clusters/w3/api/v1/namespaces/ns/configmaps', cm('a'));
    const collection = await t.request('GET', '/clusters/w3/api/v1/watch/namespaces/ns/configmaps');
    const one = await t.request('GET', '/clusters/w3/api/v1/watch/namespaces/ns/configmaps/b?fieldSelector=metadata.name%3Db');
    const pending = [readEvents(collection, 2), readEvents(one, 1)];
    await t.request('POST', '/clusters/w3/api/v1/namespaces/ns/configmaps', cm('b'));
    const [all, single] = await Promise.all(pending);
    expect(all!.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'a'], ['ADDED', 'b']]);
    expect(single!.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'b']]);
    collection.abort();
    one.abort();
    const mismatch = await t.request('GET', '/clusters/w3/api/v1/watch/namespaces/ns/configmaps/b?fieldSelector=metadata.name%3Da');
    expect([mismatch.status, mismatch.json().reason, mismatch.json().message]).toEqual([400, 'BadRequest', "fieldSelector metadata.name doesn't match requested name"]);
  });

  it('answers 401 without credentials and 403 for a user without RBAC', async () => {
    let r = await t.request('GET', '/clusters/c1/api/v1/namespaces', undefined, { authorization: '' });
    expect(r.status).toBe(401);
    r = await t.request('GET', '/clusters/c1/api/v1/namespaces/demo/configmaps', undefined, {}, USER_TOKEN);
    expect(r.status).toBe(403);
    expect(r.json().message).toBe('configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "demo"');
  });
});
