import { copyBytes, validateCount, validateTxn, validateValue } from './arguments';
import { decodeContinueToken, encodeContinueToken, remainingAfterPage } from './continue-token';
import { storageErrors } from './errors';
import { validateKey, validatePrefix } from './keys';
import { type CompactionOptions, type PeriodicCompactor, periodicCompactor } from './periodic-compactor';
import { SortedKeys } from './sorted-keys';
import type {
  DeleteResult,
  GetOptions,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  TxnCompare,
  TxnOp,
  TxnResult,
  WatchEvent,
  WatchOptions,
} from './store';
import { WatchHub, type WatchHistory, watchHubOptions } from './watch-hub';
import { type PendingWrite, type WriteOutcome, WriteGroups, settle } from './write-groups';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The prefix of every key. Default `/registry/`. */
  keyPrefix?: string;
  /** Periodic compaction (default: every 5 minutes, keeping 5 minutes); `false` to compact only on request. */
  compaction?: CompactionOptions | false;
  /** Progress interval of watches that do not set one, in milliseconds (0: never). Default 10 seconds. */
  watchProgressIntervalMs?: number;
  /** Events a watch buffers for a lagging consumer before it re-reads history instead. Default 10 000. */
  maxBufferedWatchEvents?: number;
}

/** One write of a key: a value, or a deletion (`value` undefined). */
interface Version {
  readonly revision: number;
  readonly createRevision: number;
  readonly value: Uint8Array | undefined;
}

type ChangeEvent = Exclude<WatchEvent, { type: 'progress' }>;

/**
 * The in-memory engine: MVCC history per key, the keys in order for range
 * scans ({@link SortedKeys}), and an event log (one entry per revision) for
 * watch replay. Every operation is synchronous inside, so CAS needs no
 * locking.
 *
 * Writes commit in groups, as in the durable engines: those issued in the same
 * turn of the event loop are applied together after its I/O, in order, each
 * checked and failing on its own, their events published to the watches once,
 * their promises settled together. Reads see a write once it has committed.
 *
 * Cost model: point reads O(1) (a map); a new key O(log n) comparisons plus a
 * move of at most one chunk of keys; range reads O(log n + range); compaction
 * O(writes compacted), plus O(n) when keys leave for good.
 */
export class MemoryStore implements Store {
  readonly keyPrefix: string;
  #revision = 1;
  #compacted = 0;
  readonly #versions = new Map<string, Version[]>();
  /** every key with retained history, in UTF-8 byte order */
  readonly #sortedKeys = new SortedKeys();
  /** `#log[i]` is the event of revision `#logBase + i` */
  #log: ChangeEvent[] = [];
  #logBase = 2;
  readonly #hub: WatchHub;
  readonly #compactor: PeriodicCompactor | undefined;
  #closed = false;
  readonly #writes = new WriteGroups((batch) => this.#commit(batch));
  /** events of the group being committed */
  #events: ChangeEvent[] = [];

  /** Use {@link createMemoryStore}. */
  constructor(options: MemoryStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? '/registry/';
    if (typeof this.keyPrefix !== 'string' || !this.keyPrefix.startsWith('/')) {
      throw storageErrors.invalidKey(String(this.keyPrefix), 'the store prefix must start with "/"');
    }
    validatePrefix(this.keyPrefix, this.keyPrefix);
    const history: WatchHistory = {
      readEvents: (start, _end, after, limit) => this.#readEvents(start, after, limit),
      currentRevision: () => this.#revision,
    };
    this.#hub = new WatchHub(history, this.keyPrefix, watchHubOptions(options));
    this.#compactor = periodicCompactor(options.compaction, {
      currentRevision: () => this.#revision,
      compactedRevision: () => this.#compacted,
      compact: (revision) => this.compact(revision),
    });
  }

  /** Starts periodic compaction (called by {@link createMemoryStore}). */
  start(): void {
    this.#compactor?.start();
  }

  /** How many watches are open: a leak check for tests. */
  activeWatchCount(): number {
    return this.#hub.activeCount;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  async compactedRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compacted;
  }

  async get(key: string, options: GetOptions = {}): Promise<KeyValue | undefined> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    const revision = this.#readRevision(options.revision);
    return this.#kvAt(key, revision);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    validatePrefix(this.keyPrefix, prefix);
    const limit = options.limit ?? 0;
    validateCount(limit, 'limit');
    let revision: number;
    let from: string;
    let exclusive: boolean;
    let previousRemaining: number | undefined;
    if (options.continue !== undefined && options.continue !== '') {
      const position = decodeContinueToken(prefix, options.continue);
      revision = this.#continueRevision(position.revision);
      from = position.lastKey;
      exclusive = true;
      previousRemaining = position.remaining;
    } else {
      revision = this.#readRevision(options.revision);
      from = prefix;
      exclusive = false;
    }
    const items: KeyValue[] = [];
    let more = false;
    this.#sortedKeys.scan(from, exclusive, (key) => {
      if (!key.startsWith(prefix)) return false;
      const kv = this.#kvAt(key, revision);
      if (kv === undefined) return true;
      if (limit !== 0 && items.length === limit) {
        more = true;
        return false;
      }
      items.push(kv);
      return true;
    });
    const last = items[items.length - 1];
    if (!more || last === undefined) return { items, revision, remaining: 0 };
    const remaining = remainingAfterPage(previousRemaining, items.length, () => {
      let n = 0;
      this.#sortedKeys.scan(last.key, true, (key) => {
        if (!key.startsWith(prefix)) return false;
        if (this.#kvAt(key, revision) !== undefined) n++;
        return true;
      });
      return n;
    });
    return {
      items,
      revision,
      remaining,
      continue: encodeContinueToken(prefix, { revision, lastKey: last.key, remaining }),
    };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    validatePrefix(this.keyPrefix, prefix);
    let n = 0;
    this.#sortedKeys.scan(prefix, false, (key) => {
      if (!key.startsWith(prefix)) return false;
      if (this.#latest(key)?.value !== undefined) n++;
      return true;
    });
    return n;
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    validateValue(key, value);
    const bytes = copyBytes(value);
    return this.#writes.enqueue(() => {
      if (this.#live(key) !== undefined) throw storageErrors.keyExists(key);
      return this.#put(key, bytes);
    });
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<KeyValue> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    validateValue(key, value);
    validateCount(expectedModRevision, 'expectedModRevision');
    const bytes = copyBytes(value);
    return this.#writes.enqueue(() => {
      const current = this.#live(key);
      if (current === undefined) throw storageErrors.keyNotFound(key);
      if (current.revision !== expectedModRevision) {
        throw storageErrors.conflict(key, expectedModRevision, current.revision);
      }
      return this.#put(key, bytes);
    });
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    if (expectedModRevision !== undefined) validateCount(expectedModRevision, 'expectedModRevision');
    return this.#writes.enqueue((): DeleteResult => {
      const current = this.#live(key);
      if (current === undefined) throw storageErrors.keyNotFound(key);
      if (expectedModRevision !== undefined && current.revision !== expectedModRevision) {
        throw storageErrors.conflict(key, expectedModRevision, current.revision);
      }
      return { prevKv: toKeyValue(key, current), revision: this.#delete(key, current) };
    });
  }

  async txn(compares: TxnCompare[], ops: TxnOp[]): Promise<TxnResult> {
    this.#checkOpen();
    validateTxn(this.keyPrefix, compares, ops);
    const values = ops.map((op) => (op.type === 'put' ? copyBytes(op.value) : undefined));
    return this.#writes.enqueue((): TxnResult => {
      for (const compare of compares) {
        if ((this.#live(compare.key)?.revision ?? 0) !== compare.modRevision) {
          return { succeeded: false, revision: this.#revision, puts: [] };
        }
      }
      const puts: KeyValue[] = [];
      ops.forEach((op, i) => {
        if (op.type === 'put') puts.push(this.#put(op.key, values[i]!));
        else {
          const current = this.#live(op.key);
          if (current !== undefined) this.#delete(op.key, current);
        }
      });
      return { succeeded: true, revision: this.#revision, puts };
    });
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return this.#hub.watch(prefix, options);
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    validateCount(revision, 'revision');
    if (revision > this.#revision) throw storageErrors.futureRevision(revision, this.#revision);
    if (revision <= this.#compacted) return;
    this.#compacted = revision;
    // the log holds exactly the writes since the last compaction: their keys are the ones to prune
    const drop = Math.max(0, revision + 1 - this.#logBase);
    const touched = new Set<string>();
    for (let i = 0; i < drop && i < this.#log.length; i++) {
      const event = this.#log[i]!;
      touched.add(event.type === 'put' ? event.kv.key : event.key);
    }
    this.#log = this.#log.slice(drop);
    this.#logBase += drop;
    const emptied = new Set<string>();
    for (const key of touched) {
      const versions = this.#versions.get(key)!;
      let keep = versions.length - 1;
      while (keep > 0 && versions[keep]!.revision > revision) keep--;
      // versions[keep] is the newest at or below the compacted revision (if any is)
      if (versions[keep]!.revision <= revision) {
        if (versions[keep]!.value === undefined) keep++;
        versions.splice(0, keep);
      }
      if (versions.length === 0) {
        this.#versions.delete(key);
        emptied.add(key);
      }
    }
    this.#sortedKeys.deleteAll(emptied);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes.flush(); // queued writes were accepted before close: commit them
    this.#hub.close();
    await this.#compactor?.stop();
  }

  #checkOpen(): void {
    if (this.#closed) throw storageErrors.closed();
  }

  /** A read revision: 0/absent is current; it must be retained and not in the future. */
  #readRevision(revision: number | undefined): number {
    if (revision === undefined) return this.#revision;
    validateCount(revision, 'revision');
    if (revision === 0) return this.#revision;
    if (revision > this.#revision) throw storageErrors.futureRevision(revision, this.#revision);
    if (revision < this.#compacted) throw storageErrors.compacted(revision, this.#compacted, this.#revision);
    return revision;
  }

  #continueRevision(revision: number): number {
    if (revision > this.#revision) throw storageErrors.invalidContinue('its revision is newer than the store');
    if (revision < this.#compacted) throw storageErrors.compacted(revision, this.#compacted, this.#revision);
    return revision;
  }

  #latest(key: string): Version | undefined {
    const versions = this.#versions.get(key);
    return versions?.[versions.length - 1];
  }

  /** The key's current version if it exists (not deleted). */
  #live(key: string): Version | undefined {
    const version = this.#latest(key);
    return version?.value === undefined ? undefined : version;
  }

  #kvAt(key: string, revision: number): KeyValue | undefined {
    const versions = this.#versions.get(key);
    if (versions === undefined) return undefined;
    // newest version at or below the revision; histories are short after compaction
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i]!;
      if (version.revision <= revision) return version.value === undefined ? undefined : toKeyValue(key, version);
    }
    return undefined;
  }

  /** Commits a group of writes in order, publishes their events once, then settles them. */
  #commit(batch: PendingWrite[]): void {
    // a write's checks throw before it changes anything: one that fails leaves no trace
    const outcomes = batch.map((write): WriteOutcome => {
      try {
        return { ok: true, value: write.apply() };
      } catch (err) {
        return { ok: false, err };
      }
    });
    const events = this.#events;
    this.#events = [];
    if (events.length > 0) this.#hub.publish(events, this.#revision);
    settle(batch, outcomes);
  }

  /** Writes a value (owned by the store) at the next revision. */
  #put(key: string, value: Uint8Array): KeyValue {
    const revision = ++this.#revision;
    const previous = this.#live(key);
    const version: Version = { revision, createRevision: previous?.createRevision ?? revision, value };
    this.#append(key, version);
    const kv = toKeyValue(key, version);
    this.#record(previous === undefined ? { type: 'put', kv } : { type: 'put', kv, prevKv: toKeyValue(key, previous) });
    return kv;
  }

  /** Deletes the live key at the next revision; returns that revision. */
  #delete(key: string, current: Version): number {
    const revision = ++this.#revision;
    this.#append(key, { revision, createRevision: current.createRevision, value: undefined });
    this.#record({ type: 'delete', key, revision, prevKv: toKeyValue(key, current) });
    return revision;
  }

  #record(event: ChangeEvent): void {
    this.#log.push(event);
    this.#events.push(event);
  }

  #append(key: string, version: Version): void {
    const versions = this.#versions.get(key);
    if (versions !== undefined) {
      versions.push(version);
      return;
    }
    this.#versions.set(key, [version]);
    this.#sortedKeys.insert(key);
  }

  #readEvents(prefix: string, afterRevision: number, limit: number): WatchEvent[] {
    if (this.#closed) throw storageErrors.closed();
    if (afterRevision < this.#compacted) {
      throw storageErrors.compacted(afterRevision, this.#compacted, this.#revision);
    }
    const events: WatchEvent[] = [];
    for (let i = Math.max(0, afterRevision + 1 - this.#logBase); i < this.#log.length; i++) {
      const event = this.#log[i]!;
      if ((event.type === 'put' ? event.kv.key : event.key).startsWith(prefix)) {
        events.push(event);
        if (events.length === limit) break;
      }
    }
    return events;
  }
}

function toKeyValue(key: string, version: Version): KeyValue {
  return { key, value: version.value!, createRevision: version.createRevision, modRevision: version.revision };
}

/**
 * An in-memory {@link Store}: for tests, benchmarks and throwaway servers.
 * Nothing survives the process.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const store = new MemoryStore(options);
  store.start();
  return store;
}
