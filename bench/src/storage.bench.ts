// The Store engines side by side, with two physical baselines measured in the
// same run:
//  - memory (in-process maps), embedded (SQLite, WAL, group commit, an fsync
//    of the log per group before acknowledging) and etcd (a real etcd through
//    @kcp-ts/storage-etcd);
//  - raw better-sqlite3 inserts with the embedded engine's durability (WAL,
//    synchronous=FULL: an fsync per commit, exclusive locking, the same cache
//    size; one autocommitted insert per write) and raw etcd3 puts against the
//    same etcd.
// Figures: creates/s and gets/s with 1 and 64 concurrent callers (each a loop
// for a fixed time), the bench process's CPU per create with 64 callers (the
// engine's cost on the API server's cores), the time to list 1,000 keys, and write→watch delivery
// latency (from the write call to the event reaching a watcher, one write at a
// time). Throughput figures of the subjects compared with each other are
// measured after a warm-up in interleaved rounds (each subject once per round,
// alternating the order, best round kept) so that a noisy neighbour on a shared
// machine hits them alike. Ratios compare against the baselines; the
// targets are printed, never enforced.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMemoryStore, openSqliteStore, type Store } from '@kcp-ts/storage';
import { createEtcdStore } from '@kcp-ts/storage-etcd';
import { startEtcd } from '@kcp-ts/storage-etcd/testing';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { percentile, printTable } from './report';

const SECONDS = Number(process.env['STORAGE_BENCH_SECONDS'] ?? 1);
const ROUNDS = 2;
const VALUE = new Uint8Array(1024).fill(120); // a small Kubernetes object
const LIST_KEYS = 1000;
const LIST_ROUNDS = 20;
const WATCH_SAMPLES = 200;
const CONCURRENCY = [1, 64] as const;

// A full garbage collection before every figure, so that one subject's garbage
// (the memory engine holds ~100 MB of values) is not collected on another's time.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function settle(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Runs `op` in `callers` concurrent loops for SECONDS; returns operations per second and this process's CPU per operation (µs). */
async function throughput(callers: number, op: (caller: number, i: number) => unknown): Promise<{ rate: number; cpuMicros: number }> {
  await settle();
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let done = 0;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(caller, i);
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: done / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / done };
}

/** Something whose writes (and maybe reads) are measured. */
interface Subject {
  name: string;
  write: (key: string) => unknown;
  read?: (key: string) => Promise<unknown>;
  store?: Store;
  writes: Record<number, number>;
  /** this process's CPU per write (µs) in the round with the best rate */
  writeCpu: Record<number, number>;
  reads: Record<number, number>;
  written: string[];
  listMs?: number;
  watchP50?: number;
  watchP99?: number;
}

function storeSubject(name: string, store: Store): Subject {
  return {
    name,
    store,
    write: (key) => store.create(key, VALUE),
    read: (key) => store.get(key),
    writes: {},
    writeCpu: {},
    reads: {},
    written: [],
  };
}

function rawSqliteSubject(path: string): Subject & { close(): void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -32768');
  db.exec('CREATE TABLE raw (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, value BLOB)');
  db.exec('CREATE INDEX raw_name ON raw (name)');
  const insert = db.prepare('INSERT INTO raw (name, value) VALUES (?, ?)');
  const value = Buffer.from(VALUE);
  return {
    name: 'raw better-sqlite3 inserts',
    // synchronous: concurrent callers take turns, one fsynced transaction each
    write: (key) => insert.run(key, value),
    writes: {},
    writeCpu: {},
    reads: {},
    written: [],
    close: () => db.close(),
  };
}

function rawEtcdSubject(client: Etcd3): Subject {
  const value = Buffer.from(VALUE);
  return {
    name: 'raw etcd3 puts',
    write: (key) => client.kv.put({ key: Buffer.from(key), value }),
    writes: {},
    writeCpu: {},
    reads: {},
    written: [],
  };
}

async function measureThroughput(subjects: Subject[]): Promise<void> {
  let sequence = 0;
  // warm up connections, JIT and the servers: half a second of 64 writers each, not counted
  for (const subject of subjects) {
    const prefix = `${subject.store?.keyPrefix ?? '/raw/'}warm-up/`;
    const deadline = performance.now() + 500;
    await Promise.all(
      Array.from({ length: 64 }, async (_, caller) => {
        for (let i = 0; performance.now() < deadline; i++) await subject.write(`${prefix}${caller}/${i}`);
      }),
    );
  }
  for (const callers of CONCURRENCY) {
    for (let round = 0; round < ROUNDS; round++) {
      // every other round in reverse order, so no subject always goes first
      for (const subject of round % 2 === 0 ? subjects : [...subjects].reverse()) {
        const prefix = `${subject.store?.keyPrefix ?? '/raw/'}w${++sequence}/`;
        const { rate, cpuMicros } = await throughput(callers, async (caller, i) => {
          const key = `${prefix}${caller}/${i}`;
          await subject.write(key);
          if (subject.written.length < 10_000) subject.written.push(key);
        });
        if (rate > (subject.writes[callers] ?? 0)) {
          subject.writes[callers] = rate;
          subject.writeCpu[callers] = cpuMicros;
        }
      }
    }
  }
  for (const callers of CONCURRENCY) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const subject of round % 2 === 0 ? subjects : [...subjects].reverse()) {
        const read = subject.read;
        if (read === undefined) continue;
        const keys = subject.written;
        const { rate } = await throughput(callers, (_caller, i) => read(keys[(i * 7919) % keys.length]!));
        subject.reads[callers] = Math.max(subject.reads[callers] ?? 0, rate);
      }
    }
  }
}

async function measureList(subject: Subject, store: Store): Promise<void> {
  const listPrefix = `${store.keyPrefix}list/`;
  for (let i = 0; i < LIST_KEYS; i += 100) {
    await store.txn(
      [],
      Array.from({ length: 100 }, (_, j) => ({ type: 'put' as const, key: `${listPrefix}${String(i + j).padStart(4, '0')}`, value: VALUE })),
    );
  }
  await settle();
  const times: number[] = [];
  for (let round = 0; round < LIST_ROUNDS; round++) {
    const t0 = performance.now();
    const { items } = await store.list(listPrefix);
    times.push(performance.now() - t0);
    if (items.length !== LIST_KEYS) throw new Error(`${subject.name}: listed ${items.length} keys, expected ${LIST_KEYS}`);
  }
  subject.listMs = percentile(times, 50);
}

/** Write → watch delivery, one write at a time: from the write call to the event reaching the consumer. */
async function measureWatch(subject: Subject, store: Store): Promise<void> {
  const prefix = `${store.keyPrefix}watch/`;
  const controller = new AbortController();
  const arrivals = new Map<string, number>();
  let notify: (() => void) | undefined;
  const arrived = (key: string) =>
    new Promise<void>((resolve) => {
      notify = () => {
        if (arrivals.has(key)) resolve();
      };
    });
  const start = await store.currentRevision();
  const consumer = (async () => {
    for await (const event of store.watch(prefix, { afterRevision: start, signal: controller.signal, progressIntervalMs: 0 })) {
      if (event.type === 'put') {
        arrivals.set(event.kv.key, performance.now());
        notify?.();
      }
    }
  })();
  // the watch is live once a first write comes through
  const ready = arrived(`${prefix}ready`);
  await store.create(`${prefix}ready`, VALUE);
  await ready;
  await settle();
  const latencies: number[] = [];
  for (let i = 0; i < WATCH_SAMPLES; i++) {
    const key = `${prefix}${i}`;
    const delivered = arrived(key);
    const t0 = performance.now();
    await store.create(key, VALUE);
    await delivered;
    latencies.push(arrivals.get(key)! - t0);
  }
  controller.abort();
  await consumer;
  subject.watchP50 = percentile(latencies, 50);
  subject.watchP99 = percentile(latencies, 99);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-ts-storage-bench-'));
  const etcd = await startEtcd({ dataDir: join(dir, 'etcd') }); // the same file system as the SQLite files
  const memory = createMemoryStore({ compaction: false });
  const embedded = await openSqliteStore({ path: join(dir, 'embedded.db'), compaction: false });
  const etcdStore = await createEtcdStore({ endpoints: etcd.endpoints, keyPrefix: '/registry/bench/' });
  const rawSqlite = rawSqliteSubject(join(dir, 'raw.db'));
  const etcdClient = new Etcd3({ hosts: etcd.endpoints });
  const engines = [storeSubject('memory', memory), storeSubject('embedded (SQLite)', embedded), storeSubject('etcd', etcdStore)];
  const rawEtcd = rawEtcdSubject(etcdClient);
  try {
    // the engines compared with each other and their baselines, interleaved;
    // the memory engine afterwards, as its 100+ MB of live values would slow
    // the garbage collections of everything measured alongside it
    await measureThroughput([engines[1]!, engines[2]!, rawSqlite, rawEtcd]);
    await measureThroughput([engines[0]!]);
    for (const engine of engines) {
      await measureList(engine, engine.store!);
      await measureWatch(engine, engine.store!);
    }
  } finally {
    etcdClient.close();
    rawSqlite.close();
    await Promise.all([memory.close(), embedded.close(), etcdStore.close()]);
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const cell = (n: number | undefined) => (n === undefined ? '–' : Math.round(n));
  const ms = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2));
  printTable(
    `Store engines (1 KiB values; throughput: best of ${ROUNDS} interleaved rounds of ${SECONDS} s; CPU: of this process, all threads, in that round, so the etcd server's own is not in it)`,
    ['engine', 'writes/s ×1', 'writes/s ×64', 'CPU µs/write ×64', 'reads/s ×1', 'reads/s ×64', 'list 1,000 keys ms', 'watch p50 ms', 'watch p99 ms'],
    [...engines, rawSqlite, rawEtcd].map((s) => [
      s.name,
      cell(s.writes[1]),
      cell(s.writes[64]),
      ms(s.writeCpu[64]),
      cell(s.reads[1]),
      cell(s.reads[64]),
      ms(s.listMs),
      ms(s.watchP50),
      ms(s.watchP99),
    ]),
  );

  const [memoryRow, embeddedRow, etcdRow] = engines as [Subject, Subject, Subject];
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? NaN : a / b);
  const verdict = (value: number, target: number, atMost = false) =>
    Number.isNaN(value) ? '–' : (atMost ? value <= target : value >= target) ? 'met' : 'NOT met';
  const rows: [string, number, string, string][] = [];
  for (const callers of CONCURRENCY) {
    const r = ratio(embeddedRow.writes[callers], rawSqlite.writes[callers]);
    rows.push([`embedded writes ×${callers} / raw SQLite inserts ×${callers}`, r, '≥ 0.8', verdict(r, 0.8)]);
  }
  const vsEtcd = ratio(embeddedRow.writes[64], etcdRow.writes[64]);
  rows.push(['embedded writes ×64 / etcd engine writes ×64', vsEtcd, '≥ 3', verdict(vsEtcd, 3)]);
  for (const callers of CONCURRENCY) {
    rows.push([`etcd engine writes ×${callers} / raw etcd3 puts ×${callers}`, ratio(etcdRow.writes[callers], rawEtcd.writes[callers]), '–', '–']);
  }
  for (const row of [memoryRow, embeddedRow]) {
    rows.push([`${row.name} watch delivery p99 (ms)`, row.watchP99 ?? NaN, '≤ 5', verdict(row.watchP99 ?? NaN, 5, true)]);
  }
  printTable(
    'Ratios (same run)',
    ['comparison', 'value', 'target', 'verdict'],
    rows.map(([label, value, target, v]) => [label, value.toFixed(2), target, v]),
  );
}
