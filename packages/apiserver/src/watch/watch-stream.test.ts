import type { ClusterName } from '@kcp-ts/logicalcluster';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Obj } from '../registry/types';
import type { CacheEvent, CachedObject } from './watch-cache';
import { type WatchEncoder, type WatchEventType, type WatchSink, WatchStream, type WatchStreamOptions, isPushableWatch } from './watch-stream';

const CLUSTER = 'root' as ClusterName;

/** A line encoder: `<type> <name>@<resourceVersion>`. */
function lineEncoder(): WatchEncoder & { encodings: number } {
  const encoder = {
    key: 'test',
    encodings: 0,
    memoKey: (type: WatchEventType) => `test|${type}`,
    encode(type: WatchEventType, object: Obj) {
      encoder.encodings++;
      return `${type} ${object.metadata.name ?? ''}@${object.metadata.resourceVersion ?? ''}\n`;
    },
    bookmark: (revision: number) => `BOOKMARK @${revision}\n`,
  };
  return encoder;
}

function cached(name: string, revision: number, labels: Record<string, string> = {}, namespace = 'ns'): CachedObject {
  return {
    key: `/registry/configmaps/${CLUSTER}/${namespace}/${name}`,
    cluster: CLUSTER,
    namespace,
    name,
    revision,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: String(revision), labels } } as Obj,
  };
}

function added(name: string, revision: number, labels: Record<string, string> = {}): CacheEvent {
  return { type: 'ADDED', revision, object: cached(name, revision, labels), encoded: new Map() };
}

function modified(previous: CachedObject, revision: number, labels: Record<string, string>): CacheEvent {
  return { type: 'MODIFIED', revision, object: cached(previous.name, revision, labels), previous, encoded: new Map() };
}

/** A sink that records what it is given and reports full after `room` chunks (until `room` is raised). */
function recordingSink(room = Infinity) {
  const sink = {
    room,
    chunks: [] as Uint8Array[],
    ended: 0,
    write(chunk: Uint8Array) {
      sink.chunks.push(chunk);
      return sink.chunks.length < sink.room;
    },
    end() {
      sink.ended++;
    },
    text: () => sink.chunks.map((c) => Buffer.from(c).toString()).join(''),
  };
  return sink satisfies WatchSink;
}

function stream(options: Partial<WatchStreamOptions> = {}) {
  const closed: string[] = [];
  const s = new WatchStream({ cluster: CLUSTER, matches: () => true, encoder: lineEncoder(), bookmarks: false, onClose: () => closed.push('closed'), ...options });
  return { s, closed };
}

async function pull(s: WatchStream, count: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await s.next();
    if (next.done) break;
    lines.push(next.value);
  }
  return lines;
}

describe('WatchStream pulled', () => {
  it('yields queued lines in order, then waits for the next one', async () => {
    const { s } = stream();
    expect(s.deliver(added('a', 2))).toBe(true);
    expect(s.push('BOOKMARK @2\n')).toBe(true);
    expect(await pull(s, 2)).toEqual(['ADDED a@2\n', 'BOOKMARK @2\n']);
    const waiting = s.next();
    s.deliver(added('b', 3));
    expect(await waiting).toEqual({ value: 'ADDED b@3\n', done: false });
  });

  it('refuses a line beyond its bound and still hands out what it held once ended', async () => {
    const { s, closed } = stream({ maxBufferedLines: 2 });
    expect([s.deliver(added('a', 2)), s.deliver(added('b', 3)), s.deliver(added('c', 4))]).toEqual([true, true, false]);
    s.stop('overflow');
    expect(closed).toEqual(['closed']);
    expect(await pull(s, 5)).toEqual(['ADDED a@2\n', 'ADDED b@3\n']);
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it('releases everything on return(), the pending reader included', async () => {
    const { s, closed } = stream();
    const waiting = s.next();
    await s.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(s.deliver(added('a', 2))).toBe(false);
    expect(closed).toEqual(['closed']);
  });
});

describe('WatchStream pushed', () => {
  it('is recognised as pushable', () => {
    expect(isPushableWatch(stream().s)).toBe(true);
    expect(isPushableWatch({ [Symbol.asyncIterator]: () => stream().s })).toBe(false);
  });

  it('writes what it queued before the sink came, then every event synchronously, in order', () => {
    const { s } = stream();
    s.pushInitial(cached('a', 2).object);
    s.push('BOOKMARK @2\n');
    const sink = recordingSink();
    s.pushTo(sink);
    expect(sink.text()).toBe('ADDED a@2\nBOOKMARK @2\n');
    s.deliver(added('b', 3));
    expect(sink.text()).toBe('ADDED a@2\nBOOKMARK @2\nADDED b@3\n');
    expect(s.buffered()).toBe(0);
  });

  it('gives every watcher of an event the same bytes, encoded once', () => {
    const encoder = lineEncoder();
    const sinks = [recordingSink(), recordingSink(), recordingSink()];
    const streams = sinks.map(() => new WatchStream({ cluster: CLUSTER, matches: () => true, encoder, bookmarks: false }));
    streams.forEach((w, i) => w.pushTo(sinks[i]!));
    const event = added('a', 2);
    for (const w of streams) w.deliver(event);
    expect(encoder.encodings).toBe(1);
    expect(sinks[1]!.chunks[0]).toBe(sinks[0]!.chunks[0]);
    expect(sinks[2]!.chunks[0]).toBe(sinks[0]!.chunks[0]);
  });

  it('holds lines while the sink is full and writes them, in order, when it drains', () => {
    const { s } = stream();
    const sink = recordingSink(1);
    s.pushTo(sink);
    s.deliver(added('a', 2)); // accepted, but the sink is now full
    s.deliver(added('b', 3));
    s.deliver(added('c', 4));
    expect(sink.text()).toBe('ADDED a@2\n');
    expect(s.buffered()).toBe(2);
    sink.room = Infinity;
    s.resume();
    expect(sink.text()).toBe('ADDED a@2\nADDED b@3\nADDED c@4\n');
    expect(s.buffered()).toBe(0);
    s.deliver(added('d', 5));
    expect(sink.text()).toMatch(/ADDED d@5\n$/);
  });

  it('ends at once on overflow, dropping what it held (the client re-watches from its last event)', () => {
    const { s, closed } = stream({ maxBufferedLines: 2 });
    const sink = recordingSink(1);
    s.pushTo(sink);
    expect([s.deliver(added('a', 2)), s.deliver(added('b', 3)), s.deliver(added('c', 4)), s.deliver(added('d', 5))]).toEqual([true, true, true, false]);
    s.stop('overflow');
    expect(sink.ended).toBe(1);
    expect(closed).toEqual(['closed']);
    sink.room = Infinity;
    s.resume();
    expect(sink.text()).toBe('ADDED a@2\n');
    expect(s.deliver(added('e', 6))).toBe(false);
  });

  it('ends after the held lines when it times out while the sink is full', async () => {
    const { s, closed } = stream({ timeoutMs: 1 });
    const sink = recordingSink(1);
    s.pushTo(sink);
    s.deliver(added('a', 2));
    s.deliver(added('b', 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toEqual(['closed']);
    expect(sink.ended).toBe(0);
    sink.room = Infinity;
    s.resume();
    expect(sink.text()).toBe('ADDED a@2\nADDED b@3\n');
    expect(sink.ended).toBe(1);
  });

  it('ends the sink at once when it ends with nothing held', () => {
    const { s } = stream();
    const sink = recordingSink();
    s.pushTo(sink);
    s.end();
    s.end();
    expect(sink.ended).toBe(1);
  });

  it('neither writes to nor ends the sink once released (the client went away)', async () => {
    const { s, closed } = stream();
    const sink = recordingSink(1);
    s.pushTo(sink);
    s.deliver(added('a', 2));
    s.deliver(added('b', 3));
    await s.return();
    sink.room = Infinity;
    s.resume();
    expect(s.deliver(added('c', 4))).toBe(false);
    expect(sink.text()).toBe('ADDED a@2\n');
    expect(sink.ended).toBe(0);
    expect(closed).toEqual(['closed']);
  });

  it('hands nothing to a reader once pushed, and is pushed only once', async () => {
    const { s } = stream();
    const waiting = s.next();
    s.pushTo(recordingSink());
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await s.next()).toEqual({ value: undefined, done: true });
    expect(() => s.pushTo(recordingSink())).toThrow(new Error('the watch stream is already consumed'));
  });

  it('applies selector transitions: ADDED on entering, DELETED of the previous state on leaving', () => {
    const { s } = stream({ matches: (o) => o.object.metadata.labels?.['app'] === 'web' });
    const sink = recordingSink();
    s.pushTo(sink);
    const before = cached('a', 2, { app: 'db' });
    const entered = modified(before, 3, { app: 'web' });
    const changed = modified(entered.object, 4, { app: 'web' });
    const left = modified(changed.object, 5, { app: 'db' });
    for (const event of [entered, changed, left, modified(left.object, 6, { app: 'db' })]) s.deliver(event);
    expect(sink.text()).toBe('ADDED a@3\nMODIFIED a@4\nDELETED a@5\n');
  });
});

describe('WatchStream bookmarks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // upstream's nextBookmarkTime: every interval, and 2 s before the timeout when that is sooner; none past it
  it.each([
    ['no bookmarks asked', { bookmarks: false }, 0, undefined],
    ['no timeout: an interval from now', { bookmarks: true }, 1_000, 61_000],
    ['a custom interval', { bookmarks: true, bookmarkIntervalMs: 5_000 }, 1_000, 6_000],
    ['a timeout after the interval', { bookmarks: true, timeoutMs: 300_000 }, 1_000, 61_000],
    ['a timeout within the interval: 2 s before it', { bookmarks: true, timeoutMs: 30_000 }, 1_000, 28_000],
    ['exactly at 2 s before the timeout', { bookmarks: true, timeoutMs: 30_000 }, 28_000, 28_000],
    ['past 2 s before the timeout: none', { bookmarks: true, timeoutMs: 30_000 }, 28_001, undefined],
    ['a timeout under 2 s: none', { bookmarks: true, timeoutMs: 1_000 }, 0, undefined],
  ] as const)('schedules the next bookmark: %s', (_name, options, now, expected) => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const { s } = stream(options);
    expect(s.nextBookmarkTime(now)).toBe(expected);
    s.end();
  });

  it('asks for none once ended', () => {
    const { s } = stream({ bookmarks: true });
    s.end();
    expect(s.nextBookmarkTime(Date.now())).toBeUndefined();
    expect(s.bookmark(3, new Map())).toBe(false);
  });

  it('writes a bookmark line shared by the watches of one encoding, never below the revision the watch starts after', () => {
    const encoder = lineEncoder();
    const first = new WatchStream({ cluster: CLUSTER, encoder, bookmarks: true });
    const second = new WatchStream({ cluster: CLUSTER, encoder, bookmarks: true, afterRevision: 7 });
    const without = new WatchStream({ cluster: CLUSTER, encoder, bookmarks: false });
    const sinks = [recordingSink(), recordingSink(), recordingSink()] as const;
    first.pushTo(sinks[0]);
    second.pushTo(sinks[1]);
    without.pushTo(sinks[2]);
    const encoded = new Map<string, Buffer>();
    expect([first.bookmark(5, encoded), second.bookmark(5, encoded), without.bookmark(5, encoded)]).toEqual([true, true, true]);
    expect(sinks.map((sink) => sink.text())).toEqual(['BOOKMARK @5\n', '', '']);
    const round = new Map<string, Buffer>();
    first.bookmark(7, round);
    second.bookmark(7, round);
    expect(sinks[0].chunks[1]).toBe(sinks[1].chunks[0]);
    expect(sinks[1].text()).toBe('BOOKMARK @7\n');
  });

  it('queues a bookmark behind held lines, and drops it when the buffer is full', () => {
    const { s } = stream({ bookmarks: true, maxBufferedLines: 2 });
    const sink = recordingSink(1);
    s.pushTo(sink);
    s.deliver(added('a', 2));
    s.deliver(added('b', 3));
    expect(s.bookmark(3, new Map())).toBe(true);
    expect(s.buffered()).toBe(2);
    s.deliver(added('c', 4));
    expect(s.bookmark(4, new Map())).toBe(true);
    expect(s.buffered()).toBe(2);
    sink.room = Infinity;
    s.resume();
    expect(sink.text()).toBe('ADDED a@2\nADDED b@3\nBOOKMARK @3\n');
  });

  it('bookmarks a watch fed by a storage watch at the first progress notification after each is due', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const { s } = stream({ bookmarks: true, bookmarkIntervalMs: 1_000, timeoutMs: 10_000 });
    const sink = recordingSink();
    s.pushTo(sink);
    const at = (ms: number, revision: number) => {
      vi.setSystemTime(ms);
      s.progress(revision);
    };
    at(500, 1); // the first notification: the next bookmark is due an interval later
    at(1_000, 2);
    at(1_500, 3);
    s.deliver(added('a', 4));
    at(1_600, 4); // events do not delay bookmarks (upstream's are periodic)
    at(2_000, 5);
    at(2_700, 6);
    at(7_900, 7); // due since 3.7 s; the next one is due at 8 s, 2 s before the timeout
    at(7_950, 8);
    at(8_100, 9);
    at(9_500, 10); // nothing after the one before the timeout
    expect(sink.text()).toBe('BOOKMARK @3\nADDED a@4\nBOOKMARK @6\nBOOKMARK @7\nBOOKMARK @9\n');
  });

  it('sends none at progress to a watch that did not ask for them, nor below its starting revision', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const without = stream({ bookmarks: false, bookmarkIntervalMs: 10 }).s;
    const sink = recordingSink();
    without.pushTo(sink);
    for (const ms of [0, 1_000, 2_000]) {
      vi.setSystemTime(ms);
      without.progress(2);
    }
    expect(sink.text()).toBe('');
    const resuming = stream({ bookmarks: true, bookmarkIntervalMs: 10, afterRevision: 9 }).s;
    const resumed = recordingSink();
    resuming.pushTo(resumed);
    for (const [ms, revision] of [[0, 5], [1_000, 8], [2_000, 9], [3_000, 9]] as const) {
      vi.setSystemTime(ms);
      resuming.progress(revision);
    }
    expect(resumed.text()).toBe('BOOKMARK @9\n');
  });
});
