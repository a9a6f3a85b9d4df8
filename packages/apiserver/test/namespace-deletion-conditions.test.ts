import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, closeWatch, configMap, eventually, readWatch, startBadInputServer } from './bad-input-helpers';

/**
 * The status conditions kube's namespace controller writes on a terminating
 * namespace whose content is held by finalizers, and the write it spares a
 * namespace whose content goes at once.
 */
let t: TestServer;
const C = '/clusters/nsconditions';
const NSS = `${C}/api/v1/namespaces`;
const CRDS = `${C}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;
const MERGE = { 'content-type': 'application/merge-patch+json' };
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

beforeAll(async () => {
  t = await startBadInputServer();
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
  expect((await t.request('POST', CRDS, crd)).status).toBe(201);
  await eventually(async () => {
    const { status } = (await t.request('GET', `${CRDS}/widgets.example.com`)).json();
    return (status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
  }, 5_000);
});
afterAll(async () => {
  await t.stop();
});

const FINE = {
  NamespaceDeletionDiscoveryFailure: ['False', 'ResourcesDiscovered', 'All resources successfully discovered'],
  NamespaceDeletionGroupVersionParsingFailure: ['False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  NamespaceDeletionContentFailure: ['False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  NamespaceContentRemaining: ['False', 'ContentRemoved', 'All content successfully removed'],
  NamespaceFinalizersRemaining: ['False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
} as const;

function expected(overrides: Partial<Record<keyof typeof FINE, readonly [string, string, string]>>) {
  return Object.entries({ ...FINE, ...overrides }).map(([type, [status, reason, message]]) => ({ type, status, lastTransitionTime: expect.stringMatching(TIME), reason, message }));
}

async function namespaceConditions(name: string): Promise<unknown[] | undefined> {
  return (await t.request('GET', `${NSS}/${name}`)).json().status?.conditions;
}

describe('namespace deletion conditions', () => {
  it('say which resources and finalizers hold a terminating namespace, and the namespace goes once they are released', async () => {
    expect((await t.request('POST', NSS, { metadata: { name: 'held' } })).status).toBe(201);
    expect((await t.request('POST', `${NSS}/held/configmaps`, configMap('held', {}, { finalizers: ['example.com/hold'] }))).status).toBe(201);
    for (const name of ['w1', 'w2']) {
      const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, finalizers: ['example.com/widget-hold'] } };
      expect((await t.request('POST', `${C}/apis/example.com/v1/namespaces/held/widgets`, widget)).status).toBe(201);
    }
    expect((await t.request('POST', `${NSS}/held/secrets`, { metadata: { name: 'goes' }, stringData: { k: 'v' } })).status).toBe(201);
    expect((await t.request('DELETE', `${NSS}/held`)).status).toBe(200);

    const holding = expected({
      NamespaceContentRemaining: ['True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances, widgets.example.com has 2 resource instances'],
      NamespaceFinalizersRemaining: [
        'True',
        'SomeFinalizersRemain',
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances, example.com/widget-hold in 2 resource instances',
      ],
    });
    await eventually(async () => (await namespaceConditions('held'))?.length === 5);
    const held = (await t.request('GET', `${NSS}/held`)).json();
    expect(held.status).toEqual({ phase: 'Terminating', conditions: holding });
    expect(held.spec).toEqual({ finalizers: ['kubernetes'] });
    expect((await t.request('GET', `${NSS}/held/secrets/goes`)).status).toBe(404);

    // one widget released: the counts follow, the transition times stay
    const before = held.status.conditions as Array<{ lastTransitionTime: string }>;
    expect((await t.request('PATCH', `${C}/apis/example.com/v1/namespaces/held/widgets/w1`, { metadata: { finalizers: null } }, MERGE)).status).toBe(200);
    const fewer = expected({
      NamespaceContentRemaining: ['True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances, widgets.example.com has 1 resource instances'],
      NamespaceFinalizersRemaining: [
        'True',
        'SomeFinalizersRemain',
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances, example.com/widget-hold in 1 resource instances',
      ],
    });
    await eventually(async () => JSON.stringify(await namespaceConditions('held')).includes('widgets.example.com has 1 resource instances'), 10_000);
    const after = await namespaceConditions('held');
    expect(after).toEqual(fewer);
    expect((after as Array<{ lastTransitionTime: string }>).map((c) => c.lastTransitionTime)).toEqual(before.map((c) => c.lastTransitionTime));

    // every finalizer released: the namespace goes
    expect((await t.request('PATCH', `${C}/apis/example.com/v1/namespaces/held/widgets/w2`, { metadata: { finalizers: null } }, MERGE)).status).toBe(200);
    expect((await t.request('PATCH', `${NSS}/held/configmaps/held`, { metadata: { finalizers: null } }, MERGE)).status).toBe(200);
    await eventually(async () => (await t.request('GET', `${NSS}/held`)).status === 404, 10_000);
  });

  it('are all False on a namespace that another spec finalizer keeps after its content went', async () => {
    expect((await t.request('POST', NSS, { metadata: { name: 'kept' }, spec: { finalizers: ['example.com/ns-hold'] } })).status).toBe(201);
    expect((await t.request('POST', `${NSS}/kept/configmaps`, configMap('plain'))).status).toBe(201);
    expect((await t.request('DELETE', `${NSS}/kept`)).status).toBe(200);
    await eventually(async () => (await t.request('GET', `${NSS}/kept`)).json().spec?.finalizers?.length === 1, 10_000);
    const kept = (await t.request('GET', `${NSS}/kept`)).json();
    expect(kept.spec).toEqual({ finalizers: ['example.com/ns-hold'] });
    expect(kept.status).toEqual({ phase: 'Terminating', conditions: expected({}) });
  });

  it('are not written on a namespace whose content goes in the first pass (no write before it is deleted)', async () => {
    expect((await t.request('POST', NSS, { metadata: { name: 'quick' } })).status).toBe(201);
    const created = (await t.request('POST', `${NSS}/quick/configmaps`, configMap('plain'))).json();
    const watch = await t.request('GET', `${NSS}?watch=true&fieldSelector=metadata.name%3Dquick&resourceVersion=${created.metadata.resourceVersion}`);
    try {
      expect((await t.request('DELETE', `${NSS}/quick`)).status).toBe(200);
      const { events } = await readWatch(watch, 2, 10_000);
      expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
      expect(events.map((e) => e.object.status)).toEqual([{ phase: 'Terminating' }, { phase: 'Terminating' }]);
    } finally {
      await closeWatch(watch);
    }
  });
});
