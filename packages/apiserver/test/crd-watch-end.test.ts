// The watches of a custom resource end when it stops being served in their logical cluster (its CRD
// deleted, or the version no longer served), as upstream tears down the CRD's storage: informers relist
// and get 404 instead of following a resource that is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStreamResponse } from '../src/server/api-request';
import { eventually } from './bad-input-helpers';
import { startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CRD_NAME = 'gadgets.example.com';
const SCHEMA = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } };

function gadgetCrd(versions: Array<{ name: string; served: boolean; storage: boolean }>) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', kind: 'Gadget' }, versions: versions.map((v) => ({ ...v, schema: SCHEMA })) },
  };
}

const gadgets = (cluster: string, version = 'v1') => `/clusters/${cluster}/apis/example.com/${version}/namespaces/default/gadgets`;
const gadget = (name: string, version = 'v1') => ({ apiVersion: `example.com/${version}`, kind: 'Gadget', metadata: { name }, spec: { size: 1 } });

/** A cluster with a namespace and the gadgets CRD, established. */
async function clusterWithCrd(cluster: string, versions = [{ name: 'v1', served: true, storage: true }]): Promise<void> {
  await t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  expect((await t.request('POST', `/clusters/${cluster}${CRDS}`, gadgetCrd(versions))).status).toBe(201);
  await eventually(async () => (await t.request('GET', gadgets(cluster, versions[0]!.name))).status === 200, 3_000);
}

type Watch = Awaited<ReturnType<typeof openWatch>>;

/** A watch from resourceVersion 0, read in the background: its events, and whether the stream ended. */
async function openWatch(url: string) {
  const response = await t.request('GET', `${url}?watch=true&resourceVersion=0`);
  if (!isStreamResponse(response)) throw new Error(`not a watch: ${response.status}`);
  const watch = { events: [] as Array<{ type: string; object: { metadata: { name?: string } } }>, ended: false, abort: response.abort };
  void (async () => {
    for await (const line of response.stream) watch.events.push(JSON.parse(line) as (typeof watch.events)[number]);
    watch.ended = true;
  })();
  return watch;
}

const seen = (watch: Watch) => watch.events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);

describe('watches of a custom resource', () => {
  it('end after the deletions once the CRD is deleted, in that cluster only', async () => {
    await clusterWithCrd('end-a');
    await clusterWithCrd('end-b');
    for (const cluster of ['end-a', 'end-b']) expect((await t.request('POST', gadgets(cluster), gadget('g1'))).status).toBe(201);
    const deleted = await openWatch(gadgets('end-a'));
    const other = await openWatch(gadgets('end-b'));
    await eventually(async () => deleted.events.length === 1 && other.events.length === 1, 3_000);

    expect((await t.request('DELETE', `/clusters/end-a${CRDS}/${CRD_NAME}`)).status).toBe(200);
    await eventually(async () => deleted.ended, 3_000);
    // the CRD was Terminating while its custom resources were deleted: the watch saw that, then ended
    expect(seen(deleted)).toEqual(['ADDED g1', 'DELETED g1']);
    expect((await t.request('GET', gadgets('end-a'))).status).toBe(404);

    // the same resource in another cluster is still served, and so is its watch
    expect((await t.request('POST', gadgets('end-b'), gadget('g2'))).status).toBe(201);
    await eventually(async () => other.events.length === 2, 3_000);
    expect([seen(other), other.ended]).toEqual([['ADDED g1', 'ADDED g2'], false]);
    other.abort();
  });

  it('end when their version is no longer served, and so do those of the other versions (the spec changed)', async () => {
    await clusterWithCrd('end-v', [
      { name: 'v1', served: true, storage: true },
      { name: 'v1beta1', served: true, storage: false },
    ]);
    expect((await t.request('POST', gadgets('end-v'), gadget('g1'))).status).toBe(201);
    const beta = await openWatch(gadgets('end-v', 'v1beta1'));
    const stable = await openWatch(gadgets('end-v', 'v1'));
    await eventually(async () => beta.events.length === 1 && stable.events.length === 1, 3_000);

    const crd = (await t.request('GET', `/clusters/end-v${CRDS}/${CRD_NAME}`)).json() as ReturnType<typeof gadgetCrd>;
    const updated = { ...crd, spec: { ...crd.spec, versions: crd.spec.versions.map((v) => (v.name === 'v1beta1' ? { ...v, served: false } : v)) } };
    expect((await t.request('PUT', `/clusters/end-v${CRDS}/${CRD_NAME}`, updated)).status).toBe(200);
    await eventually(async () => beta.ended && stable.ended, 3_000);
    expect([seen(beta), seen(stable)]).toEqual([['ADDED g1'], ['ADDED g1']]);
    expect((await t.request('GET', gadgets('end-v', 'v1beta1'))).status).toBe(404);

    // a new watch of the served version follows the new type
    const again = await openWatch(gadgets('end-v', 'v1'));
    expect((await t.request('POST', gadgets('end-v'), gadget('g2'))).status).toBe(201);
    await eventually(async () => again.events.length === 2, 3_000);
    expect([seen(again), again.ended]).toEqual([['ADDED g1', 'ADDED g2'], false]);
    again.abort();
  });
});
