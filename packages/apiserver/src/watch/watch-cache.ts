import type { KeyValue, Store, WatchEvent as StoreEvent } from '@kcp-ts/storage';
import { copyBytes, isStorageError } from '@kcp-ts/storage';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Obj } from '../registry/types';
import { BookmarkSchedule } from './bookmark-schedule';

/** One object as the cache holds it: decoded once (on first read), shared by every reader, never mutated. */
export interface CachedObject {
  readonly key: string;
  readonly cluster: ClusterName;
  /** `""` for cluster-scoped objects */
  readonly namespace: string;
  readonly name: string;
  readonly revision: number;
  readonly object: Obj;
  /**
   * Whether the stored JSON may contain `text`, answered from the stored
   * bytes while the object is not decoded yet: `false` means certainly not
   * (the stored form is JSON.stringify's, which writes plain member names as
   * they are), so a consumer of every object can skip decoding those it has
   * no business with. Once decoded (or for objects that never had bytes): `true`.
   */
  mayContain?(text: string): boolean;
  /**
   * The object, decoded without the cache keeping the decoded form when it
   * holds only the stored bytes: for a consumer that looks at an object once
   * (a decoded object is several times the size of its bytes). Each call
   * decodes again; the result must not be changed.
   */
  peek?(): Obj;
}

/**
 * A cached object decoded on first read: of a busy resource, most objects
 * are written far more often than read from the cache (a create answers
 * from what it wrote). Until then it holds the stored key value (the
 * engine's own bytes when they have memory of their own; a copy when they
 * are a view into something larger, such as a whole etcd response, which
 * they would keep alive); after, the object only.
 */
class StoredObject implements CachedObject {
  #kv: KeyValue | undefined;
  #object: Obj | undefined;

  constructor(
    readonly key: string,
    readonly cluster: ClusterName,
    readonly namespace: string,
    readonly name: string,
    readonly revision: number,
    kv: KeyValue,
    private readonly decode: ObjectDecoder,
  ) {
    const value = kv.value;
    this.#kv = value.buffer.byteLength > 2 * value.byteLength ? { ...kv, value: copyBytes(value) } : kv;
  }

  get object(): Obj {
    if (this.#object === undefined) {
      this.#object = this.decode(this.#kv!);
      this.#kv = undefined;
    }
    return this.#object;
  }

  peek(): Obj {
    return this.#object ?? this.decode(this.#kv!);
  }

  mayContain(text: string): boolean {
    const value = this.#kv?.value;
    if (value === undefined) return true;
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return bytes.includes(utf8Needle(text));
  }
}

/** The UTF-8 bytes of the texts looked for in stored objects (a handful: encoded once). */
const needles = new Map<string, Buffer>();

function utf8Needle(text: string): Buffer {
  let needle = needles.get(text);
  if (needle === undefined) {
    needle = Buffer.from(text);
    if (needles.size < 64) needles.set(text, needle);
  }
  return needle;
}

/** The fewest events a watch cache's history makes room for (upstream's `defaultLowerBoundCapacity`). */
export const HISTORY_MIN_SIZE = 100;

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change of one object, as the cache applied it. */
export interface CacheEvent {
  readonly type: CacheEventType;
  readonly revision: number;
  /** the new state; for DELETED the last state, carrying the deletion revision */
  readonly object: CachedObject;
  /** the state before (MODIFIED, DELETED) */
  readonly previous?: CachedObject;
  /** per-event memo of encoded lines, shared by all watchers that want the same bytes */
  readonly encoded: Map<string, Buffer>;
}

/** A consumer of the cache's events (a watch, or an in-process index). */
export interface CacheWatcher {
  /** the logical cluster it follows, or `*` for all */
  readonly cluster: ClusterName | '*';
  /** the namespace it follows: only events of objects in it are delivered; unset or `''` for all */
  readonly namespace?: string;
  /**
   * The API version it serves the cache's objects as: the watches of one
   * version of a custom resource end when that version stops being served
   * in their cluster (see {@link WatchCache.endWatches}).
   */
  readonly version?: string | undefined;
  /**
   * Receives an event; returns false when the watcher can take no more (its
   * buffer is full) — the cache then stops it.
   */
  deliver(event: CacheEvent): boolean;
  /**
   * When its next bookmark is due (ms since the epoch), or `undefined` for
   * none (it did not ask for bookmarks, or it ends too soon): asked when it is
   * registered and after each bookmark, as upstream's `nextBookmarkTime`.
   */
  nextBookmarkTime?(now: number): number | undefined;
  /**
   * A bookmark at `revision`: every event up to it has been handed to this
   * watcher. `encoded` memoizes lines by encoding, shared by the watchers of
   * one round. Returns false when the watcher has ended (it is not scheduled again).
   */
  bookmark?(revision: number, encoded: Map<string, Buffer>): boolean;
  /**
   * The cache stops this watcher: overflow, relist, shutdown, or `unserved`
   * (its resource is no longer served in its cluster, see {@link WatchCache.endWatches}).
   */
  stop(reason: CacheWatcherStopReason): void;
}

/** Why the cache stops a watcher. */
export type CacheWatcherStopReason = 'overflow' | 'relist' | 'shutdown' | 'unserved';

/** Decodes stored bytes into an object with its resourceVersion set. */
export type ObjectDecoder = (kv: KeyValue) => Obj;

/** Splits a key under the cache's prefix into cluster, namespace and name. */
export function parseObjectKey(prefix: string, key: string, namespaced: boolean): { cluster: ClusterName; namespace: string; name: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split('/');
  if (namespaced) {
    if (parts.length !== 3) return undefined;
    return { cluster: parts[0] as ClusterName, namespace: parts[1]!, name: parts[2]! };
  }
  if (parts.length !== 2) return undefined;
  return { cluster: parts[0] as ClusterName, namespace: '', name: parts[1]! };
}

export interface WatchCacheOptions {
  readonly store: Store;
  /** the storage prefix of the resource, ending in `/` */
  readonly prefix: string;
  readonly namespaced: boolean;
  readonly decode: ObjectDecoder;
  /**
   * The most events kept for watches resuming from a resourceVersion
   * (default 10,000). The history holds what the last
   * {@link WatchCacheOptions.historyFreshMs} brought, between
   * {@link HISTORY_MIN_SIZE} events and this many; a watch resuming from
   * before it is served from the store's history.
   */
  readonly historySize?: number;
  /** How long an event is worth keeping in the history, in milliseconds (default 75 s, upstream's `eventFreshDuration`). */
  readonly historyFreshMs?: number;
  /** The clock the history's ages are read from, in milliseconds (default `performance.now`). */
  readonly now?: () => number;
  /**
   * How often the store reports progress on a quiet prefix (the cache's
   * revision then advances without events: bookmarks carry it, and consistent
   * reads need not wait for a write); default: the store's.
   */
  readonly progressIntervalMs?: number;
  /** called when the cache fails for good (it retries transient failures itself) */
  readonly onError?: (err: unknown) => void;
}

/**
 * The watch cache of one resource type (one storage prefix): the current
 * state of every object, indexed by logical cluster, fed by a single storage
 * watch; a bounded history of recent events for watches that resume from a
 * resourceVersion; and fan-out to every watcher. An idle logical cluster costs
 * one map entry holding its objects, and nothing when it has none.
 */
export class WatchCache {
  private readonly byCluster = new Map<ClusterName, Map<string, CachedObject>>();
  private readonly watchersByCluster = new Map<ClusterName, WatcherSet>();
  private readonly wildcardWatchers = new WatcherSet();
  /** a ring of the newest events; its length is the history's capacity, which follows the event rate (see {@link record}) */
  private history: (CacheEvent | undefined)[];
  /** when each event of the ring was recorded (same positions) */
  private recordedAt: number[];
  private historyStart = 0;
  private historyLength = 0;
  private readonly maxHistory: number;
  private readonly minHistory: number;
  private readonly historyFreshMs: number;
  private readonly now: () => number;
  /** the revision every event up to which has been applied */
  private revision = 0;
  /** whether the state has been loaded at least once */
  private loaded = false;
  /** every event after this revision is in the history */
  private historyFloor = 0;
  private size = 0;
  private ready: Promise<void>;
  private markReady!: () => void;
  private readonly revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  /** while an event is handed over in slices: the watchers removed meanwhile (they get no more of it) */
  private removedDuringDispatch: Set<CacheWatcher> | undefined;
  /** while an event is handed over in slices (its revision is not every watcher's yet): who waits for the last slice */
  private dispatching: Array<() => void> | undefined;
  /** the watchers that asked for bookmarks, by when their next one is due: one timer for all of them */
  private readonly bookmarks = new BookmarkSchedule<CacheWatcher>((due) => this.sendBookmarks(due));

  constructor(private readonly options: WatchCacheOptions) {
    this.maxHistory = options.historySize ?? 10_000;
    this.minHistory = Math.min(HISTORY_MIN_SIZE, this.maxHistory);
    this.historyFreshMs = options.historyFreshMs ?? 75_000;
    this.now = options.now ?? (() => performance.now());
    this.history = new Array<CacheEvent | undefined>(this.minHistory);
    this.recordedAt = new Array<number>(this.minHistory).fill(0);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /** Resolves once the initial list is loaded. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The revision up to which the cache is complete. */
  currentRevision(): number {
    return this.revision;
  }

  /** How many objects the cache holds. */
  objectCount(): number {
    return this.size;
  }

  /**
   * Loads the state and follows the storage watch until `signal` aborts.
   * Transient storage failures are retried with backoff; a compacted watch
   * (the cache fell too far behind) rebuilds the state and stops all watchers.
   */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await this.load(signal);
        backoff = 100;
        this.markReady();
        const events = this.options.store.watch(this.options.prefix, {
          afterRevision: this.revision,
          signal,
          ...(this.options.progressIntervalMs !== undefined ? { progressIntervalMs: this.options.progressIntervalMs } : {}),
        });
        for await (const event of events) {
          // a large fan-out is delivered in slices: the next event waits for it
          const delivering = this.apply(event);
          if (delivering) await delivering;
        }
        if (signal.aborted) break;
      } catch (err) {
        if (signal.aborted) break;
        if (isStorageError(err, 'Closed')) break;
        if (!isStorageError(err, 'Compacted') && !isStorageError(err, 'Unavailable')) this.options.onError?.(err);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    for (const w of this.allWatchers()) w.stop('shutdown');
    this.watchersByCluster.clear();
    this.wildcardWatchers.clear();
    this.bookmarks.clear();
  }

  private async load(signal: AbortSignal): Promise<void> {
    const fresh = new Map<ClusterName, Map<string, CachedObject>>();
    let size = 0;
    let continueToken: string | undefined;
    let revision = 0;
    do {
      const page = await this.options.store.list(this.options.prefix, { limit: 10_000, ...(continueToken ? { continue: continueToken } : {}) });
      revision = page.revision;
      for (const kv of page.items) {
        const cached = this.toCached(kv);
        if (!cached) continue;
        let objects = fresh.get(cached.cluster);
        if (!objects) fresh.set(cached.cluster, (objects = new Map<string, CachedObject>()));
        objects.set(cached.key, cached);
        size++;
      }
      continueToken = page.continue;
    } while (continueToken && !signal.aborted);
    const relist = this.loaded;
    this.loaded = true;
    this.byCluster.clear();
    for (const [cluster, objects] of fresh) this.byCluster.set(cluster, objects);
    this.size = size;
    this.revision = revision;
    this.historyFloor = revision;
    this.historyStart = 0;
    this.historyLength = 0;
    this.history.fill(undefined);
    if (relist) {
      for (const w of this.allWatchers()) w.stop('relist');
      this.watchersByCluster.clear();
      this.wildcardWatchers.clear();
      this.bookmarks.clear();
    }
    this.resolveWaiters();
  }

  private toCached(kv: KeyValue): CachedObject | undefined {
    const parsed = parseObjectKey(this.options.prefix, kv.key, this.options.namespaced);
    if (!parsed) return undefined;
    return new StoredObject(kv.key, parsed.cluster, parsed.namespace, parsed.name, kv.modRevision, kv, this.options.decode);
  }

  private apply(event: StoreEvent): Promise<void> | undefined {
    if (event.type === 'progress') {
      // the revision advances (bookmarks carry it); as upstream's cacher, the notification itself goes to no watcher
      if (event.revision > this.revision) {
        this.revision = event.revision;
        this.resolveWaiters();
      }
      return;
    }
    let cacheEvent: CacheEvent | undefined;
    if (event.type === 'put') {
      const cached = this.toCached(event.kv);
      if (cached) {
        let objects = this.byCluster.get(cached.cluster);
        if (!objects) this.byCluster.set(cached.cluster, (objects = new Map<string, CachedObject>()));
        const previous = objects.get(cached.key);
        objects.set(cached.key, cached);
        if (!previous) this.size++;
        cacheEvent = {
          type: previous ? 'MODIFIED' : 'ADDED',
          revision: event.kv.modRevision,
          object: cached,
          ...(previous ? { previous } : {}),
          encoded: new Map(),
        };
      }
      this.revision = event.kv.modRevision;
    } else {
      const parsed = parseObjectKey(this.options.prefix, event.key, this.options.namespaced);
      if (parsed) {
        const objects = this.byCluster.get(parsed.cluster);
        const previous = objects?.get(event.key);
        if (objects && previous) {
          objects.delete(event.key);
          this.size--;
          if (objects.size === 0) this.byCluster.delete(parsed.cluster);
        }
        const last = { ...event.prevKv, modRevision: event.revision };
        const object = new StoredObject(event.key, parsed.cluster, parsed.namespace, parsed.name, event.revision, last, this.options.decode);
        cacheEvent = { type: 'DELETED', revision: event.revision, object, ...(previous ? { previous } : {}), encoded: new Map() };
      }
      this.revision = event.revision;
    }
    let delivering: Promise<void> | undefined;
    if (cacheEvent) {
      this.record(cacheEvent);
      delivering = this.dispatch(cacheEvent);
    }
    this.resolveWaiters();
    return delivering;
  }

  /**
   * Appends an event to the history, dropping the oldest when it is full. A
   * full history first adapts its capacity, as upstream's watch cache does:
   * it doubles (up to `historySize`) while even its oldest event is fresh,
   * and halves (down to {@link HISTORY_MIN_SIZE}) once the newest quarter
   * starts before the fresh window, so it holds about what the window
   * brought whatever the rate, instead of `historySize` events for ever.
   */
  private record(event: CacheEvent): void {
    if (this.maxHistory === 0) return;
    const now = this.now();
    if (this.historyLength === this.history.length) this.adaptHistory(now);
    const capacity = this.history.length;
    const index = (this.historyStart + this.historyLength) % capacity;
    if (this.historyLength === capacity) this.historyFloor = this.history[index]!.revision;
    this.history[index] = event;
    this.recordedAt[index] = now;
    if (this.historyLength < capacity) {
      this.historyLength++;
    } else {
      this.historyStart = (this.historyStart + 1) % capacity;
    }
  }

  private adaptHistory(now: number): void {
    const capacity = this.history.length;
    if (now - this.recordedAt[this.historyStart]! < this.historyFreshMs) {
      if (capacity < this.maxHistory) this.resizeHistory(Math.min(capacity * 2, this.maxHistory));
      return;
    }
    const newestQuarter = (this.historyStart + capacity - Math.floor(capacity / 4)) % capacity;
    if (now - this.recordedAt[newestQuarter]! > this.historyFreshMs && capacity > this.minHistory) {
      this.resizeHistory(Math.max(Math.floor(capacity / 2), this.minHistory));
    }
  }

  /** Moves the history into a ring of `capacity`, keeping its newest events (the floor moves past those dropped). */
  private resizeHistory(capacity: number): void {
    const old = this.history;
    const oldAt = this.recordedAt;
    const dropped = Math.max(0, this.historyLength - capacity);
    if (dropped > 0) this.historyFloor = old[(this.historyStart + dropped - 1) % old.length]!.revision;
    this.history = new Array<CacheEvent | undefined>(capacity);
    this.recordedAt = new Array<number>(capacity).fill(0);
    for (let i = dropped; i < this.historyLength; i++) {
      const from = (this.historyStart + i) % old.length;
      this.history[i - dropped] = old[from];
      this.recordedAt[i - dropped] = oldAt[from]!;
    }
    this.historyStart = 0;
    this.historyLength -= dropped;
  }

  /** The history's capacity now (it follows the event rate): for tests. */
  historyCapacity(): number {
    return this.history.length;
  }

  /**
   * Hands the event to the watchers of its cluster and namespace: at once
   * when they are few; otherwise in slices of {@link DISPATCH_SLICE} with the
   * event loop turning in between (the promise settles after the last), so the
   * transport sends each slice's bytes while the next is written, and requests
   * are served meanwhile. The watchers are those registered when the event
   * was applied: one registered later started from a state that includes it.
   */
  private dispatch(event: CacheEvent): Promise<void> | undefined {
    const { cluster, namespace } = event.object;
    const watchers = this.watchersByCluster.get(cluster);
    const wildcard = this.wildcardWatchers.size > 0 ? this.wildcardWatchers : undefined;
    if ((watchers?.countFor(namespace) ?? 0) + (wildcard?.countFor(namespace) ?? 0) <= DISPATCH_SLICE) {
      if (watchers) this.deliverToSet(watchers, namespace, event);
      if (wildcard) this.deliverToSet(wildcard, namespace, event);
      return undefined;
    }
    const targets: CacheWatcher[] = [];
    watchers?.collect(namespace, targets);
    wildcard?.collect(namespace, targets);
    return this.deliverInSlices(event, targets);
  }

  private async deliverInSlices(event: CacheEvent, targets: CacheWatcher[]): Promise<void> {
    // watchers removed while the slices are handed over (rare: a lookup only when there are some)
    const removed = (this.removedDuringDispatch = new Set());
    this.dispatching = [];
    try {
      for (let start = 0; start < targets.length; start += DISPATCH_SLICE) {
        if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const end = Math.min(start + DISPATCH_SLICE, targets.length);
        for (let i = start; i < end; i++) {
          const watcher = targets[i]!;
          if (removed.size === 0 || !removed.has(watcher)) this.deliverTo(watcher, event);
        }
      }
    } finally {
      this.removedDuringDispatch = undefined;
      const waiting = this.dispatching;
      this.dispatching = undefined;
      for (const resume of waiting ?? []) resume();
    }
  }

  /**
   * A bookmark round (from the schedule's timer): each due watcher that is
   * still registered gets a bookmark at the cache's revision and is
   * scheduled for its next one. Handed over in slices as events are, and
   * never in the middle of an event's slices: a bookmark's revision is one
   * whose events every watcher has been handed.
   */
  private sendBookmarks(due: CacheWatcher[][]): void {
    const targets = due.length === 1 ? due[0]! : due.flat();
    this.deliverBookmarks(targets).catch((err: unknown) => this.options.onError?.(err));
  }

  private async deliverBookmarks(targets: CacheWatcher[]): Promise<void> {
    let encoded = new Map<string, Buffer>();
    let encodedAt = -1;
    for (let start = 0; start < targets.length; start += DISPATCH_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (let dispatching = this.dispatching; dispatching !== undefined; dispatching = this.dispatching) {
        await new Promise<void>((resolve) => dispatching!.push(resolve));
      }
      const revision = this.revision;
      if (revision !== encodedAt) {
        encoded = new Map();
        encodedAt = revision;
      }
      const now = Date.now();
      const end = Math.min(start + DISPATCH_SLICE, targets.length);
      for (let i = start; i < end; i++) {
        const watcher = targets[i]!;
        if (!this.isRegistered(watcher) || watcher.bookmark?.(revision, encoded) !== true) continue;
        this.scheduleBookmark(watcher, now);
      }
    }
  }

  private scheduleBookmark(watcher: CacheWatcher, now: number): void {
    const at = watcher.nextBookmarkTime?.(now);
    if (at !== undefined) this.bookmarks.add(watcher, at);
  }

  private isRegistered(watcher: CacheWatcher): boolean {
    if (watcher.cluster === '*') return this.wildcardWatchers.has(watcher);
    return this.watchersByCluster.get(watcher.cluster)?.has(watcher) ?? false;
  }

  private deliverToSet(watchers: WatcherSet, namespace: string, event: CacheEvent): void {
    for (const w of watchers.allNamespaces) this.deliverTo(w, event);
    if (namespace === '') return;
    const inNamespace = watchers.byNamespace.get(namespace);
    if (inNamespace) for (const w of inNamespace) this.deliverTo(w, event);
  }

  private deliverTo(watcher: CacheWatcher, event: CacheEvent): void {
    if (!watcher.deliver(event)) {
      this.removeWatcher(watcher);
      watcher.stop('overflow');
    }
  }

  private *allWatchers(): Iterable<CacheWatcher> {
    for (const set of this.watchersByCluster.values()) yield* set.watchers();
    yield* this.wildcardWatchers.watchers();
  }

  /** The objects of one logical cluster (or all), unordered. */
  *objects(cluster: ClusterName | '*'): Iterable<CachedObject> {
    if (cluster === '*') {
      for (const objects of this.byCluster.values()) yield* objects.values();
      return;
    }
    const objects = this.byCluster.get(cluster);
    if (objects) yield* objects.values();
  }

  /** One object by key. */
  get(cluster: ClusterName, key: string): CachedObject | undefined {
    return this.byCluster.get(cluster)?.get(key);
  }

  /** Whether a watch may resume after `revision` from the cache's history. */
  canResumeFrom(revision: number): boolean {
    return this.loaded && revision >= this.historyFloor;
  }

  /** The retained events after `revision`, in order (see {@link canResumeFrom}). */
  *eventsAfter(revision: number): Iterable<CacheEvent> {
    const capacity = this.history.length;
    for (let i = 0; i < this.historyLength; i++) {
      const event = this.history[(this.historyStart + i) % capacity]!;
      if (event.revision > revision) yield event;
    }
  }

  /**
   * Registers a watcher. Call synchronously right after reading the state or
   * history it starts from, so no event falls in between.
   */
  addWatcher(watcher: CacheWatcher): void {
    if (watcher.cluster === '*') {
      this.wildcardWatchers.add(watcher);
    } else {
      let set = this.watchersByCluster.get(watcher.cluster);
      if (!set) this.watchersByCluster.set(watcher.cluster, (set = new WatcherSet()));
      set.add(watcher);
    }
    if (watcher.nextBookmarkTime !== undefined) this.scheduleBookmark(watcher, Date.now());
  }

  /**
   * Ends the watches of `cluster` that serve `version` (their resource is no
   * longer served there: its CRD was deleted, or changed), after the lines
   * they hold, as upstream tears down a CRD's storage and with it every watch
   * on it; clients relist and get 404. Returns how many ended.
   */
  endWatches(cluster: ClusterName, version: string): number {
    const set = this.watchersByCluster.get(cluster);
    if (!set) return 0;
    const ending: CacheWatcher[] = [];
    for (const watcher of set.watchers()) if (watcher.version === version) ending.push(watcher);
    for (const watcher of ending) {
      this.removeWatcher(watcher);
      watcher.stop('unserved');
    }
    return ending.length;
  }

  /**
   * Calls `onEvent` with every event of every logical cluster (a controller's
   * one watcher for all of them); returns its removal. Register it as
   * {@link addWatcher} says, right after reading the state it starts from.
   */
  observe(onEvent: (event: CacheEvent) => void): () => void {
    const watcher: CacheWatcher = {
      cluster: '*',
      deliver: (event) => {
        onEvent(event);
        return true;
      },
      stop: () => {},
    };
    this.addWatcher(watcher);
    return () => this.removeWatcher(watcher);
  }

  /** Unregisters a watcher (idempotent). */
  removeWatcher(watcher: CacheWatcher): void {
    this.removedDuringDispatch?.add(watcher);
    if (watcher.cluster === '*') {
      this.wildcardWatchers.delete(watcher);
    } else {
      const set = this.watchersByCluster.get(watcher.cluster);
      if (!set) return;
      set.delete(watcher);
      if (set.size === 0) this.watchersByCluster.delete(watcher.cluster);
    }
    // the last watcher gone: the ended ones waiting for a bookmark go too, and the timer with them
    if (this.watchersByCluster.size === 0 && this.wildcardWatchers.size === 0) this.bookmarks.clear();
  }

  /** How many watchers are registered (for leak tests and metrics). */
  watcherCount(): number {
    let n = this.wildcardWatchers.size;
    for (const set of this.watchersByCluster.values()) n += set.size;
    return n;
  }

  /** How many watchers wait for a bookmark (ended ones until theirs is due), and whether the cache's bookmark timer is armed (for leak tests). */
  bookmarkSchedule(): { waiting: number; armed: boolean } {
    return { waiting: this.bookmarks.size(), armed: this.bookmarks.armed() };
  }

  /** How many logical clusters hold objects or watchers here (for leak tests). */
  clusterEntryCount(): number {
    return new Set([...this.byCluster.keys(), ...this.watchersByCluster.keys()]).size;
  }

  /**
   * Resolves once the cache has applied everything up to `revision`; rejects
   * with `TooLargeResourceVersionError` after `timeoutMs`.
   */
  async waitForRevision(revision: number, timeoutMs = 3_000, signal?: AbortSignal): Promise<void> {
    await this.ready;
    if (this.revision >= revision) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = { revision, resolve: () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = () => { remove(); reject(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason))); };
      const remove = () => {
        const i = this.revisionWaiters.indexOf(waiter);
        if (i >= 0) this.revisionWaiters.splice(i, 1);
      };
      const timer = setTimeout(() => {
        remove();
        signal?.removeEventListener('abort', onAbort);
        reject(new TooLargeResourceVersionError(revision, this.revision));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.revisionWaiters.push(waiter);
    });
  }

  private resolveWaiters(): void {
    if (this.revisionWaiters.length === 0) return;
    for (const waiter of [...this.revisionWaiters]) {
      if (waiter.revision <= this.revision) {
        this.revisionWaiters.splice(this.revisionWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

/**
 * The most watchers one event is handed to before the event loop turns (see
 * `WatchCache.dispatch`): about a millisecond of writes. Measured with 10,000
 * HTTP/2 watchers: slices of 250 cost ~25% less server CPU per watcher than
 * one pass (the transport sends a slice's frames while they are fresh) and
 * the first watchers have the event after one slice, not after all.
 */
const DISPATCH_SLICE = 250;

/**
 * The watchers of one logical cluster (or of all of them), by the namespace
 * they follow: an event reaches only the watchers of its namespace and those
 * of all namespaces, so watchers of other namespaces cost it nothing.
 */
class WatcherSet {
  readonly allNamespaces = new Set<CacheWatcher>();
  readonly byNamespace = new Map<string, Set<CacheWatcher>>();
  size = 0;

  add(watcher: CacheWatcher): void {
    const namespace = watcher.namespace ?? '';
    let set = this.allNamespaces;
    if (namespace !== '') {
      let inNamespace = this.byNamespace.get(namespace);
      if (!inNamespace) this.byNamespace.set(namespace, (inNamespace = new Set()));
      set = inNamespace;
    }
    if (set.has(watcher)) return;
    set.add(watcher);
    this.size++;
  }

  /** How many watchers an event of `namespace` (`''`: a cluster-scoped object) goes to. */
  countFor(namespace: string): number {
    return this.allNamespaces.size + (namespace === '' ? 0 : (this.byNamespace.get(namespace)?.size ?? 0));
  }

  /** Appends the watchers an event of `namespace` goes to. */
  collect(namespace: string, into: CacheWatcher[]): void {
    for (const w of this.allNamespaces) into.push(w);
    if (namespace === '') return;
    const inNamespace = this.byNamespace.get(namespace);
    if (inNamespace) for (const w of inNamespace) into.push(w);
  }

  has(watcher: CacheWatcher): boolean {
    const namespace = watcher.namespace ?? '';
    return namespace === '' ? this.allNamespaces.has(watcher) : (this.byNamespace.get(namespace)?.has(watcher) ?? false);
  }

  delete(watcher: CacheWatcher): void {
    const namespace = watcher.namespace ?? '';
    if (namespace === '') {
      if (this.allNamespaces.delete(watcher)) this.size--;
      return;
    }
    const inNamespace = this.byNamespace.get(namespace);
    if (!inNamespace?.delete(watcher)) return;
    this.size--;
    if (inNamespace.size === 0) this.byNamespace.delete(namespace);
  }

  clear(): void {
    this.allNamespaces.clear();
    this.byNamespace.clear();
    this.size = 0;
  }

  *watchers(): Iterable<CacheWatcher> {
    yield* this.allNamespaces;
    for (const set of this.byNamespace.values()) yield* set;
  }
}

/** A resourceVersion newer than anything the cache has seen within the wait. */
export class TooLargeResourceVersionError extends Error {
  override readonly name = 'TooLargeResourceVersionError';
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`Too large resource version: ${requested}, current: ${current}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
