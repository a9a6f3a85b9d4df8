import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { dirname } from 'node:path';
import { copyBytes, validateCount, validateTxn, validateValue } from '../arguments';
import { decodeContinueToken, encodeContinueToken, remainingAfterPage } from '../continue-token';
import { type StorageError, isStorageError, storageErrors } from '../errors';
import { prefixEnd, validateKey, validatePrefix } from '../keys';
import { type CompactionOptions, type PeriodicCompactor, compactionErrorHandler, periodicCompactor } from '../periodic-compactor';
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
} from '../store';
import { WatchHub, watchHubOptions } from '../watch-hub';
import { type PendingWrite, type WriteOutcome, WriteGroups, settle } from '../write-groups';
import { COMPACT_KEY, openDatabase, toStorageError } from './schema';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; created (with its directory) if absent. */
  path: string;
  /** The prefix of every key; must start with `/`. Default `/registry/`. */
  keyPrefix?: string;
  /**
   * `full` (default): every acknowledged write is on disk and survives a power
   * loss, as with etcd: the write-ahead log is fsynced (fdatasync, on libuv's
   * thread pool, or on the event loop for a lone write after a lone write)
   * after a group commits and before its writes are acknowledged, published
   * to watches or visible to reads. `normal`: no
   * fsync per commit; acknowledged writes survive a crash of the process
   * (SIGKILL, OOM) but the last ones may be lost, never half-applied, on an
   * OS crash or power loss.
   */
  synchronous?: 'full' | 'normal';
  /** Periodic compaction (default: every 5 minutes, keeping 5 minutes); `false` to compact only on request. */
  compaction?: CompactionOptions | false;
  /** Revisions swept per SQLite transaction when compacting, between which the event loop runs. Default 1000. */
  compactionBatchSize?: number;
  /** Progress interval of watches that do not set one, in milliseconds (0: never). Default 10 seconds. */
  watchProgressIntervalMs?: number;
  /** Events a watch buffers for a lagging consumer before it re-reads history instead. Default 10 000. */
  maxBufferedWatchEvents?: number;
  /** How long to wait for a lock held by another process when opening. Default 0: fail at once with `Unavailable`. */
  busyTimeoutMs?: number;
}

/** Counters of the write path, for tests and metrics. */
export interface SqliteStoreStats {
  /** SQLite transactions committed by the write queue (one per group of writes) */
  readonly commits: number;
  /** fsyncs of the write-ahead log (`synchronous: 'full'`); one covers every group committed before it started */
  readonly syncs: number;
  /** write calls (create, update, delete, txn) processed, successful or not */
  readonly writes: number;
  /** the largest group of writes committed in one transaction */
  readonly largestBatch: number;
  /** revisions whose superseded rows have been deleted */
  readonly sweptRevision: number;
}

/** What a store resumes from: three index lookups at open, whatever the size of the database. */
interface PersistedState {
  /** the newest revision ever written (AUTOINCREMENT's sequence, which survives compaction of the newest rows) */
  revision: number;
  compacted: number;
  swept: number;
}

interface Row {
  id: number;
  created: number;
  deleted: number;
  create_revision: number;
  value: Buffer | null;
}

interface EventRow extends Row {
  name: string;
  prev_revision: number;
  old_value: Buffer | null;
}

type ChangeEvent = Exclude<WatchEvent, { type: 'progress' }>;

/** A committed group of writes, acknowledged once it is durable. */
interface Committed {
  batch: PendingWrite[];
  outcomes: WriteOutcome[];
  events: ChangeEvent[];
  /** the newest revision it wrote */
  revision: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * The embedded durable engine: SQLite (better-sqlite3) in the k3s/kine model.
 * One table of revisions (row id = revision); every write appends a row; a
 * key's state at revision R is its newest row with id ≤ R. Writes issued in the
 * same turn of the event loop are committed together in one SQLite
 * transaction (group commit), each still checked and failing on its own.
 * With `synchronous: 'full'` SQLite commits without fsync and the store
 * fsyncs the write-ahead log, off the event loop for a group of several
 * writes (a lone write after a lone write is fsynced on it), one fsync at a
 * time; a group's writes are acknowledged, published and readable only once
 * that fsync returns. Reads are bounded by the durable
 * revision, so rows written but not yet synced are invisible to them.
 * Watches are fed in-process from the committed rows.
 */
export class SqliteStore implements Store {
  readonly keyPrefix: string;
  readonly #db: Database.Database;
  readonly #hub: WatchHub;
  readonly #compactor: PeriodicCompactor | undefined;
  readonly #batchSize: number;
  readonly #onCompactionError: (err: unknown) => void;
  /** the newest durable revision: reads and watches go up to it (a group being fsynced is beyond it) */
  #revision: number;
  #compacted: number;
  #swept: number;
  #closed = false;
  /** a group's writes run inside its transaction; their promises settle after the commit */
  readonly #writes = new WriteGroups((batch) => this.#commit(batch));
  /** revision assigned to the next row inside the running group transaction */
  #next = 0;
  /** events of the running group transaction */
  #events: ChangeEvent[] = [];
  #sweeping: Promise<void> | undefined;
  /** the write-ahead log, fsynced before acknowledging (`synchronous: 'full'`); undefined with `normal` */
  readonly #wal: WalSync | undefined;
  /** an fsync of the log is running; writes flushed meanwhile wait in #waiting for the next commit */
  #syncing = false;
  #waiting: PendingWrite[] = [];
  /** the previous group that wrote was one write that had not waited for an fsync: writes come one at a time */
  #oneAtATime = true;
  /** called when no write waits for a commit or an fsync (close waits for it) */
  #drained: (() => void) | undefined;
  /** set when an fsync failed: the store then refuses everything */
  #failed: StorageError | undefined;
  #stats = { commits: 0, writes: 0, largestBatch: 0, syncs: 0 };
  readonly #sql: ReturnType<typeof prepare>;
  readonly #group: Database.Transaction<(batch: PendingWrite[]) => unknown[]>;
  readonly #isolated: Database.Transaction<(batch: PendingWrite[]) => unknown[]>;
  readonly #one: Database.Transaction<(write: PendingWrite) => unknown>;

  /** Use {@link openSqliteStore}. */
  constructor(db: Database.Database, options: SqliteStoreOptions, state: PersistedState, wal?: WalSync) {
    this.#db = db;
    this.#wal = wal;
    this.keyPrefix = options.keyPrefix ?? '/registry/';
    this.#batchSize = options.compactionBatchSize ?? 1000;
    this.#onCompactionError = compactionErrorHandler(options.compaction);
    this.#sql = prepare(db);
    this.#revision = state.revision;
    this.#compacted = state.compacted;
    this.#swept = state.swept;
    this.#one = db.transaction((write: PendingWrite) => write.apply());
    // A write's own checks (exists, revision) throw before it writes anything, so a group runs its
    // writes straight in one transaction; only SQLite failing inside a write rolls the group back,
    // and #commit runs it again as #isolated: a savepoint per write, so that one fails alone.
    this.#group = db.transaction((batch: PendingWrite[]) =>
      batch.map((write) => {
        const mark = { next: this.#next, events: this.#events.length };
        try {
          return { ok: true, value: write.apply() };
        } catch (err) {
          if (!isStorageError(err)) throw err;
          this.#next = mark.next;
          this.#events.length = mark.events;
          return { ok: false, err };
        }
      }),
    );
    this.#isolated = db.transaction((batch: PendingWrite[]) =>
      batch.map((write) => {
        const mark = { next: this.#next, events: this.#events.length };
        try {
          return { ok: true, value: this.#one(write) };
        } catch (err) {
          this.#next = mark.next;
          this.#events.length = mark.events;
          return { ok: false, err: toStorageError(err, 'write') };
        }
      }),
    );
    this.#hub = new WatchHub(
      {
        readEvents: (start, end, after, limit) => this.#readEvents(start, end ?? '\u{10FFFF}', after, limit),
        currentRevision: () => this.#revision,
      },
      this.keyPrefix,
      watchHubOptions(options),
    );
    this.#compactor = periodicCompactor(options.compaction, {
      currentRevision: () => this.#revision,
      compactedRevision: () => this.#compacted,
      compact: (revision) => this.compact(revision),
    });
  }

  /** Starts periodic compaction and finishes a sweep interrupted by a restart (called by {@link openSqliteStore}). */
  start(): void {
    this.#compactor?.start();
    if (this.#swept < this.#compacted) this.#startSweep().catch((err: unknown) => this.#onCompactionError(err));
  }

  /** How many watches are open: a leak check for tests. */
  activeWatchCount(): number {
    return this.#hub.activeCount;
  }

  /** Counters of the write path. */
  stats(): SqliteStoreStats {
    return { ...this.#stats, sweptRevision: this.#swept };
  }

  /** The connection's journal mode, synchronous level and locking mode, as SQLite reports them. */
  sqliteSettings(): { journalMode: string; synchronous: number; lockingMode: string } {
    this.#checkOpen();
    return {
      journalMode: this.#db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.#db.pragma('synchronous', { simple: true }) as number,
      lockingMode: this.#db.pragma('locking_mode', { simple: true }) as string,
    };
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
    const row = this.#read(() => this.#sql.at.get(key, revision) as Row | undefined);
    return row === undefined || row.deleted ? undefined : toKeyValue(key, row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    validatePrefix(this.keyPrefix, prefix);
    const limit = options.limit ?? 0;
    validateCount(limit, 'limit');
    const end = prefixEnd(prefix) ?? '\u{10FFFF}';
    let revision: number;
    let start = prefix;
    let after = false;
    let previousRemaining: number | undefined;
    if (options.continue !== undefined && options.continue !== '') {
      const position = decodeContinueToken(prefix, options.continue);
      revision = this.#continueRevision(position.revision);
      start = position.lastKey;
      after = true;
      previousRemaining = position.remaining;
    } else {
      revision = this.#readRevision(options.revision);
    }
    return this.#read(() => {
      const ids: number[] = [];
      let more = false;
      let lastKey = start;
      // newest row per key at the revision, from the covering index; values are fetched for the page only
      for (const row of (after ? this.#sql.pageAfter : this.#sql.pageFrom).iterate(start, end, revision) as Iterable<{
        name: string;
        id: number;
        deleted: number;
      }>) {
        if (row.deleted) continue;
        if (limit !== 0 && ids.length === limit) {
          more = true;
          break;
        }
        ids.push(row.id);
        lastKey = row.name;
      }
      const items = ids.map((id) => {
        const row = this.#sql.byId.get(id) as Row & { name: string };
        return toKeyValue(row.name, row);
      });
      if (!more) return { items, revision, remaining: 0 };
      const remaining = remainingAfterPage(
        previousRemaining,
        items.length,
        () => (this.#sql.countAfter.get(lastKey, end, revision) as { n: number }).n,
      );
      return {
        items,
        revision,
        remaining,
        continue: encodeContinueToken(prefix, { revision, lastKey, remaining }),
      };
    });
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    validatePrefix(this.keyPrefix, prefix);
    const end = prefixEnd(prefix) ?? '\u{10FFFF}';
    return this.#read(() => (this.#sql.countFrom.get(prefix, end, this.#revision) as { n: number }).n);
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    validateValue(key, value);
    const bytes = copyBytes(value);
    return this.#writes.enqueue(() => {
      const latest = this.#latest(key);
      if (latest !== undefined && !latest.deleted) throw storageErrors.keyExists(key);
      return this.#put(key, bytes, latest);
    });
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<KeyValue> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    validateValue(key, value);
    validateCount(expectedModRevision, 'expectedModRevision');
    const bytes = copyBytes(value);
    return this.#writes.enqueue(() => {
      const latest = this.#latest(key);
      if (latest === undefined || latest.deleted) throw storageErrors.keyNotFound(key);
      if (latest.id !== expectedModRevision) throw storageErrors.conflict(key, expectedModRevision, latest.id);
      return this.#put(key, bytes, latest);
    });
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    this.#checkOpen();
    validateKey(this.keyPrefix, key);
    if (expectedModRevision !== undefined) validateCount(expectedModRevision, 'expectedModRevision');
    return this.#writes.enqueue(() => {
      const latest = this.#latest(key);
      if (latest === undefined || latest.deleted) throw storageErrors.keyNotFound(key);
      if (expectedModRevision !== undefined && latest.id !== expectedModRevision) {
        throw storageErrors.conflict(key, expectedModRevision, latest.id);
      }
      return { prevKv: toKeyValue(key, latest), revision: this.#delete(key, latest) };
    });
  }

  async txn(compares: TxnCompare[], ops: TxnOp[]): Promise<TxnResult> {
    this.#checkOpen();
    validateTxn(this.keyPrefix, compares, ops);
    const values = ops.map((op) => (op.type === 'put' ? copyBytes(op.value) : EMPTY));
    return this.#writes.enqueue((): TxnResult => {
      for (const compare of compares) {
        const latest = this.#latest(compare.key);
        const actual = latest === undefined || latest.deleted ? 0 : latest.id;
        if (actual !== compare.modRevision) return { succeeded: false, revision: this.#next - 1, puts: [] };
      }
      const puts: KeyValue[] = [];
      ops.forEach((op, i) => {
        const latest = this.#latest(op.key);
        if (op.type === 'put') puts.push(this.#put(op.key, values[i]!, latest));
        else if (latest !== undefined && !latest.deleted) this.#delete(op.key, latest);
      });
      return { succeeded: true, revision: this.#next - 1, puts };
    });
  }

  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return this.#hub.watch(prefix, options);
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    validateCount(revision, 'revision');
    if (revision > this.#revision) throw storageErrors.futureRevision(revision, this.#revision);
    if (revision > this.#compacted) {
      // the bound moves first (memory and disk), so no read below it starts; rows go afterwards, in batches
      this.#write(() => this.#sql.setCompacted.run(revision), 'compact');
      this.#compacted = revision;
    }
    await this.#startSweep();
    this.#checkOpen();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes.flush(); // queued writes were accepted before close: commit them
    if (this.#syncing) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#hub.close();
    await this.#compactor?.stop();
    await this.#sweeping?.catch(() => undefined); // its caller, or the start-up report, handles the error
    this.#wal?.close();
    this.#db.close();
  }

  #checkOpen(): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#closed) throw storageErrors.closed();
  }

  #read<T>(query: () => T): T {
    try {
      return query();
    } catch (err) {
      throw toStorageError(err, 'read');
    }
  }

  #write<T>(statement: () => T, what: string): T {
    try {
      return statement();
    } catch (err) {
      throw toStorageError(err, what);
    }
  }

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

  // ---- the write path: group commit ----

  /** `queued`: the batch waited for an fsync (writes are coming in faster than one fsync at a time). */
  #commit(batch: PendingWrite[], queued = false): void {
    if (this.#failed !== undefined) {
      for (const write of batch) write.reject(this.#failed);
      return;
    }
    // one commit and one fsync at a time: what arrives during an fsync is the next group,
    // as big as the one SQLite would have made while blocking the event loop in the fsync
    if (this.#syncing) {
      for (const write of batch) this.#waiting.push(write);
      return;
    }
    this.#next = this.#revision + 1;
    this.#events = [];
    let outcomes: WriteOutcome[];
    try {
      try {
        outcomes = this.#group.immediate(batch) as typeof outcomes;
      } catch {
        // SQLite failed inside a write (or at commit): nothing is written; once more, each write on its own
        this.#next = this.#revision + 1;
        this.#events = [];
        outcomes = this.#isolated.immediate(batch) as typeof outcomes;
      }
    } catch (err) {
      // the commit itself failed: nothing of the group is written
      const error = toStorageError(err, 'commit');
      for (const write of batch) write.reject(error);
      return;
    } finally {
      this.#stats.writes += batch.length;
    }
    const events = this.#events;
    this.#events = [];
    if (events.length > 0) {
      this.#stats.commits++;
      this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
    }
    const group = { batch, outcomes, events, revision: this.#next - 1 };
    // a group that wrote nothing read only durable rows (nothing else is pending): it needs no fsync
    if (this.#wal === undefined || events.length === 0) {
      this.#acknowledge(group);
      return;
    }
    const lone = batch.length === 1 && !queued;
    const unhurried = lone && this.#oneAtATime;
    this.#oneAtATime = lone;
    if (unhurried) this.#syncNow(group);
    else this.#sync(group);
  }

  /**
   * A lone write that did not wait for an fsync, after a group that was one
   * such write too: writes come one at a time, so the loop has little to do
   * meanwhile, and handing the fsync to the thread pool and back would cost
   * two thread wake-ups (on the development VM they made a lone write nearly
   * twice as slow as SQLite syncing inside its commit). So it is fsynced
   * here, on the event loop, as SQLite's own FULL would. Under load it goes
   * to the pool like a group: a write that waited for an fsync, and a lone
   * write right after a group of several, when the writers of that group are
   * about to send their next writes (with 64 concurrent writers, blocking
   * the loop there cost about 1 % of it).
   */
  #syncNow(group: Committed): void {
    try {
      this.#wal!.syncNow();
    } catch (err) {
      this.#fail(err, group.batch);
      return;
    }
    this.#stats.syncs++;
    this.#acknowledge(group);
  }

  /** fsyncs the log off the event loop, then acknowledges the group and commits what arrived meanwhile. */
  #sync(group: Committed): void {
    this.#syncing = true;
    this.#wal!.sync((err) => {
      this.#syncing = false;
      const waiting = this.#waiting;
      this.#waiting = [];
      if (err !== null) {
        this.#fail(err, [...group.batch, ...waiting]);
        return;
      }
      this.#stats.syncs++;
      this.#acknowledge(group);
      if (waiting.length > 0) this.#commit(waiting, true);
      if (!this.#syncing) this.#drained?.();
    });
  }

  /** Makes a durable group visible: the revision moves, the watches get its events, the writers their answers. */
  #acknowledge(group: Committed): void {
    if (group.events.length > 0) {
      this.#revision = group.revision;
      this.#hub.publish(group.events, group.revision);
    }
    settle(group.batch, group.outcomes);
  }

  /**
   * An fsync failed: what it covered may not be on disk, and Linux may have
   * dropped the dirty pages, so no later fsync can be trusted to write them.
   * The store stops, as etcd does: every pending write fails, watches end,
   * and every later call fails with this error.
   */
  #fail(cause: unknown, writes: PendingWrite[]): void {
    const error = storageErrors.unavailable(
      `fsync of the write-ahead log failed after revision ${this.#revision}; the store stopped, restart it to recover from disk`,
      cause,
    );
    this.#failed = error;
    for (const write of writes) write.reject(error);
    this.#hub.close(error);
    this.#drained?.();
  }

  #latest(key: string): Row | undefined {
    return this.#sql.latest.get(key) as Row | undefined;
  }

  /** Appends a put row after `previous` (the key's newest row, possibly a tombstone). */
  #put(key: string, value: Buffer, previous: Row | undefined): KeyValue {
    const id = this.#next++;
    const live = previous !== undefined && !previous.deleted ? previous : undefined;
    const createRevision = live?.create_revision ?? id;
    this.#sql.insert.run(
      id,
      key,
      live === undefined ? 1 : 0,
      0,
      createRevision,
      previous?.id ?? 0,
      value,
      live === undefined ? null : live.value,
    );
    const kv: KeyValue = { key, value, createRevision, modRevision: id };
    this.#events.push(live === undefined ? { type: 'put', kv } : { type: 'put', kv, prevKv: toKeyValue(key, live) });
    return kv;
  }

  /** Appends a tombstone after the live row `previous`; returns its revision. */
  #delete(key: string, previous: Row): number {
    const id = this.#next++;
    this.#sql.insert.run(id, key, 0, 1, previous.create_revision, previous.id, null, previous.value);
    this.#events.push({ type: 'delete', key, revision: id, prevKv: toKeyValue(key, previous) });
    return id;
  }

  // ---- watch history ----

  #readEvents(start: string, end: string, afterRevision: number, limit: number): WatchEvent[] {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#closed) throw storageErrors.closed();
    if (afterRevision < this.#compacted) {
      throw storageErrors.compacted(afterRevision, this.#compacted, this.#revision);
    }
    // only what has been published: rows written but not yet synced come with their fsync
    const rows = this.#read(() => this.#sql.events.all(afterRevision, this.#revision, start, end, limit) as EventRow[]);
    return rows.map(toEvent);
  }

  // ---- compaction ----

  /** The running sweep (started if needed); every caller awaits or handles it. */
  #startSweep(): Promise<void> {
    this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  /** Deletes superseded rows and tombstones up to the compacted revision, one batch per turn of the event loop. */
  async #sweep(): Promise<void> {
    while (!this.#closed && this.#swept < this.#compacted) {
      const from = this.#swept;
      const to = Math.min(this.#compacted, from + this.#batchSize);
      this.#write(
        () =>
          this.#db.transaction(() => {
            this.#sql.sweepSuperseded.run(from, to);
            this.#sql.sweepTombstones.run(from, to);
            this.#sql.setSwept.run(to);
          })(),
        'compaction',
      );
      this.#swept = to;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** The write-ahead log file of an open database, fsynced off the event loop. */
class WalSync {
  constructor(private readonly fd: number) {}

  /** fdatasync on libuv's thread pool: a write() of SQLite's that returned before is on disk when `done` runs. */
  sync(done: (err: NodeJS.ErrnoException | null) => void): void {
    fs.fdatasync(this.fd, done);
  }

  /** fdatasync on the calling thread; throws if it fails. */
  syncNow(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * Opens the `-wal` file of the database at `path`, which SQLite has created by
 * its first read in WAL mode and keeps until it closes, and makes its
 * directory entry durable. SQLite holds no lock on this file, so a descriptor
 * of our own cannot release one of SQLite's.
 */
function openWal(path: string): WalSync {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`${path}-wal`, 'r');
    const dir = fs.openSync(dirname(path), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
    return new WalSync(fd);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    throw storageErrors.unavailable(`cannot open the write-ahead log of ${path} for syncing: ${(err as Error).message}`, err);
  }
}

function toKeyValue(key: string, row: Row): KeyValue {
  return { key, value: row.value ?? EMPTY, createRevision: row.create_revision, modRevision: row.id };
}

function toEvent(row: EventRow): ChangeEvent {
  const prevKv = (): KeyValue => ({
    key: row.name,
    value: row.old_value ?? EMPTY,
    createRevision: row.create_revision,
    modRevision: row.prev_revision,
  });
  if (row.deleted) return { type: 'delete', key: row.name, revision: row.id, prevKv: prevKv() };
  const kv = toKeyValue(row.name, row);
  return row.created ? { type: 'put', kv } : { type: 'put', kv, prevKv: prevKv() };
}

function prepare(db: Database.Database) {
  const rowColumns = 'id, created, deleted, create_revision, value';
  return {
    latest: db.prepare(`SELECT ${rowColumns} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
    at: db.prepare(`SELECT ${rowColumns} FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`),
    byId: db.prepare(`SELECT name, ${rowColumns} FROM kine WHERE id = ?`),
    insert: db.prepare(
      `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // SQLite takes `deleted` from the row holding MAX(id) (a documented "bare column"), from the covering index
    pageFrom: db.prepare(
      `SELECT name, MAX(id) AS id, deleted FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name ORDER BY name`,
    ),
    pageAfter: db.prepare(
      `SELECT name, MAX(id) AS id, deleted FROM kine WHERE name > ? AND name < ? AND id <= ? GROUP BY name ORDER BY name`,
    ),
    countFrom: db.prepare(
      `SELECT COUNT(*) AS n FROM (SELECT MAX(id) AS id, deleted FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name) WHERE deleted = 0`,
    ),
    countAfter: db.prepare(
      `SELECT COUNT(*) AS n FROM (SELECT MAX(id) AS id, deleted FROM kine WHERE name > ? AND name < ? AND id <= ? GROUP BY name) WHERE deleted = 0`,
    ),
    // `+name` keeps SQLite on the rowid range: a resume reads the writes since then, not the prefix's whole history
    events: db.prepare(
      `SELECT id, name, created, deleted, create_revision, prev_revision, value, old_value FROM kine
       WHERE id > ? AND id <= ? AND +name >= ? AND +name < ? ORDER BY id LIMIT ?`,
    ),
    setCompacted: db.prepare(`UPDATE kine SET prev_revision = ? WHERE name = '${COMPACT_KEY}'`),
    setSwept: db.prepare(`UPDATE kine SET create_revision = ? WHERE name = '${COMPACT_KEY}'`),
    sweepSuperseded: db.prepare(
      `DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision != 0 AND name != '${COMPACT_KEY}')`,
    ),
    sweepTombstones: db.prepare(`DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1`),
  };
}

/**
 * Opens the embedded durable store at `options.path`, creating it if absent.
 * A file that is not a kcp-ts database fails with `Corrupt` and is left
 * untouched; a database in use by another process fails with `Unavailable`.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const keyPrefix = options.keyPrefix ?? '/registry/';
  if (typeof keyPrefix !== 'string' || !keyPrefix.startsWith('/')) {
    throw storageErrors.invalidKey(String(keyPrefix), 'the store prefix must start with "/"');
  }
  validatePrefix(keyPrefix, keyPrefix);
  const db = await openDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs ?? 0 });
  let store: SqliteStore;
  let wal: WalSync | undefined;
  try {
    const sequence = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kine'`).get() as { seq: number } | undefined;
    const meta = db
      .prepare(`SELECT prev_revision AS compacted, create_revision AS swept FROM kine WHERE name = ?`)
      .get(COMPACT_KEY) as { compacted: number; swept: number };
    const revision = sequence?.seq ?? 1;
    if (meta.compacted > revision || meta.swept > Math.max(meta.compacted, 1)) {
      throw storageErrors.corrupt(
        `${options.path}: compaction state (compacted ${meta.compacted}, swept ${meta.swept}) is beyond revision ${revision}`,
      );
    }
    if ((options.synchronous ?? 'full') === 'full') wal = openWal(options.path);
    store = new SqliteStore(db, options, { revision, compacted: meta.compacted, swept: meta.swept }, wal);
  } catch (err) {
    wal?.close();
    db.close();
    throw toStorageError(err, `opening ${options.path}`);
  }
  store.start();
  return store;
}
