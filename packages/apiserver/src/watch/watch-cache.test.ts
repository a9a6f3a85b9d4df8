import type { ClusterName } from '@kcp-ts/logicalcluster';
import { createMemoryStore, type MemoryStore, type Store } from '@kcp-ts/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Obj } from '../registry/types';
import { type CacheEvent, type CacheWatcher, type ObjectDecoder, WatchCache } from './watch-cache';
import { type WatchEncoder, type WatchSink, WatchStream } from './watch-stream';

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

/** The most the bookmark timer fires after its second (its jitter), plus the second of resolution. */
const BOOKMARK_SLACK_MS = 1_250;

const bookmarkEncoder: WatchEncoder = {
  key: 'test',
  memoKey: (type) => `test|${type}`,
  encode: (type, object) => `${type} @${object.metadata.resourceVersion ?? ''}\n`,
  bookmark: (revision) => `BOOKMARK @${revision}\n`,
};

/** A watch of `cluster`'s namespace `a` as the REST layer opens one: registered with the cache, removed when it ends. */
function watchStream(cluster: string, options: { bookmarks?: boolean; timeoutMs?: number; version?: string } = {}) {
  const sink: WatchSink & { lines: string[]; ended: boolean } = {
    lines: [],
    ended: false,
    write: (chunk) => (sink.lines.push(Buffer.from(chunk).toString().trimEnd()), true),
    end: () => void (sink.ended = true),
  };
  const stream: WatchStream = new WatchStream({
    cluster: cluster as ClusterName,
    namespace: 'a',
    encoder: bookmarkEncoder,
    bookmarks: options.bookmarks ?? true,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    onClose: () => cache.removeWatcher(stream),
  });
  stream.pushTo(sink);
  cache.addWatcher(stream);
  return { stream, sink };
}

describe('WatchCache history', () => {
  /** A cache whose history keeps at most `max` events fresh for 1 s of `clock`. */
  async function historyCache(max: number, clock: { ms: number }) {
    const started = new WatchCache({
      store,
      prefix: PREFIX,
      namespaced: true,
      decode: (kv) => JSON.parse(new TextDecoder().decode(kv.value)) as Obj,
      historySize: max,
      historyFreshMs: 1_000,
      now: () => clock.ms,
    });
    const stopping = new AbortController();
    const run = started.run(stopping.signal);
    await started.whenReady();
    return { cache: started, stop: () => (stopping.abort(), run) };
  }

  /** Writes `n` objects in a row, `clock` moving `stepMs` after each is in the cache; returns their revisions. */
  async function write(n: number, tag: string, into: WatchCache, clock?: { ms: number }, stepMs = 0): Promise<number[]> {
    const revisions: number[] = [];
    for (let i = 0; i < n; i++) {
      revisions.push((await store.create(`${PREFIX}c1/a/${tag}-${i}`, new TextEncoder().encode('{}'))).modRevision);
      if (clock) {
        await into.waitForRevision(revisions[i]!);
        clock.ms += stepMs;
      }
    }
    await into.waitForRevision(revisions[revisions.length - 1]!);
    return revisions;
  }

  const retained = (from: WatchCache, after: number) => [...from.eventsAfter(after)].map((event) => event.revision);

  it('starts at 100 events and doubles while even its oldest event is fresh, up to historySize', async () => {
    const clock = { ms: 0 };
    const { cache: history, stop } = await historyCache(300, clock);
    expect(history.historyCapacity()).toBe(100);
    const revisions = await write(250, 'fresh', history);
    expect(history.historyCapacity()).toBe(300);
    // every event is still there: a watch resumes from before the first
    expect(history.canResumeFrom(revisions[0]! - 1)).toBe(true);
    expect(retained(history, revisions[0]! - 1)).toEqual(revisions);
    // at historySize the oldest go
    const more = await write(100, 'more', history);
    expect(history.historyCapacity()).toBe(300);
    const all = [...revisions, ...more];
    expect(history.canResumeFrom(all[49]! - 1)).toBe(false);
    expect(history.canResumeFrom(all[49]!)).toBe(true);
    expect(retained(history, all[49]!)).toEqual(all.slice(50));
    await stop();
  });

  it('halves, down to 100 events, once three quarters of it are older than the fresh window', async () => {
    const clock = { ms: 0 };
    const { cache: history, stop } = await historyCache(400, clock);
    const old = await write(400, 'old', history);
    expect(history.historyCapacity()).toBe(400);
    // a quarter of the events are recent: it stays as it is
    clock.ms = 900;
    const recent = await write(100, 'recent', history);
    clock.ms = 1_500;
    const next = await write(1, 'next', history);
    expect(history.historyCapacity()).toBe(400);
    // the newest quarter began before the window: half of it goes, the newest half stays, and resuming is exact
    clock.ms = 2_000;
    const late = await write(1, 'late', history);
    expect(history.historyCapacity()).toBe(200);
    const kept = [...old, ...recent, ...next, ...late].slice(-200);
    expect(retained(history, kept[0]! - 1)).toEqual(kept);
    expect(history.canResumeFrom(kept[0]! - 1)).toBe(true);
    expect(history.canResumeFrom(kept[0]! - 2)).toBe(false);
    // a trickle after a long quiet, one write every 20 ms: it shrinks to 100, and 100 events span
    // 2 s, so it neither grows (the oldest is stale) nor shrinks (the newest quarter is fresh)
    clock.ms = 10_000;
    const trickle = await write(150, 'trickle', history, clock, 20);
    expect(history.historyCapacity()).toBe(100);
    expect(retained(history, trickle[49]!)).toEqual(trickle.slice(50));
    expect(history.canResumeFrom(trickle[49]! - 1)).toBe(false);
    // a burst at 13 s: stale events go until the oldest is fresh (trickle 101, at 12.02 s), then it grows
    const burst = await write(150, 'burst', history);
    expect(history.historyCapacity()).toBe(200);
    expect(history.canResumeFrom(trickle[100]! - 1)).toBe(false);
    expect(retained(history, trickle[100]!)).toEqual([...trickle.slice(101), ...burst]);
    await stop();
  });
});

describe('WatchCache bookmarks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('bookmarks an idle watch every interval while other clusters write, once more before its timeout, then it ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    const idle = watchStream('idle', { timeoutMs: 150_000 });
    const elapsed = () => Date.now() - start;
    const bookmarks: Array<{ line: string; at: number }> = [];
    const record = () => {
      for (const line of idle.sink.lines.splice(0)) bookmarks.push({ line, at: elapsed() });
    };
    // writes of the same resource, in another cluster: the store is never quiet, the watch sees none of them
    let written = 0;
    const busy = async (untilMs: number) => {
      while (elapsed() < untilMs) {
        await put(`busy/a/o${written++}`);
        vi.advanceTimersByTime(5_000);
        record();
      }
    };
    await busy(59_000);
    expect(bookmarks).toEqual([]);
    await busy(60_000 + BOOKMARK_SLACK_MS + 5_000);
    expect(bookmarks).toHaveLength(1);
    expect(bookmarks[0]!.at).toBeGreaterThanOrEqual(60_000);
    // nothing is written now: the watch is idle and so is the store
    vi.advanceTimersByTime(140_000 - elapsed());
    record();
    expect(bookmarks).toHaveLength(2);
    expect(bookmarks[1]!.at).toBeGreaterThanOrEqual(bookmarks[0]!.at + 60_000);
    // the last one 2 s before the timeout, then the watch ends
    vi.advanceTimersByTime(149_999 - elapsed());
    record();
    expect(idle.sink.ended).toBe(false);
    expect(bookmarks).toHaveLength(3);
    expect(bookmarks[2]!.at).toBeGreaterThanOrEqual(148_000);
    vi.advanceTimersByTime(1);
    expect(idle.sink.ended).toBe(true);
    // each carries the cache's revision when it went out
    const revisions = bookmarks.map((b) => Number(/^BOOKMARK @(\d+)$/.exec(b.line)?.[1]));
    expect(revisions.at(-1)).toBe(cache.currentRevision());
    expect(revisions[0]).toBeGreaterThan(0);
    expect([...revisions].sort((x, y) => x - y)).toEqual(revisions);
    expect(cache.watcherCount()).toBe(0);
    expect(cache.bookmarkSchedule()).toEqual({ waiting: 0, armed: false });
  });

  it('keeps one timer for all its bookmark watches, whatever their clusters, and none once they are gone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const timers = vi.getTimerCount();
    const without = Array.from({ length: 10 }, (_, i) => watchStream(`plain-${i}`, { bookmarks: false }));
    expect(vi.getTimerCount()).toBe(timers);
    expect(cache.bookmarkSchedule().armed).toBe(false);
    const watches = Array.from({ length: 1_000 }, (_, i) => watchStream(`cluster-${i % 100}`));
    expect(vi.getTimerCount()).toBe(timers + 1);
    expect(cache.bookmarkSchedule()).toEqual({ waiting: 1_000, armed: true });
    vi.advanceTimersByTime(60_000 + BOOKMARK_SLACK_MS);
    // a thousand are handed their bookmark in slices, as events are
    await vi.waitFor(() => expect(watches.every((w) => w.sink.lines.length === 1)).toBe(true), { interval: 5 });
    expect(without.every((w) => w.sink.lines.length === 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(timers + 1);
    for (const w of [...watches, ...without]) void w.stream.return();
    expect(cache.bookmarkSchedule()).toEqual({ waiting: 0, armed: false });
    expect(vi.getTimerCount()).toBe(timers);
  });

  // regression: a bookmark taken in the middle of an event handed over in slices carried the event's
  // revision to the watchers of the later slices before the event itself
  it('never bookmarks a watcher past an event it has not been handed yet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const logs: string[][] = [];
    let fired = false;
    const watcher = (index: number): CacheWatcher => {
      const log: string[] = (logs[index] = []);
      return {
        cluster: 'c1' as ClusterName,
        namespace: 'a',
        deliver: (event) => {
          log.push(`event @${event.revision}`);
          // the first watcher, in the first slice: the bookmarks come due now
          if (index === 0 && !fired) {
            fired = true;
            vi.advanceTimersByTime(2 * BOOKMARK_SLACK_MS);
          }
          return true;
        },
        nextBookmarkTime: (now) => (log.some((l) => l.startsWith('bookmark')) ? undefined : now + 1_000),
        bookmark: (revision) => (log.push(`bookmark @${revision}`), true),
        stop: () => {},
      };
    };
    for (let i = 0; i < 600; i++) cache.addWatcher(watcher(i));
    const revision = await put('c1/a/one');
    await vi.waitFor(() => expect(logs.every((log) => log.length === 2)).toBe(true), { interval: 5 });
    expect(fired).toBe(true);
    expect(new Set(logs.map((log) => log.join()))).toEqual(new Set([`event @${revision},bookmark @${revision}`]));
  });

  it('sends no bookmark to a watcher removed before its turn', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const kept = watchStream('c1');
    const removed: CacheWatcher & { bookmarks: number } = {
      cluster: 'c1' as ClusterName,
      bookmarks: 0,
      deliver: () => true,
      nextBookmarkTime: (now) => now + 1_000,
      bookmark: () => (removed.bookmarks++, true),
      stop: () => {},
    };
    cache.addWatcher(removed);
    cache.removeWatcher(removed);
    vi.advanceTimersByTime(60_000 + BOOKMARK_SLACK_MS);
    expect([removed.bookmarks, kept.sink.lines.length]).toEqual([0, 1]);
    void kept.stream.return();
  });
});

describe('WatchCache endWatches', () => {
  it('ends the watches of one cluster and API version after what they hold, and no others', async () => {
    const ending = [watchStream('c1', { version: 'v1' }), watchStream('c1', { version: 'v1', bookmarks: false })];
    const staying = [watchStream('c1', { version: 'v2' }), watchStream('c2', { version: 'v1' })];
    const unversioned = recorder('c1', 'a');
    cache.addWatcher(unversioned);
    const one = await put('c1/a/one');
    expect(cache.endWatches('c1' as ClusterName, 'v1')).toBe(2);
    expect(ending.map((w) => [w.sink.lines, w.sink.ended])).toEqual([
      [[`ADDED @${one}`], true],
      [[`ADDED @${one}`], true],
    ]);
    expect(staying.map((w) => w.sink.ended)).toEqual([false, false]);
    expect(unversioned.stopped).toEqual([]);
    expect(cache.watcherCount()).toBe(3);
    const two = await put('c1/a/two');
    expect(staying[0]!.sink.lines).toEqual([`ADDED @${one}`, `ADDED @${two}`]);
    expect(cache.endWatches('c3' as ClusterName, 'v1')).toBe(0);
    for (const w of staying) void w.stream.return();
  });

  it('stops a plain watcher that serves the version with the reason unserved', () => {
    const versioned = { ...recorder('c1'), version: 'v1' };
    cache.addWatcher(versioned);
    expect(cache.endWatches('c1' as ClusterName, 'v1')).toBe(1);
    expect(versioned.stopped).toEqual(['unserved']);
    expect(cache.watcherCount()).toBe(0);
  });
});
