import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs, { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isStorageError, type StorageErrorCode } from '../errors';
import type { KeyValue, WatchEvent } from '../store';
import { APPLICATION_ID } from './schema';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

let dir: string;
let path: string;
const open: SqliteStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kcp-sqlite-engine-'));
  path = join(dir, 'store.db');
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(options: Partial<SqliteStoreOptions> = {}): Promise<SqliteStore> {
  const store = await openSqliteStore({ path, compaction: false, ...options });
  open.push(store);
  return store;
}

async function expectCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isStorageError(error, code)) throw new Error(`expected StorageError ${code}, got ${String(error)}`);
  return error;
}

/** Rows of the kine table, read directly once the store is closed. */
function rows(): { id: number; name: string; deleted: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, name, deleted FROM kine ORDER BY id').all() as { id: number; name: string; deleted: number }[];
  } finally {
    db.close();
  }
}

describe('connection settings', () => {
  it('uses WAL and an exclusive lock, and fsyncs the log itself for each group by default', async () => {
    const store = await openStore();
    // SQLite's own sync is NORMAL: the store fsyncs the log off the event loop before acknowledging
    expect(store.sqliteSettings()).toEqual({ journalMode: 'wal', synchronous: 1, lockingMode: 'exclusive' });
    await store.create('/registry/a', bytes('a'));
    await Promise.all([store.create('/registry/b', bytes('b')), store.create('/registry/c', bytes('c'))]);
    expect(store.stats()).toMatchObject({ commits: 2, syncs: 2 });
  });

  it('does not fsync per group with synchronous: normal', async () => {
    const store = await openStore({ synchronous: 'normal' });
    expect(store.sqliteSettings().synchronous).toBe(1);
    await store.create('/registry/a', bytes('a'));
    expect(store.stats()).toMatchObject({ commits: 1, syncs: 0 });
  });

  it('starts a fresh database at revision 1 with nothing compacted', async () => {
    const store = await openStore();
    expect(await store.currentRevision()).toBe(1);
    expect(await store.compactedRevision()).toBe(0);
    expect((await store.create('/registry/a', bytes('a'))).modRevision).toBe(2);
  });

  it('refuses a second store on the same file with Unavailable', async () => {
    await openStore();
    const error = await expectCode(openSqliteStore({ path, compaction: false }), 'Unavailable');
    expect(error.message).toMatch(/locked/);
  });

  it('refuses a key prefix that does not start with "/"', async () => {
    await expectCode(openSqliteStore({ path, keyPrefix: 'registry/' }), 'InvalidKey');
    expect(existsSync(path)).toBe(false);
  });
});

describe('group commit', () => {
  it('commits writes issued in the same turn in one transaction', async () => {
    const store = await openStore();
    const before = store.stats();
    const kvs = await Promise.all(Array.from({ length: 100 }, (_, i) => store.create(`/registry/g/${i}`, bytes(String(i)))));
    const after = store.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.writes - before.writes).toBe(100);
    expect(after.largestBatch).toBe(100);
    expect(new Set(kvs.map((kv) => kv.modRevision)).size).toBe(100);
  });

  it('fails each write of a group on its own check and commits the rest', async () => {
    const store = await openStore();
    const existing = await store.create('/registry/g/existing', bytes('e'));
    const before = store.stats();
    const results = await Promise.allSettled([
      store.create('/registry/g/new', bytes('1')),
      store.create('/registry/g/existing', bytes('dup')),
      store.update('/registry/g/existing', bytes('2'), existing.modRevision),
      store.update('/registry/g/existing', bytes('3'), existing.modRevision),
      store.create('/registry/g/new', bytes('again')),
      store.delete('/registry/g/missing'),
      store.txn([{ key: '/registry/g/new', modRevision: 0 }], [{ type: 'put', key: '/registry/g/t', value: bytes('t') }]),
    ]);
    expect(store.stats().commits - before.commits).toBe(1);
    const outcome = results.map((r) =>
      r.status === 'fulfilled' ? 'ok' : isStorageError(r.reason) ? r.reason.code : String(r.reason),
    );
    expect(outcome).toEqual(['ok', 'KeyExists', 'ok', 'Conflict', 'KeyExists', 'KeyNotFound', 'ok']);
    // the txn ran after the create in the same group, so its compare saw the new key
    expect((results[6] as PromiseFulfilledResult<{ succeeded: boolean }>).value.succeeded).toBe(false);
    expect(text((await store.get('/registry/g/existing'))!.value)).toBe('2');
    expect(text((await store.get('/registry/g/new'))!.value)).toBe('1');
  });

  it('isolates a write that SQLite fails midway: it alone fails, written by halves nowhere, the rest of its group commits', async () => {
    // a trigger makes SQLite refuse one key, as a full disk or a damaged page would refuse a write
    await (await openStore()).close();
    open.length = 0;
    const db = new Database(path);
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON kine WHEN NEW.name = '/registry/g/poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
    db.close();
    const store = await openStore();
    const revision = await store.currentRevision();
    const results = await Promise.allSettled([
      store.create('/registry/g/before', bytes('b')),
      // its first put is written before its second fails: the savepoint takes it back
      store.txn([], [{ type: 'put', key: '/registry/g/half', value: bytes('h') }, { type: 'put', key: '/registry/g/poison', value: bytes('p') }]),
      store.create('/registry/g/after', bytes('a')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isStorageError((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(await store.get('/registry/g/half')).toBeUndefined();
    expect(text((await store.get('/registry/g/before'))!.value)).toBe('b');
    expect(text((await store.get('/registry/g/after'))!.value)).toBe('a');
    // revisions stay dense: the failed txn took none
    const kvs = [(await store.get('/registry/g/before'))!, (await store.get('/registry/g/after'))!];
    expect(kvs.map((kv) => kv.modRevision)).toEqual([revision + 1, revision + 2]);
    expect(await store.currentRevision()).toBe(revision + 2);
  });

  it('commits nothing for a group whose writes all fail', async () => {
    const store = await openStore();
    const before = store.stats();
    const revision = await store.currentRevision();
    await Promise.allSettled([store.delete('/registry/x'), store.update('/registry/y', bytes('y'), 3)]);
    expect(store.stats().commits).toBe(before.commits);
    expect(await store.currentRevision()).toBe(revision);
  });

  it('commits writes queued before close, and refuses later ones', async () => {
    const store = await openStore();
    const pending = store.create('/registry/late', bytes('late'));
    await store.close();
    expect((await pending).key).toBe('/registry/late');
    await expectCode(store.create('/registry/later', bytes('x')), 'Closed');
    const reopened = await openStore();
    expect(text((await reopened.get('/registry/late'))!.value)).toBe('late');
  });
});

describe('acknowledging only durable writes (synchronous: full)', () => {
  /** fsyncs held by holdSyncs; a failed test's are let go, so that its store can close */
  let held: Array<() => void> = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const run of held.splice(0)) run();
  });

  /** Holds every fsync of the thread pool until released; `release` lets the oldest held one run. A group of several writes is fsynced there. */
  function holdSyncs() {
    held = [];
    const real = fs.fdatasync;
    vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: fs.NoParamCallback) => {
      held.push(() => real(fd, done));
    }) as typeof fs.fdatasync);
    return { held, release: () => held.shift()!() };
  }
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => (done = true), () => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('answers, publishes and shows a write only once its fsync has returned', async () => {
    const store = await openStore();
    const revision = await store.currentRevision();
    const events: WatchEvent[] = [];
    const abort = new AbortController();
    void (async () => {
      for await (const event of store.watch('/registry/', { afterRevision: revision, signal: abort.signal })) events.push(event);
    })();
    const syncs = holdSyncs();
    const created = store.create('/registry/d', bytes('d'));
    const other = store.create('/registry/e', bytes('e'));
    await vi.waitUntil(() => syncs.held.length === 1);
    // committed to SQLite, not yet on disk: nobody sees it
    expect(await settled(created)).toBe(false);
    expect(await settled(other)).toBe(false);
    expect(await store.get('/registry/d')).toBeUndefined();
    expect((await store.list('/registry/')).items).toEqual([]);
    expect(await store.currentRevision()).toBe(revision);
    expect(events).toEqual([]);
    // a watch started now reads the history up to the durable revision only
    const late: WatchEvent[] = [];
    void (async () => {
      for await (const event of store.watch('/registry/', { afterRevision: revision, signal: abort.signal })) late.push(event);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual([]);
    syncs.release();
    expect([(await created).modRevision, (await other).modRevision]).toEqual([revision + 1, revision + 2]);
    expect(text((await store.get('/registry/d'))!.value)).toBe('d');
    await vi.waitUntil(() => events.length === 2 && late.length === 2);
    expect([...events, ...late].map((e) => (e.type === 'put' ? e.kv.key : e.type))).toEqual(['/registry/d', '/registry/e', '/registry/d', '/registry/e']);
    abort.abort();
  });

  it('commits the writes issued during an fsync as the next group, after it', async () => {
    const store = await openStore();
    const syncs = holdSyncs();
    const first = Promise.all([store.create('/registry/0', bytes('0')), store.create('/registry/1', bytes('1'))]);
    await vi.waitUntil(() => syncs.held.length === 1);
    const next = [store.create('/registry/2', bytes('2'))];
    await new Promise((resolve) => setImmediate(resolve));
    next.push(store.create('/registry/3', bytes('3')), store.create('/registry/1', bytes('again')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.stats()).toMatchObject({ commits: 1, writes: 2 });
    syncs.release();
    await first;
    await vi.waitUntil(() => syncs.held.length === 1);
    expect(store.stats()).toMatchObject({ commits: 2, writes: 5, largestBatch: 3, syncs: 1 });
    expect(await settled(Promise.allSettled(next))).toBe(false);
    syncs.release();
    const results = await Promise.allSettled(next);
    // checked against the group before it: the key it created exists
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.modRevision : (r.reason as { code: string }).code))).toEqual([4, 5, 'KeyExists']);
    expect(store.stats().syncs).toBe(2);
  });

  it('fsyncs a lone write that waited for an fsync on the thread pool, as a group', async () => {
    const store = await openStore();
    const syncs = holdSyncs();
    const inline = vi.spyOn(fs, 'fdatasyncSync');
    const first = Promise.all([store.create('/registry/a', bytes('a')), store.create('/registry/b', bytes('b'))]);
    await vi.waitUntil(() => syncs.held.length === 1);
    const lone = store.create('/registry/c', bytes('c'));
    await new Promise((resolve) => setImmediate(resolve));
    syncs.release();
    await first;
    await vi.waitUntil(() => syncs.held.length === 1);
    expect(await settled(lone)).toBe(false);
    syncs.release();
    expect((await lone).key).toBe('/registry/c');
    expect(inline).not.toHaveBeenCalled();
    expect(store.stats()).toMatchObject({ commits: 2, writes: 3, syncs: 2 });
  });

  it('fsyncs a lone write after a group on the thread pool, and a lone write after a lone write on the event loop', async () => {
    const store = await openStore();
    const syncs = holdSyncs();
    const inline = vi.spyOn(fs, 'fdatasyncSync');
    const group = Promise.all([store.create('/registry/a', bytes('a')), store.create('/registry/b', bytes('b'))]);
    await vi.waitUntil(() => syncs.held.length === 1);
    syncs.release();
    await group;
    // the writers of a group are about to write again: the loop does not wait on the disk for the first of them
    const first = store.create('/registry/c', bytes('c'));
    await vi.waitUntil(() => syncs.held.length === 1);
    expect(await settled(first)).toBe(false);
    syncs.release();
    await first;
    expect(inline).not.toHaveBeenCalled();
    // one at a time: fsynced in place, nothing held
    expect((await store.create('/registry/d', bytes('d'))).key).toBe('/registry/d');
    expect(inline).toHaveBeenCalledTimes(1);
    expect(syncs.held).toHaveLength(0);
    expect(store.stats()).toMatchObject({ commits: 3, writes: 4, syncs: 3 });
  });

  it('answers a group that wrote nothing without an fsync', async () => {
    const store = await openStore();
    const syncs = holdSyncs();
    const inline = vi.spyOn(fs, 'fdatasyncSync');
    await expectCode(store.delete('/registry/missing'), 'KeyNotFound');
    expect(syncs.held).toEqual([]);
    expect(inline).not.toHaveBeenCalled();
  });

  it('fsyncs a lone write on the event loop, before answering or showing it', async () => {
    const store = await openStore();
    const revision = await store.currentRevision();
    const pool = vi.spyOn(fs, 'fdatasync');
    const duringSync: Promise<KeyValue | undefined>[] = [];
    const real = fs.fdatasyncSync;
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      // a get reads when called: this one reads while the fsync runs
      duringSync.push(store.get('/registry/lone'));
      real(fd);
    });
    const created = await store.create('/registry/lone', bytes('l'));
    expect(created.modRevision).toBe(revision + 1);
    expect(duringSync).toHaveLength(1);
    expect(await duringSync[0]).toBeUndefined();
    expect(pool).not.toHaveBeenCalled();
    expect(store.stats()).toMatchObject({ commits: 1, writes: 1, syncs: 1 });
  });

  it('waits for the running fsync when closing', async () => {
    const store = await openStore();
    const syncs = holdSyncs();
    const created = Promise.all([store.create('/registry/c', bytes('c')), store.create('/registry/d', bytes('d'))]);
    await vi.waitUntil(() => syncs.held.length === 1);
    const queued = [store.create('/registry/q', bytes('q')), store.create('/registry/r', bytes('r'))];
    const closed = store.close();
    expect(await settled(closed)).toBe(false);
    syncs.release();
    await vi.waitUntil(() => syncs.held.length === 1);
    syncs.release();
    await closed;
    expect([...(await created), ...(await Promise.all(queued))].map((kv) => kv.key)).toEqual(['/registry/c', '/registry/d', '/registry/q', '/registry/r']);
    open.length = 0;
    const reopened = await openStore();
    expect((await reopened.list('/registry/')).items.map((kv) => kv.key)).toEqual(['/registry/c', '/registry/d', '/registry/q', '/registry/r']);
  });

  const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  it.each([
    ['a group, on the thread pool', 2],
    ['a lone write, on the event loop', 1],
  ])('stops when an fsync of %s fails: its writes and every later call fail with Unavailable, watches end', async (_label, writes) => {
    const store = await openStore();
    await store.create('/registry/kept', bytes('k'));
    const watch = store.watch('/registry/', { afterRevision: await store.currentRevision() })[Symbol.asyncIterator]();
    const ended = watch.next();
    vi.spyOn(fs, 'fdatasync').mockImplementation(((_fd: number, done: fs.NoParamCallback) => {
      setImmediate(() => done(eio()));
    }) as typeof fs.fdatasync);
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation(() => {
      throw eio();
    });
    const lost = ['/registry/lost', '/registry/lost2'].slice(0, writes).map((key) => expectCode(store.create(key, bytes('l')), 'Unavailable'));
    for (const error of await Promise.all(lost)) {
      expect(error.message).toContain('fsync of the write-ahead log failed after revision 2; the store stopped, restart it to recover from disk');
    }
    expect(await ended).toEqual({ done: true, value: undefined });
    await expectCode(store.get('/registry/kept'), 'Unavailable');
    await expectCode(store.create('/registry/later', bytes('x')), 'Unavailable');
    await expectCode(store.watch('/registry/', { afterRevision: 0 })[Symbol.asyncIterator]().next(), 'Unavailable');
    vi.restoreAllMocks();
    await store.close();
    open.length = 0;
    // a restart finds what the disk has: an unacknowledged write may be there, as with etcd (here the page cache wrote it)
    const reopened = await openStore();
    expect(text((await reopened.get('/registry/kept'))!.value)).toBe('k');
    expect(text((await reopened.get('/registry/lost'))!.value)).toBe('l');
  });
});

describe('restart', () => {
  it('keeps data, revisions and the compaction state', async () => {
    const store = await openStore();
    const a = await store.create('/registry/a', bytes('a1'));
    const a2 = await store.update('/registry/a', bytes('a2'), a.modRevision);
    await store.create('/registry/b', bytes('b'));
    const deleted = await store.delete('/registry/b');
    await store.compact(deleted.revision);
    const revision = await store.currentRevision();
    await store.close();

    const reopened = await openStore();
    expect(await reopened.currentRevision()).toBe(revision);
    expect(await reopened.compactedRevision()).toBe(deleted.revision);
    await expectCode(reopened.get('/registry/a', { revision: a.modRevision }), 'Compacted');
    expect(await reopened.get('/registry/a')).toMatchObject({ modRevision: a2.modRevision, createRevision: a.modRevision });
    expect(await reopened.get('/registry/b')).toBeUndefined();
    // the newest row (the tombstone) was swept, yet revisions never repeat
    expect((await reopened.create('/registry/c', bytes('c'))).modRevision).toBe(revision + 1);
  });

  it('finishes a sweep that a close interrupted', async () => {
    const store = await openStore({ compactionBatchSize: 1 });
    let kv = await store.create('/registry/a', bytes('0'));
    for (let i = 1; i <= 20; i++) kv = await store.update('/registry/a', bytes(String(i)), kv.modRevision);
    const compacting = store.compact(kv.modRevision);
    await store.close();
    await expectCode(compacting, 'Closed');
    expect(rows().length).toBeGreaterThan(2);

    const reopened = await openStore({ compactionBatchSize: 1 });
    expect(await reopened.compactedRevision()).toBe(kv.modRevision);
    await vi.waitFor(() => expect(reopened.stats().sweptRevision).toBe(kv.modRevision));
    expect(text((await reopened.get('/registry/a'))!.value)).toBe('20');
    await reopened.close();
    expect(rows().map((row) => row.name)).toEqual(['compact_rev_key', '/registry/a']);
  });
});

describe('compaction', () => {
  it('deletes superseded rows and tombstones up to the compacted revision, keeping later history', async () => {
    const store = await openStore({ compactionBatchSize: 3 });
    const a = await store.create('/registry/a', bytes('a1'));
    const a2 = await store.update('/registry/a', bytes('a2'), a.modRevision);
    await store.create('/registry/b', bytes('b'));
    const bDeleted = await store.delete('/registry/b');
    const c = await store.create('/registry/c', bytes('c1'));
    await store.compact(bDeleted.revision);
    const c2 = await store.update('/registry/c', bytes('c2'), c.modRevision);
    await store.close();
    expect(rows().map((row) => row.id)).toEqual([1, a2.modRevision, c.modRevision, c2.modRevision]);
  });

  it('compacts periodically, keeping the configured window', async () => {
    const store = await openStore({ compaction: { intervalMs: 5, retainMs: 0, minRetainRevisions: 2 } });
    let kv = await store.create('/registry/p', bytes('0'));
    for (let i = 1; i <= 5; i++) kv = await store.update('/registry/p', bytes(String(i)), kv.modRevision);
    await vi.waitFor(async () => expect(await store.compactedRevision()).toBe(kv.modRevision - 2));
    await expectCode(store.get('/registry/p', { revision: kv.modRevision - 3 }), 'Compacted');
    expect(text((await store.get('/registry/p', { revision: kv.modRevision - 2 }))!.value)).toBe('3');
  });
});

describe('opening a file that is not a kcp-ts database', () => {
  function snapshotDir(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const name of ['store.db', 'store.db-wal', 'store.db-shm', 'store.db-journal']) {
      const file = join(dir, name);
      if (existsSync(file)) files[name] = createHash('sha256').update(readFileSync(file)).digest('hex');
    }
    return files;
  }

  const foreignDatabase = (setup: (db: Database.Database) => void) => () => {
    const db = new Database(path);
    setup(db);
    db.close();
  };

  const cases: [string, () => void, RegExp][] = [
    ['a text file', () => writeFileSync(path, 'hello, I am not a database\n'.repeat(10)), /not an SQLite database/],
    ['a short file', () => writeFileSync(path, 'SQLite format 3'), /not an SQLite database/],
    [
      'an SQLite database of another application',
      foreignDatabase((db) => db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)')),
      /another application \(application_id 0x0\)/,
    ],
    ['an empty SQLite database', foreignDatabase((db) => db.pragma('user_version = 0')), /another application/],
    [
      'a kcp-ts database of another schema version',
      foreignDatabase((db) => {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma('user_version = 7');
        db.exec('CREATE TABLE kine (id INTEGER PRIMARY KEY)');
      }),
      /schema version 7, this build reads version 2 \(and upgrades version 1\)/,
    ],
    [
      'a kcp-ts database without its tables',
      foreignDatabase((db) => {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma('user_version = 2');
        db.exec('CREATE TABLE other (x)');
      }),
      /lacks kine, kine_name_id_deleted_index of the kcp-ts schema/,
    ],
    [
      'a stray WAL file without its database',
      () => writeFileSync(`${path}-wal`, Buffer.alloc(4096, 1)),
      /exists without its database/,
    ],
  ];

  it.each(cases)('%s fails with Corrupt and is left untouched', async (_label, setup, message) => {
    setup();
    const before = snapshotDir();
    const error = await expectCode(openSqliteStore({ path }), 'Corrupt');
    expect(error.message).toMatch(message);
    expect(snapshotDir()).toEqual(before);
  });

  it('a directory at the path fails with Corrupt', async () => {
    await mkdir(path);
    await expectCode(openSqliteStore({ path }), 'Corrupt');
  });

  it('an empty file becomes a new store', async () => {
    writeFileSync(path, '');
    const store = await openStore();
    expect(await store.currentRevision()).toBe(1);
  });

  it('opens without reading the data pages, and reports damage to them as Corrupt when read', async () => {
    const store = await openStore({ synchronous: 'normal' });
    const value = new Uint8Array(2000).fill(7);
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.create(`/registry/k/${batch}/${i}`, value)));
    }
    const revision = await store.currentRevision();
    await store.close();
    open.length = 0;
    // overwrite a page in the middle of the file: a table or index page that a scan needs but opening must not
    const pages = (await stat(path)).size / 4096;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const damaged = await openStore();
    expect(await damaged.currentRevision()).toBe(revision);
    const error = await expectCode(damaged.list('/registry/'), 'Corrupt');
    expect(error.message).toMatch(/corrupt/);
  });
});

describe('schema versions', () => {
  it('a database of schema version 1 is upgraded in place: its index goes, its data and revision stay', async () => {
    const store = await openStore();
    const kept = await store.create('/registry/v/kept', bytes('k'));
    const updated = await store.update('/registry/v/kept', bytes('k2'), kept.modRevision);
    await store.create('/registry/v/gone', bytes('g'));
    await store.delete('/registry/v/gone');
    const revision = await store.currentRevision();
    await store.close();
    open.length = 0;
    // what version 1 wrote: the same table with kine's UNIQUE (name, prev_revision) index
    const v1 = new Database(path);
    v1.exec('CREATE UNIQUE INDEX kine_name_prev_revision_uindex ON kine (name, prev_revision)');
    v1.pragma('user_version = 1');
    v1.close();
    const upgraded = await openStore();
    expect(await upgraded.currentRevision()).toBe(revision);
    expect(await upgraded.get('/registry/v/kept')).toMatchObject({ modRevision: updated.modRevision, createRevision: kept.modRevision });
    expect(text((await upgraded.get('/registry/v/kept', { revision: kept.modRevision }))!.value)).toBe('k');
    expect(await upgraded.get('/registry/v/gone')).toBeUndefined();
    const next = await upgraded.update('/registry/v/kept', bytes('k3'), updated.modRevision);
    expect(next.modRevision).toBe(revision + 1);
    await upgraded.close();
    open.length = 0;
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kine'`).pluck().all();
      expect(indexes).toEqual(['kine_name_id_deleted_index']);
    } finally {
      db.close();
    }
    // and the upgraded file opens as version 2
    expect(await (await openStore()).currentRevision()).toBe(revision + 1);
  });
});
