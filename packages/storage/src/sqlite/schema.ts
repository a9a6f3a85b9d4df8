import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StorageError, storageErrors } from '../errors';

/** `PRAGMA application_id` of a kcp-ts database: "kcpt". */
export const APPLICATION_ID = 0x6b637074;
/** `PRAGMA user_version`: the schema version this code reads and writes. */
export const SCHEMA_VERSION = 2;
/** The schema version that opening upgrades in place (version 1 had `UNIQUE (name, prev_revision)`). */
const UPGRADED_VERSION = 1;
/** The name of the row that records compaction (kine's convention). */
export const COMPACT_KEY = 'compact_rev_key';

/**
 * The kine table: one row per revision (`id`), appended by every write.
 * Divergences from kine: no `lease` column (no TTLs), `create_revision` is the
 * row's own id on creating rows (kine writes 0), and one `(name, id, deleted)`
 * index serves point reads, MVCC range reads and counts as a covering index,
 * replacing kine's `(name)`, `(name, id)`, `(id, deleted)` and
 * `(prev_revision)` indexes. No `UNIQUE (name, prev_revision)` (schema version
 * 2): kine needs it because several servers write one database; here one
 * process holds the database exclusively and each write reads the key's newest
 * row in the transaction that appends after it. The index cost a write to a
 * random index page per row: about 40% of the engine's CPU per create of a
 * random key.
 */
const SCHEMA = `
CREATE TABLE kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB,
  old_value BLOB
);
CREATE INDEX kine_name_id_deleted_index ON kine (name, id, deleted);
`;
const EXPECTED_OBJECTS = ['kine', 'kine_name_id_deleted_index'];
const EXPECTED_COLUMNS = ['id', 'name', 'created', 'deleted', 'create_revision', 'prev_revision', 'value', 'old_value'];

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Maps an error of the SQLite driver to a {@link StorageError}; anything else is returned unchanged. */
export function toStorageError(err: unknown, what: string): unknown {
  if (err instanceof StorageError || !(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return storageErrors.corrupt(`${what}: the database is corrupt (${code}: ${err.message})`, err);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return storageErrors.unavailable(`${what}: the database is locked, probably by another process (${code})`, err);
  }
  return storageErrors.unavailable(`${what}: ${code}: ${err.message}`, err);
}

/** What is at the database path before opening it. */
type Found = { kind: 'absent' } | { kind: 'ours' };

/**
 * Looks at the file without SQLite (so nothing is written, not even a WAL or
 * lock file): absent or empty, one of ours, or something else (`Corrupt`).
 * Reads only the 100-byte header.
 */
function inspect(path: string): Found {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw storageErrors.corrupt(`${path} is not a regular file`);
    size = stat.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') size = 0;
    else throw err instanceof StorageError ? err : storageErrors.unavailable(`cannot read ${path}`, err);
  }
  if (size === 0) {
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw storageErrors.corrupt(`${wal} exists without its database ${path}; refusing to replay it into a new database`);
    }
    return { kind: 'absent' };
  }
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw storageErrors.corrupt(`${path} is not an SQLite database (no SQLite header); is the path right?`);
  }
  const applicationId = header.readUInt32BE(68);
  const userVersion = header.readUInt32BE(60);
  if (applicationId !== APPLICATION_ID) {
    throw storageErrors.corrupt(
      `${path} is an SQLite database of another application (application_id 0x${applicationId.toString(16)}), not a kcp-ts store`,
    );
  }
  checkVersion(path, userVersion);
  return { kind: 'ours' };
}

function checkVersion(path: string, userVersion: number): void {
  if (userVersion !== SCHEMA_VERSION && userVersion !== UPGRADED_VERSION) {
    throw storageErrors.corrupt(
      `${path} has kcp-ts schema version ${userVersion}, this build reads version ${SCHEMA_VERSION} (and upgrades version ${UPGRADED_VERSION})`,
    );
  }
}

/**
 * Creates a fresh database next to `path` and moves it into place atomically,
 * so a crash never leaves a half-initialised file: the path holds nothing or a
 * complete, empty store at revision 1 (the compaction row takes revision 1, as
 * etcd starts at 1).
 */
function create(path: string): void {
  const temporary = `${path}.init-${process.pid}-${Date.now()}`;
  const db = new Database(temporary);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.transaction(() => {
      db.exec(SCHEMA);
      // compacted revision in prev_revision (kine), swept revision in create_revision
      db.prepare(
        `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value, old_value)
         VALUES (1, ?, 0, 0, 1, 0, NULL, NULL)`,
      ).run(COMPACT_KEY);
    })();
    db.close();
    const fd = openSync(temporary, 'r');
    fsyncSync(fd);
    closeSync(fd);
    if (existsSync(path)) renameSync(temporary, path); // an empty file: replace it
    else {
      linkSync(temporary, path); // fails if someone else created it meanwhile
      unlinkSync(temporary);
    }
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch (err) {
    if (db.open) db.close();
    for (const leftover of [temporary, `${temporary}-wal`, `${temporary}-shm`]) {
      if (existsSync(leftover)) unlinkSync(leftover);
    }
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw storageErrors.unavailable(`${path} was created by another process while opening it`, err);
    }
    throw toStorageError(err, `creating ${basename(path)}`);
  }
}

/** Settings of the connection. */
export interface ConnectionSettings {
  busyTimeoutMs: number;
}

/** Version 1 → 2: the `UNIQUE (name, prev_revision)` index goes, in one transaction with the version. */
function upgrade(db: Database.Database): void {
  db.transaction(() => {
    db.exec('DROP INDEX IF EXISTS kine_name_prev_revision_uindex');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/**
 * Opens (creating if needed) the database at `path` for exclusive use by this
 * process. Only header reads and index lookups: opening costs the same for a
 * 1 GiB database as for an empty one (upgrading a version 1 database once
 * drops an index).
 */
export async function openDatabase(path: string, settings: ConnectionSettings): Promise<Database.Database> {
  await mkdir(dirname(path), { recursive: true });
  if (inspect(path).kind === 'absent') create(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: settings.busyTimeoutMs });
    // one writer process: the revision counter and the watch fan-out live in this process
    db.pragma('locking_mode = EXCLUSIVE');
    // no fsync inside a commit: the store fsyncs the log off the event loop before it acknowledges (synchronous: 'full')
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -32768');
    // the first read takes the exclusive lock; everything is checked before anything is written
    const objects = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string }[]).map(
        (row) => row.name,
      ),
    );
    const missing = EXPECTED_OBJECTS.filter((name) => !objects.has(name));
    if (missing.length > 0) throw storageErrors.corrupt(`${path} lacks ${missing.join(', ')} of the kcp-ts schema`);
    const columns = (db.pragma('table_info(kine)') as { name: string }[]).map((column) => column.name);
    if (columns.join() !== EXPECTED_COLUMNS.join()) {
      throw storageErrors.corrupt(`${path}: table kine has columns ${columns.join(', ')}, expected ${EXPECTED_COLUMNS.join(', ')}`);
    }
    const meta = db.prepare(`SELECT id FROM kine WHERE name = ?`).get(COMPACT_KEY);
    if (meta === undefined) throw storageErrors.corrupt(`${path} lacks its ${COMPACT_KEY} row`);
    // the header read before opening may predate the log: SQLite's answer is the one that counts
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    checkVersion(path, userVersion);
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    if (userVersion === UPGRADED_VERSION) upgrade(db);
    return db;
  } catch (err) {
    if (db?.open) db.close();
    throw toStorageError(err, `opening ${path}`);
  }
}
