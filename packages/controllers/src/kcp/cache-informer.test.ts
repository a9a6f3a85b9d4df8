import { WatchCache } from '@kcp-ts/apiserver';
import type { KubeObject } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { createMemoryStore, StorageError, type Store, type WatchEvent, type WatchOptions } from '@kcp-ts/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheInformer } from './cache-informer';

const PREFIX = '/registry/configmaps/';
const encode = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const configMap = (cluster: string, namespace: string, name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, annotations: { 'kcp.io/cluster': cluster } },
  data,
});

/** A store whose next storage watch fails as compacted when asked to (the cache then relists). */
function compactable(store: Store): Store & { failNextWatch(): void } {
  let fail = false;
  let failing: (() => void) | undefined;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'failNextWatch')
        return () => {
          fail = true;
          failing?.();
        };
      if (prop === 'watch')
        return (prefix: string, options: WatchOptions) =>
          (async function* (): AsyncGenerator<WatchEvent> {
            const inner = new AbortController();
            const onAbort = () => inner.abort();
            options.signal?.addEventListener('abort', onAbort, { once: true });
            failing = () => inner.abort();
            try {
              for await (const event of target.watch(prefix, { ...options, signal: inner.signal })) yield event;
            } finally {
              options.signal?.removeEventListener('abort', onAbort);
            }
            if (fail && !options.signal?.aborted) {
              fail = false;
              throw new StorageError('Compacted', 'compacted');
            }
          })();
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value; // private fields need the real receiver
    },
  }) as Store & { failNextWatch(): void };
}

let store: ReturnType<typeof compactable>;
let cache: WatchCache;
let abort: AbortController;
let running: Promise<void>;

beforeEach(async () => {
  store = compactable(createMemoryStore({ compaction: false }));
  cache = new WatchCache({
    store,
    prefix: PREFIX,
    namespaced: true,
    decode: (kv) => {
      const o = JSON.parse(new TextDecoder().decode(kv.value)) as KubeObject;
      return { ...o, metadata: { ...o.metadata, resourceVersion: String(kv.modRevision) } } as never;
    },
  });
  abort = new AbortController();
  running = cache.run(abort.signal);
  await cache.whenReady();
});
afterEach(async () => {
  abort.abort();
  await running;
  await store.close();
});

const keyOf = (cluster: string, namespace: string, name: string) => `${PREFIX}${cluster}/${namespace}/${name}`;
const served = () => ({ cache, store: { key: (c: ClusterName, ns: string, n: string) => keyOf(c, ns, n) } });

async function put(cluster: string, namespace: string, name: string, data: Record<string, string> = {}): Promise<void> {
  const key = keyOf(cluster, namespace, name);
  const existing = await store.get(key);
  const kv = existing
    ? await store.update(key, encode(configMap(cluster, namespace, name, data)), existing.modRevision)
    : await store.create(key, encode(configMap(cluster, namespace, name, data)));
  await cache.waitForRevision(kv.modRevision);
}

async function remove(cluster: string, namespace: string, name: string): Promise<void> {
  const key = keyOf(cluster, namespace, name);
  const existing = await store.get(key);
  const { revision } = await store.delete(key, existing!.modRevision);
  await cache.waitForRevision(revision);
}

function recording(informer: CacheInformer<KubeObject>) {
  const events: string[] = [];
  const remove = informer.addEventHandler({
    onAdd: (o, { initialList }) => events.push(`add ${o.metadata?.name}${initialList ? ' (initial)' : ''}`),
    onUpdate: (old, o) => events.push(`update ${o.metadata?.name} ${JSON.stringify((old as { data?: unknown }).data)}→${JSON.stringify((o as { data?: unknown }).data)}`),
    onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  return { events, remove };
}

describe('CacheInformer', () => {
  it('lists what the cache holds, then follows its events; reads by informer key without copying', async () => {
    await put('c1', 'default', 'a');
    const informer = new CacheInformer<KubeObject>(served());
    const { events } = recording(informer);
    const stop = new AbortController();
    const run = informer.run(stop.signal);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.hasSynced()).toBe(true);
    await put('c2', 'default', 'b');
    await put('c1', 'default', 'a', { k: 'v' });
    await remove('c2', 'default', 'b');
    expect(events).toEqual(['add a (initial)', 'add b', 'update a {}→{"k":"v"}', 'delete b']);

    const key = informer.keyOf(configMap('c1', 'default', 'a'));
    expect(key).toBe('c1|default/a');
    expect(informer.get(key)).toBe(cache.get('c1' as ClusterName, keyOf('c1', 'default', 'a'))!.object);
    expect(informer.get('c2|default/b')).toBeUndefined();

    stop.abort();
    await run;
    await put('c1', 'default', 'c');
    expect(events).toHaveLength(4); // no longer follows
  });

  it('gives a handler added after the sync the current objects, and a removed handler nothing more', async () => {
    await put('c1', 'default', 'a');
    const informer = new CacheInformer<KubeObject>(served());
    const stop = new AbortController();
    const run = informer.run(stop.signal);
    await informer.waitForSync();
    const late = recording(informer);
    expect(late.events).toEqual(['add a (initial)']);
    late.remove();
    await put('c1', 'default', 'b');
    expect(late.events).toEqual(['add a (initial)']);
    stop.abort();
    await run;
  });

  it('keeps following while any of its runs goes on, and a throwing handler does not stop the others', async () => {
    const informer = new CacheInformer<KubeObject>(served());
    informer.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    const { events } = recording(informer);
    const first = new AbortController();
    const second = new AbortController();
    const runs = [informer.run(first.signal), informer.run(second.signal)];
    await informer.waitForSync();
    first.abort();
    await runs[0];
    await put('c1', 'default', 'a');
    expect(events).toEqual(['add a']);
    second.abort();
    await runs[1];
    await put('c1', 'default', 'b');
    expect(events).toEqual(['add a']);
  });

  it('resolves a sync wait with false when its signal aborts first', async () => {
    const informer = new CacheInformer<KubeObject>(served());
    const wait = new AbortController();
    const waiting = informer.waitForSync(wait.signal);
    wait.abort();
    expect(await waiting).toBe(false);
  });

  it('replays every object as an update after the cache relisted, calls onRelist, and follows again', async () => {
    await put('c1', 'default', 'a');
    const informer = new CacheInformer<KubeObject>(served());
    const { events } = recording(informer);
    let relists = 0;
    informer.onRelist(() => relists++);
    const stop = new AbortController();
    const run = informer.run(stop.signal);
    await informer.waitForSync();

    store.failNextWatch(); // the storage watch ends as compacted: the cache relists and stops its watchers
    await put('c1', 'default', 'b'); // written while (or after) the cache relists
    const deadline = Date.now() + 5_000;
    while (relists === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(relists).toBe(1);
    await put('c1', 'default', 'c');

    expect(events[0]).toBe('add a (initial)');
    // b arrives either as an event before the relist or in the replay; either way each object is known once more after it, and c as an event
    expect(events).toContain('update a {}→{}');
    expect(events.at(-1)).toBe('add c');
    expect([...informer.list()].map((o) => o.metadata?.name).sort()).toEqual(['a', 'b', 'c']);
    stop.abort();
    await run;
  });
});
