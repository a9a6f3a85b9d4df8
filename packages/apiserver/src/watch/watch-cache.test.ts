import type { ClusterName } from '@kcp-ts/logicalcluster';
import { createMemoryStore, type MemoryStore, type Store } from '@kcp-ts/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Obj } from '../registry/types';
import { type CacheEvent, type CacheWatcher, type ObjectDecoder, WatchCache } from './watch-cache';

const PREFIX = '/registry/configmaps/';
let store: MemoryStore;
let cache: WatchCache;
let stopCache: () => Promise<void>;

/** A cache of PREFIX in `source`, running and loaded; `stop` ends it. */
async function runCache(source: Store, decode: ObjectDecoder): Promise<{ cache: WatchCache; stop: () => Promise<void> }> {
  const started = new WatchCache({ store: source, prefix: PREFIX, namespaced: true, decode });
  const stopping = new AbortController();
  const run = started.run(stopping.signal);
  await started.whenReady();
  return { cache: started, stop: () => (stopping.abort(), run) };
}

beforeEach(async () => {
  store = createMemoryStore({ compaction: false });
  ({ cache, stop: stopCache } = await runCache(
    store,
    (kv) => ({ ...(JSON.parse(new TextDecoder().decode(kv.value)) as Obj), metadata: { resourceVersion: String(kv.modRevision) } }) as Obj,
  ));
});
afterEach(async () => {
  await stopCache();
  await store.close();
});

/** A watcher that records the keys it is given. */
function recorder(cluster: string, namespace?: string): CacheWatcher & { keys: string[]; stopped: string[] } {
  const w = {
    cluster: cluster as ClusterName | '*',
    ...(namespace !== undefined ? { namespace } : {}),
    keys: [] as string[],
    stopped: [] as string[],
    deliver: (event: CacheEvent) => (w.keys.push(event.object.key.slice(PREFIX.length)), true),
    stop: (reason: string) => void w.stopped.push(reason),
  };
  return w;
}

async function put(key: string): Promise<number> {
  const revision = (await store.create(`${PREFIX}${key}`, new TextEncoder().encode('{"kind":"ConfigMap"}'))).modRevision;
  await cache.waitForRevision(revision);
  return revision;
}

describe('WatchCache fan-out', () => {
  it('hands an event only to the watchers of its cluster and namespace, and to those of all', async () => {
    const watchers = {
      nsA: recorder('c1', 'a'),
      nsB: recorder('c1', 'b'),
      allOfC1: recorder('c1'),
      allOfC1Empty: recorder('c1', ''),
      otherCluster: recorder('c2', 'a'),
      everyCluster: recorder('*'),
      everyClusterNsA: recorder('*', 'a'),
    };
    for (const w of Object.values(watchers)) cache.addWatcher(w);
    expect(cache.watcherCount()).toBe(7);
    await put('c1/a/one');
    await put('c1/b/two');
    await put('c2/a/three');
    expect(Object.fromEntries(Object.entries(watchers).map(([name, w]) => [name, w.keys]))).toEqual({
      nsA: ['c1/a/one'],
      nsB: ['c1/b/two'],
      allOfC1: ['c1/a/one', 'c1/b/two'],
      allOfC1Empty: ['c1/a/one', 'c1/b/two'],
      otherCluster: ['c2/a/three'],
      everyCluster: ['c1/a/one', 'c1/b/two', 'c2/a/three'],
      everyClusterNsA: ['c1/a/one', 'c2/a/three'],
    });
  });

  it('forgets a removed watcher and the entries it alone kept (removing twice is harmless)', async () => {
    const nsA = recorder('c1', 'a');
    const nsA2 = recorder('c1', 'a');
    cache.addWatcher(nsA);
    cache.addWatcher(nsA);
    cache.addWatcher(nsA2);
    expect(cache.watcherCount()).toBe(2);
    expect(cache.clusterEntryCount()).toBe(1);
    cache.removeWatcher(nsA);
    cache.removeWatcher(nsA);
    expect(cache.watcherCount()).toBe(1);
    await put('c1/a/one');
    expect([nsA.keys, nsA2.keys]).toEqual([[], ['c1/a/one']]);
    cache.removeWatcher(nsA2);
    expect(cache.watcherCount()).toBe(0);
    // only the object's cluster entry remains
    expect(cache.clusterEntryCount()).toBe(1);
  });

  it('stops a watcher that can take no more, and only that one', async () => {
    const full: CacheWatcher & { stopped: string[] } = { cluster: 'c1' as ClusterName, namespace: 'a', stopped: [], deliver: () => false, stop: (reason) => void full.stopped.push(reason) };
    const fine = recorder('c1', 'a');
    cache.addWatcher(full);
    cache.addWatcher(fine);
    await put('c1/a/one');
    await put('c1/a/two');
    expect(full.stopped).toEqual(['overflow']);
    expect(fine.keys).toEqual(['c1/a/one', 'c1/a/two']);
    expect(cache.watcherCount()).toBe(1);
  });

  it('hands a large fan-out over in slices, to the watchers registered when the event was applied', async () => {
    // more watchers than one slice: the event loop turns between slices
    const many = Array.from({ length: 2_500 }, () => recorder('c1', 'a'));
    const late = recorder('c1', 'a');
    const leaving = many[2_200]!;
    // the first watcher, during the first slice, registers another and removes one of a later slice
    const first: CacheWatcher & { keys: string[] } = {
      cluster: 'c1' as ClusterName,
      namespace: 'a',
      keys: [],
      deliver: (event) => {
        first.keys.push(event.object.key.slice(PREFIX.length));
        if (first.keys.length === 1) {
          cache.addWatcher(late);
          cache.removeWatcher(leaving);
        }
        return true;
      },
      stop: () => {},
    };
    cache.addWatcher(first);
    for (const w of many) cache.addWatcher(w);
    await put('c1/a/one');
    await put('c1/a/two');
    // the last slice has been handed over once the last watcher has the second event
    await vi.waitFor(() => expect(many.at(-1)!.keys).toHaveLength(2));
    const [, ...rest] = [first, ...many];
    expect(first.keys).toEqual(['c1/a/one', 'c1/a/two']);
    expect(rest.filter((w) => w !== leaving).every((w) => w.keys.join() === 'c1/a/one,c1/a/two')).toBe(true);
    expect(leaving.keys).toEqual([]);
    // it started from a state that included the first event
    expect(late.keys).toEqual(['c1/a/two']);
  });

  it('stops every watcher when it shuts down', async () => {
    const watchers = [recorder('c1', 'a'), recorder('c1'), recorder('*', 'b')];
    for (const w of watchers) cache.addWatcher(w);
    await stopCache();
    expect(watchers.map((w) => w.stopped)).toEqual([['shutdown'], ['shutdown'], ['shutdown']]);
    expect(cache.watcherCount()).toBe(0);
  });
});

describe('WatchCache objects', () => {
  it('decodes an object on its first read only, and until then answers mayContain from the stored bytes', async () => {
    const decoded: string[] = [];
    const { cache: counting, stop } = await runCache(store, (kv) => (decoded.push(kv.key), JSON.parse(new TextDecoder().decode(kv.value)) as Obj));
    const key = `${PREFIX}c1/a/owned`;
    const { modRevision } = await store.create(key, new TextEncoder().encode('{"kind":"ConfigMap","metadata":{"ownerReferences":[]}}'));
    await counting.waitForRevision(modRevision);
    const cached = counting.get('c1' as ClusterName, key)!;
    expect(decoded).toEqual([]);
    expect(cached.mayContain?.('"ownerReferences"')).toBe(true);
    expect(cached.mayContain?.('"deletionTimestamp"')).toBe(false);
    expect(cached.object.kind).toBe('ConfigMap');
    expect(cached.object.metadata.ownerReferences).toEqual([]);
    expect(decoded).toEqual([key]);
    // decoded, it keeps no bytes to look into
    expect(cached.mayContain?.('"deletionTimestamp"')).toBe(true);
    await stop();
  });

  it('peeks at an object without keeping it decoded; once decoded, peek answers that object', async () => {
    const decoded: string[] = [];
    const { cache: counting, stop } = await runCache(store, (kv) => (decoded.push(kv.key), JSON.parse(new TextDecoder().decode(kv.value)) as Obj));
    const key = `${PREFIX}c1/a/peeked`;
    const { modRevision } = await store.create(key, new TextEncoder().encode('{"kind":"ConfigMap","data":{"k":"v"}}'));
    await counting.waitForRevision(modRevision);
    const cached = counting.get('c1' as ClusterName, key)!;
    expect(cached.peek?.().data).toEqual({ k: 'v' });
    expect(cached.peek?.().data).toEqual({ k: 'v' });
    expect(decoded).toEqual([key, key]);
    // still only bytes: mayContain answers from them
    expect(cached.mayContain?.('"deletionTimestamp"')).toBe(false);
    const object = cached.object;
    expect(cached.peek?.()).toBe(object);
    expect(decoded).toEqual([key, key, key]);
    await stop();
  });

  it('keeps its own copy of bytes that are a view into a larger buffer (a whole etcd response, say)', async () => {
    const key = `${PREFIX}c1/a/viewed`;
    const { modRevision } = await store.create(key, new TextEncoder().encode('{"kind":"ConfigMap","data":{"k":"v"}}'));
    // the engine hands out views into one large buffer, as the etcd engine does with a gRPC response
    const response = Buffer.alloc(64 * 1024);
    const viewing: typeof store = new Proxy(store, {
      get(target, property) {
        if (property === 'list') {
          return async (...args: Parameters<typeof store.list>) => {
            const page = await target.list(...args);
            return {
              ...page,
              items: page.items.map((kv, i) => {
                const at = 1024 * (i + 1);
                response.set(kv.value, at);
                return { ...kv, value: new Uint8Array(response.buffer, response.byteOffset + at, kv.value.byteLength) };
              }),
            };
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { cache: viewed, stop } = await runCache(viewing, (kv) => JSON.parse(new TextDecoder().decode(kv.value)) as Obj);
    await viewed.waitForRevision(modRevision);
    // the response buffer is reused (or freed) once the engine is done with it
    response.fill(0x20);
    expect(viewed.get('c1' as ClusterName, key)!.object).toEqual({ kind: 'ConfigMap', data: { k: 'v' } });
    await stop();
  });
});
