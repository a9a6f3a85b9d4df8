// Workspaces on a real `kcp start` (issue 8): how fast workspaces are created
// and become Ready, what an empty workspace costs in memory, and how long a
// tree takes to delete, against a plain write through the same API (configmap
// creates) measured in the same run. upstream kcp's published figures are
// printed for context, never measured here.
//
//  kcp runs as a child process (`node apps/kcp/bin/kcp.js start`, the built
//  binary; WORKSPACES_BENCH_KCP=source bundles apps/kcp/src with esbuild from
//  the sources instead, as tsup would) in a temporary root directory on a free
//  port, with its embedded SQLite store (an fsync per group commit). The
//  client is one undici HTTP/2 connection for the writes (requests
//  multiplexed as streams) and one for the watches, in this process.
//  1. Flat: 10,000 workspaces under root, created as kcp-admin (the admin
//     kubeconfig's user), at most WINDOW workspaces between their POST and
//     their Ready at a time (a closed loop). Ready is seen on one wildcard
//     watch of workspaces as shard-admin, never by polling; latency is from
//     sending the POST to the watch event with `status.phase: Ready`. The
//     rate is up to the last Ready; controllers still write after it
//     (kube-system's service account and CA configmap), so store writes and
//     kcp CPU per workspace count until the store's revision has stood still
//     for 2 s ("writes go on s": for how long after the last Ready).
//  2. Memory: RSS of the kcp process (/proc/<pid>/status VmRSS) after it has
//     settled (sampled every 500 ms from 5 s on, until three samples in a row
//     are within 0.5 %, or 30 s; no forced GC: V8's memory reducer runs on its
//     own once allocation stops) before creating the flat workspaces and after
//     all 10,000 are Ready, divided by 10,000.
//  3. Baseline: configmap creates through the same client with the same window
//     (the physical ceiling of one write through the API on this server).
//  4. Tree: depth 5, branching 7 (7 + 49 + 343 + 2,401 + 16,807 = 19,607) in a
//     fresh kcp, pipelined: each workspace is created as soon as its parent is
//     Ready (breadth first, same window), addressed by path (`root:w3:w1:…`).
//  5. Delete: the 7 top workspaces of that tree are deleted; the time until
//     every LogicalCluster of the tree is gone, seen on a wildcard watch of
//     logicalclusters as shard-admin (also when the 10,000th went).
// Env: WORKSPACES_BENCH_FLAT (10000), WORKSPACES_BENCH_DEPTH (5),
// WORKSPACES_BENCH_BRANCHING (7), WORKSPACES_BENCH_WINDOW (100),
// WORKSPACES_BENCH_PARTS (flat,tree), WORKSPACES_BENCH_PROFILE=<dir> (kcp runs
// with --cpu-prof into that directory), WORKSPACES_BENCH_HEAPSNAPSHOT=<dir> (a
// heap snapshot of kcp after the flat workspaces), WORKSPACES_BENCH_KCP
// (built|source|<entry.mjs>).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { parse as parseYaml } from 'yaml';
import { percentile, printTable } from './report';
import { bundleSources } from './source-bundle';

const FLAT = Number(process.env['WORKSPACES_BENCH_FLAT'] ?? 10_000);
const DEPTH = Number(process.env['WORKSPACES_BENCH_DEPTH'] ?? 5);
const BRANCHING = Number(process.env['WORKSPACES_BENCH_BRANCHING'] ?? 7);
const WINDOW = Number(process.env['WORKSPACES_BENCH_WINDOW'] ?? 100);
const CONFIGMAPS = Number(process.env['WORKSPACES_BENCH_CONFIGMAPS'] ?? 5_000);
const PARTS = new Set((process.env['WORKSPACES_BENCH_PARTS'] ?? 'flat,tree').split(','));
const PROFILE_DIR = process.env['WORKSPACES_BENCH_PROFILE'];
const KCP_MODE = process.env['WORKSPACES_BENCH_KCP'] ?? 'built';
const HEAP_SNAPSHOT_DIR = process.env['WORKSPACES_BENCH_HEAPSNAPSHOT'];
/** stop a phase after this long, reporting what it reached (a slow or stuck controller must not hang the run) */
const PHASE_TIMEOUT_MS = Number(process.env['WORKSPACES_BENCH_TIMEOUT_S'] ?? 300) * 1000;

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WORKSPACES = '/apis/tenancy.kcp.io/v1alpha1/workspaces';
const LOGICAL_CLUSTERS = '/apis/core.kcp.io/v1alpha1/logicalclusters';
const KiB = 1024;
const HEADER = ['what', 'Ready', 'per second', 'vs configmap creates', 'p50 ms', 'p99 ms', 'store writes each', 'kcp CPU ms each', 'kcp cores', 'bench cores', 'seconds', 'writes go on s'];
const MiB = 1024 * 1024;

// upstream kcp's published figures (load-test report, kcp v0.30.3): quoted, not measured
const UPSTREAM = { treePerSecond: 8, flatPerSecond: 2, memory: '7.4–9.8 MiB', deleteTree: '~1 hour' };
const TARGETS = { perSecond: 200, bytesPerWorkspace: 64 * KiB, deleteSeconds: 120 };

export async function run(): Promise<void> {
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; kcp binary: ${KCP_MODE === 'source' ? 'bundled from the sources' : 'apps/kcp/bin/kcp.js (built)'}; window ${WINDOW}`);
  const entry = await kcpEntry();
  const rows: (string | number)[][] = [];
  let flat: CreateResult | undefined;
  let baseline: CreateResult | undefined;
  let bytesPerWorkspace: number | undefined;

  if (PARTS.has('flat')) {
    const kcp = await Kcp.start(entry, 'flat');
    try {
      const rssBefore = await kcp.settledRss();
      const watch = new ReadyWatch(kcp);
      await watch.started;
      const items = Array.from({ length: FLAT }, (_, i) => ({ id: `ws-${i}`, parentPath: 'root', parentId: undefined, name: `ws-${i}` }));
      flat = await createWorkspaces(kcp, watch, items, new Map([[undefined, 'root']]));
      watch.close();
      const rssAfter = await kcp.settledRss();
      await kcp.heapSnapshot();
      bytesPerWorkspace = (rssAfter - rssBefore) / FLAT;
      console.log(`flat: RSS ${(rssBefore / MiB).toFixed(1)} MiB before, ${(rssAfter / MiB).toFixed(1)} MiB after ${FLAT.toLocaleString('en-US')} Ready workspaces`);
      baseline = await createConfigMaps(kcp, CONFIGMAPS);
    } finally {
      await kcp.stop();
    }
    rows.push(createRow(`configmap creates (baseline)`, baseline, undefined));
    rows.push(createRow(`workspaces, flat (${FLAT.toLocaleString('en-US')} under root)`, flat, baseline));
    printTable('flat (so far)', HEADER, rows);
  }

  let tree: CreateResult | undefined;
  let deletion: DeleteResult | undefined;
  if (PARTS.has('tree')) {
    const kcp = await Kcp.start(entry, 'tree');
    try {
      const watch = new ReadyWatch(kcp);
      await watch.started;
      const items = treeItems(DEPTH, BRANCHING);
      tree = await createWorkspaces(kcp, watch, items, new Map([[undefined, 'root']]));
      watch.close();
      deletion = await deleteTree(kcp, items.filter((i) => i.parentId === undefined).map((i) => i.name));
    } finally {
      await kcp.stop();
    }
    rows.push(createRow(`workspaces, tree (depth ${DEPTH}, branching ${BRANCHING}: ${treeItems(DEPTH, BRANCHING).length.toLocaleString('en-US')})`, tree, baseline));
  }

  printTable(
    'Workspaces created and Ready (create → Ready on a watch), and the baseline write',
    HEADER,
    rows,
  );
  const summary: (string | number)[][] = [];
  if (flat) summary.push(['workspaces/s, flat', flat.perSecond.toFixed(1), `≥ ${TARGETS.perSecond}`, String(UPSTREAM.flatPerSecond)]);
  if (tree) summary.push(['workspaces/s, tree', tree.perSecond.toFixed(1), `≥ ${TARGETS.perSecond}`, String(UPSTREAM.treePerSecond)]);
  if (bytesPerWorkspace !== undefined) summary.push(['RSS per empty Ready workspace', `${(bytesPerWorkspace / KiB).toFixed(1)} KiB`, `≤ ${TARGETS.bytesPerWorkspace / KiB} KiB`, UPSTREAM.memory]);
  if (deletion) {
    const what = deletion.gone === deletion.clusters ? `${deletion.clusters.toLocaleString('en-US')} LogicalClusters gone` : `only ${deletion.gone.toLocaleString('en-US')} of ${deletion.clusters.toLocaleString('en-US')} LogicalClusters gone`;
    summary.push([`delete the tree (${what})`, `${deletion.seconds.toFixed(1)} s`, `≤ ${TARGETS.deleteSeconds} s for 10,000`, UPSTREAM.deleteTree + ' for 10,000']);
    if (deletion.tenThousandSeconds !== undefined) summary.push(['  … until 10,000 were gone', `${deletion.tenThousandSeconds.toFixed(1)} s`, '', '']);
  }
  printTable('Against the targets and upstream kcp (upstream: published figures, not measured here)', ['figure', 'kcp-ts', 'target', 'upstream kcp'], summary);
}

// ---------------------------------------------------------------------------
// kcp child process

class Kcp {
  private log = '';
  private exited!: Promise<number | null>;
  readonly writes: Client;
  readonly reads: Client;

  private constructor(
    private readonly child: ChildProcess,
    readonly rootDirectory: string,
    readonly url: string,
    readonly ca: string,
    readonly tokens: { kcpAdmin: string; shardAdmin: string },
  ) {
    const connect = { ca, servername: 'localhost' };
    // undici sends one request at a time on a connection unless `pipelining` allows more, HTTP/2 included
    this.writes = new Client(url, { allowH2: true, connect, pipelining: 1_000, maxConcurrentStreams: 1_000, bodyTimeout: 0, headersTimeout: 60_000 });
    this.reads = new Client(url, { allowH2: true, connect, pipelining: 100, maxConcurrentStreams: 100, bodyTimeout: 0, headersTimeout: 60_000 });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(entry: string, label: string): Promise<Kcp> {
    const rootDirectory = await mkdtemp(join(tmpdir(), `kcp-bench-${label}-`));
    const port = await freePort();
    const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=kcp-${label}-${Date.now()}.cpuprofile`] : [];
    const heap = HEAP_SNAPSHOT_DIR ? ['--heapsnapshot-signal=SIGUSR2'] : [];
    const child = spawn(process.execPath, [...profile, ...heap, entry, 'start', `--root-directory=${rootDirectory}`, `--secure-port=${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(HEAP_SNAPSHOT_DIR ? { cwd: HEAP_SNAPSHOT_DIR } : {}),
    });
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
    child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!log.includes('Wrote the admin kubeconfig')) {
      if (child.exitCode !== null) throw new Error(`kcp exited with ${child.exitCode}:\n${log}`);
      if (Date.now() > deadline) throw new Error(`kcp did not become ready within 60s:\n${log}`);
      await sleep(50);
    }
    const config = parseYaml(await readFile(join(rootDirectory, 'admin.kubeconfig'), 'utf8')) as {
      clusters: Array<{ cluster: { 'certificate-authority-data': string } }>;
      users: Array<{ name: string; user: { token: string } }>;
    };
    const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString();
    const tokenOf = (name: string) => config.users.find((u) => u.name === name)!.user.token;
    const kcp = new Kcp(child, rootDirectory, `https://127.0.0.1:${port}`, ca, { kcpAdmin: tokenOf('kcp-admin'), shardAdmin: tokenOf('shard-admin') });
    kcp.log = log;
    child.stdout!.on('data', (d: Buffer) => (kcp.log = (kcp.log + d.toString()).slice(-200_000)));
    child.stderr!.on('data', (d: Buffer) => (kcp.log = (kcp.log + d.toString()).slice(-200_000)));
    kcp.exited = exited;
    return kcp;
  }

  output(): string {
    return this.log;
  }

  /** With WORKSPACES_BENCH_HEAPSNAPSHOT: a heap snapshot of kcp into that directory (written by V8 on SIGUSR2). */
  async heapSnapshot(): Promise<void> {
    if (!HEAP_SNAPSHOT_DIR) return;
    const { readdir } = await import('node:fs/promises');
    const before = (await readdir(HEAP_SNAPSHOT_DIR)).length;
    this.child.kill('SIGUSR2');
    while ((await readdir(HEAP_SNAPSHOT_DIR)).length === before) await sleep(500);
    await sleep(5_000); // written in one go after a while: give it time to finish
  }

  /** RSS in bytes (VmRSS). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (!kb) throw new Error(`no VmRSS for ${this.pid}`);
    return Number(kb) * 1024;
  }

  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  /** RSS once it stops moving: from 5 s on, three samples 500 ms apart within 0.5 %, or after 30 s. */
  async settledRss(): Promise<number> {
    const started = Date.now();
    await sleep(5_000);
    const samples = [this.rss()];
    while (Date.now() - started < 30_000) {
      await sleep(500);
      samples.push(this.rss());
      const last = samples.slice(-3);
      if (last.length === 3 && (Math.max(...last) - Math.min(...last)) / Math.max(...last) < 0.005) break;
    }
    return samples[samples.length - 1]!;
  }

  async request(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await this.writes.request({
      method: method as 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // multiplex writes as HTTP/2 streams (undici serializes non-idempotent requests otherwise)
      idempotent: true,
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  /** The store's current revision (a consistent list's resourceVersion): every write moves it by one. */
  async revision(): Promise<number> {
    const r = await this.request('GET', `/clusters/*${LOGICAL_CLUSTERS}?limit=1`, this.tokens.shardAdmin);
    if (r.status !== 200) throw new Error(`list logicalclusters: ${r.status}`);
    return Number(r.json.metadata.resourceVersion);
  }

  async stop(): Promise<void> {
    await this.writes.close().catch(() => {});
    await this.reads.destroy().catch(() => {});
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      const code = await this.exited;
      clearTimeout(timer);
      if (code !== 0) console.log(`kcp exited with ${String(code)}; last output:\n${this.log.slice(-3_000)}`);
    }
    await rm(this.rootDirectory, { recursive: true, force: true });
  }
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] utime, fields[12] stime (after pid and comm), in clock ticks (100/s on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The kcp entry to run: the built bin, or a bundle of apps/kcp/src/main.ts from the sources. */
async function kcpEntry(): Promise<string> {
  if (KCP_MODE.endsWith('.js') || KCP_MODE.endsWith('.mjs')) return KCP_MODE; // an entry given as is (experiments)
  if (KCP_MODE !== 'source') {
    const bin = join(REPO, 'apps', 'kcp', 'bin', 'kcp.js');
    if (!existsSync(join(REPO, 'apps', 'kcp', 'dist', 'main.js'))) throw new Error('apps/kcp is not built: npx nx run-many -t build -p @kcp-ts/kcp');
    return bin;
  }
  const dir = join(REPO, 'node_modules', '.cache', 'kcp-ts-bench');
  await bundleSources(join(REPO, 'apps', 'kcp', 'src', 'main.ts'), join(dir, 'kcp-main.mjs'));
  const { writeFile } = await import('node:fs/promises');
  const bin = join(dir, 'kcp-bin.mjs');
  await writeFile(bin, `import { main } from './kcp-main.mjs';\nprocess.exit(await main(process.argv.slice(2)));\n`);
  return bin;
}

// ---------------------------------------------------------------------------
// watches

/** A watch over HTTP/2 that calls `onEvent` per event, resuming after the server ends it. */
class Watch {
  private readonly abort = new AbortController();
  private resourceVersion: string | undefined;
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(
    private readonly kcp: Kcp,
    private readonly path: string,
    private readonly onEvent: (type: string, object: any) => void,
    resourceVersion?: string,
  ) {
    this.resourceVersion = resourceVersion;
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    void this.loop();
  }

  close(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=3600${this.resourceVersion ? `&resourceVersion=${this.resourceVersion}` : ''}`;
        const response = await this.kcp.reads.request({
          method: 'GET',
          path: `${this.path}?${query}`,
          headers: { authorization: `Bearer ${this.kcp.tokens.shardAdmin}`, accept: 'application/json' },
          signal: this.abort.signal,
        });
        if (response.statusCode !== 200) throw new Error(`watch ${this.path}: ${response.statusCode} ${await response.body.text()}`);
        this.markStarted();
        response.body.setEncoding('utf8');
        let buffered = '';
        for await (const chunk of response.body as AsyncIterable<string>) {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (line.trim() === '') continue;
            const event = JSON.parse(line) as { type: string; object: any };
            if (event.type === 'ERROR') throw new Error(`watch ${this.path}: ${line}`);
            this.resourceVersion = event.object?.metadata?.resourceVersion ?? this.resourceVersion;
            if (event.type !== 'BOOKMARK') this.onEvent(event.type, event.object);
          }
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        console.log(`watch ${this.path} restarts: ${(err as Error).message}`);
        await sleep(100);
      }
    }
  }
}

/** Every workspace's Ready, from one wildcard watch: `parentCluster|name` → when it was first seen Ready, and its cluster. */
class ReadyWatch {
  private readonly ready = new Map<string, { at: number; cluster: string }>();
  private readonly waiters = new Map<string, (r: { at: number; cluster: string }) => void>();
  private readonly watch: Watch;
  readonly started: Promise<void>;

  constructor(kcp: Kcp) {
    this.watch = new Watch(kcp, `/clusters/*${WORKSPACES}`, (type, ws) => {
      if (type === 'DELETED' || ws?.status?.phase !== 'Ready') return;
      const key = `${ws.metadata.annotations['kcp.io/cluster']}|${ws.metadata.name}`;
      if (this.ready.has(key)) return;
      const r = { at: performance.now(), cluster: ws.spec.cluster as string };
      this.ready.set(key, r);
      this.waiters.get(key)?.(r);
      this.waiters.delete(key);
    });
    this.started = this.watch.started;
  }

  whenReady(parentCluster: string, name: string): Promise<{ at: number; cluster: string }> {
    const key = `${parentCluster}|${name}`;
    const r = this.ready.get(key);
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => this.waiters.set(key, resolve));
  }

  close(): void {
    this.watch.close();
  }
}

// ---------------------------------------------------------------------------
// creating

interface Item {
  /** unique id in the run */
  readonly id: string;
  readonly parentId: string | undefined;
  /** the parent's path (`root:w0:w3`) */
  readonly parentPath: string;
  readonly name: string;
}

interface CreateResult {
  readonly count: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly seconds: number;
  readonly kcpCores: number;
  readonly benchCores: number;
  /** store writes (revisions) of the phase, including those the controllers make after its last answer */
  readonly writes: number;
  /** kcp's CPU seconds over the same span as `writes` */
  readonly kcpCpuSeconds: number;
  /** how long after the phase's last answer the store kept being written */
  readonly trailingSeconds: number;
}

function treeItems(depth: number, branching: number): Item[] {
  const items: Item[] = [];
  let level: Item[] = [{ id: '', parentId: undefined, parentPath: '', name: 'root' }];
  for (let d = 0; d < depth; d++) {
    const next: Item[] = [];
    for (const parent of level) {
      for (let b = 0; b < branching; b++) {
        const isTop = parent.id === '';
        next.push({
          id: isTop ? `w${b}` : `${parent.id}-${b}`,
          parentId: isTop ? undefined : parent.id,
          parentPath: isTop ? 'root' : `${parent.parentPath}:${parent.name}`,
          name: `w${b}`,
        });
      }
    }
    items.push(...next);
    level = next;
  }
  return items;
}

/**
 * Creates the items in order, at most WINDOW between POST and Ready; an item
 * waits for its parent's Ready (the parent is earlier in the order).
 */
async function createWorkspaces(kcp: Kcp, watch: ReadyWatch, items: readonly Item[], clusters: Map<string | undefined, string>): Promise<CreateResult> {
  const clusterReady = new Map<string | undefined, Promise<string>>([[undefined, Promise.resolve(clusters.get(undefined)!)]]);
  const resolvers = new Map<string, (cluster: string) => void>();
  for (const item of items) clusterReady.set(item.id, new Promise((resolve) => resolvers.set(item.id, resolve)));
  const latencies: number[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const revision0 = await kcp.revision();
  const cpu0 = kcp.cpuSeconds();
  const benchCpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  const progress = setInterval(() => console.log(`  … ${done.toLocaleString('en-US')}/${items.length.toLocaleString('en-US')} Ready after ${((performance.now() - t0) / 1000).toFixed(0)} s`), 15_000);
  const one = async (item: Item): Promise<void> => {
    const parentCluster = await clusterReady.get(item.parentId)!;
    const started = performance.now();
    const response = await kcp.request('POST', `/clusters/${item.parentPath}${WORKSPACES}`, kcp.tokens.kcpAdmin, {
      apiVersion: 'tenancy.kcp.io/v1alpha1',
      kind: 'Workspace',
      metadata: { name: item.name },
    });
    if (response.status !== 201) throw new Error(`create ${item.parentPath}:${item.name}: ${response.status} ${JSON.stringify(response.json).slice(0, 300)}`);
    const ready = await watch.whenReady(parentCluster, item.name);
    latencies.push(ready.at - started);
    done++;
    resolvers.get(item.id)!(ready.cluster);
  };
  const running: Promise<void>[] = [];
  let stopped = false;
  let markStopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (markStopped = resolve));
  const stopTimer = setTimeout(() => {
    stopped = true;
    wake?.();
    markStopped();
  }, PHASE_TIMEOUT_MS);
  try {
    for (const item of items) {
      while (inFlight >= WINDOW && !failure && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (failure || stopped) break;
      inFlight++;
      running.push(
        one(item)
          .catch((err: unknown) => {
            failure ??= err as Error;
          })
          .finally(() => {
            inFlight--;
            wake?.();
            wake = undefined;
          }),
      );
    }
    // after the time limit, what is in flight gets a last minute; items waiting for a parent that never came are left
    await Promise.race([Promise.all(running), whenStopped]);
    if (stopped) await Promise.race([Promise.all(running), sleep(60_000)]);
  } finally {
    clearInterval(progress);
    clearTimeout(stopTimer);
  }
  if (failure) throw failure;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = kcp.cpuSeconds();
  const benchCpu = process.cpuUsage(benchCpu0);
  if (done < items.length) console.log(`  stopped after the ${PHASE_TIMEOUT_MS / 1000} s limit with ${done.toLocaleString('en-US')} of ${items.length.toLocaleString('en-US')} Ready: figures are for those`);
  // a workspace is Ready before every controller is done with it (kube-system's service account and CA configmap)
  return createResult(done, latencies, elapsed, cpu1 - cpu0, benchCpu, await workUntilWritesStop(kcp, revision0, cpu0));
}

/** What a phase wrote and what kcp spent on it, up to its last write (see workUntilWritesStop). */
interface PhaseWork {
  writes: number;
  kcpCpuSeconds: number;
  trailingSeconds: number;
}

/**
 * Waits until the store stops moving (its revision unchanged for 2 s, at most
 * 60 s): the writes since `revision0` and kcp's CPU seconds since `cpu0` at
 * the last write seen, and how long after the call that write came.
 */
async function workUntilWritesStop(kcp: Kcp, revision0: number, cpu0: number): Promise<PhaseWork> {
  const t0 = performance.now();
  let revision = await kcp.revision();
  let work: PhaseWork = { writes: revision - revision0, kcpCpuSeconds: kcp.cpuSeconds() - cpu0, trailingSeconds: 0 };
  let quietSince = performance.now();
  while (performance.now() - quietSince < 2_000 && performance.now() - t0 < 60_000) {
    await sleep(100);
    const cpuSeconds = kcp.cpuSeconds();
    const now = await kcp.revision();
    if (now !== revision) {
      revision = now;
      work = { writes: revision - revision0, kcpCpuSeconds: cpuSeconds - cpu0, trailingSeconds: (performance.now() - t0) / 1000 };
      quietSince = performance.now();
    }
  }
  return work;
}

/** The figures of a create phase: `count` objects in `seconds`, the CPU of kcp and of the bench over it, and what trailed it. */
function createResult(
  count: number,
  latencies: number[],
  seconds: number,
  phaseCpuSeconds: number,
  benchCpu: NodeJS.CpuUsage,
  work: PhaseWork,
): CreateResult {
  return {
    count,
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    seconds,
    kcpCores: phaseCpuSeconds / seconds,
    benchCores: (benchCpu.user + benchCpu.system) / 1e6 / seconds,
    ...work,
  };
}

/** The baseline: configmap creates in root's default namespace, the same window of requests in flight. */
async function createConfigMaps(kcp: Kcp, count: number): Promise<CreateResult> {
  const latencies: number[] = [];
  let next = 0;
  const revision0 = await kcp.revision();
  const cpu0 = kcp.cpuSeconds();
  const benchCpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        const response = await kcp.request('POST', '/clusters/root/api/v1/namespaces/default/configmaps', kcp.tokens.kcpAdmin, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}` },
          data: { key: 'value' },
        });
        if (response.status !== 201) throw new Error(`create configmap: ${response.status} ${JSON.stringify(response.json).slice(0, 300)}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const benchCpu = process.cpuUsage(benchCpu0);
  const cpu1 = kcp.cpuSeconds();
  return createResult(count, latencies, elapsed, cpu1 - cpu0, benchCpu, await workUntilWritesStop(kcp, revision0, cpu0));
}

function createRow(what: string, r: CreateResult, baseline: CreateResult | undefined): (string | number)[] {
  return [
    what,
    r.count,
    r.perSecond.toFixed(1),
    baseline ? `${(r.perSecond / baseline.perSecond).toFixed(3)}×` : '1×',
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    (r.writes / r.count).toFixed(2),
    ((r.kcpCpuSeconds * 1000) / r.count).toFixed(2),
    r.kcpCores.toFixed(2),
    r.benchCores.toFixed(2),
    r.seconds.toFixed(1),
    r.trailingSeconds.toFixed(1),
  ];
}

// ---------------------------------------------------------------------------
// deleting

interface DeleteResult {
  readonly clusters: number;
  /** how many of them went (all, unless the time limit stopped the phase) */
  readonly gone: number;
  readonly seconds: number;
  readonly tenThousandSeconds: number | undefined;
}

async function deleteTree(kcp: Kcp, topNames: readonly string[]): Promise<DeleteResult> {
  const list = await kcp.request('GET', `/clusters/*${LOGICAL_CLUSTERS}`, kcp.tokens.shardAdmin);
  if (list.status !== 200) throw new Error(`list logicalclusters: ${list.status}`);
  const remaining = new Set<string>();
  for (const lc of list.json.items as any[]) {
    const path = lc.metadata.annotations?.['kcp.io/path'] as string | undefined;
    if (path?.startsWith('root:')) remaining.add(lc.metadata.annotations['kcp.io/cluster'] as string);
  }
  const total = remaining.size;
  let gone = 0;
  let tenThousand: number | undefined;
  let allGone!: () => void;
  const finished = new Promise<void>((resolve) => (allGone = resolve));
  const t0 = performance.now();
  const watch = new Watch(
    kcp,
    `/clusters/*${LOGICAL_CLUSTERS}`,
    (type, lc) => {
      if (type !== 'DELETED') return;
      if (!remaining.delete(lc.metadata.annotations?.['kcp.io/cluster'] as string)) return;
      gone++;
      if (gone === 10_000) tenThousand = (performance.now() - t0) / 1000;
      if (remaining.size === 0) allGone();
    },
    list.json.metadata.resourceVersion as string,
  );
  await watch.started;
  const progress = setInterval(() => console.log(`  … ${gone.toLocaleString('en-US')}/${total.toLocaleString('en-US')} LogicalClusters gone after ${((performance.now() - t0) / 1000).toFixed(0)} s`), 15_000);
  try {
    for (const name of topNames) {
      const r = await kcp.request('DELETE', `/clusters/root${WORKSPACES}/${name}`, kcp.tokens.kcpAdmin);
      if (r.status !== 200 && r.status !== 202) throw new Error(`delete ${name}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    }
    await withTimeout(finished, () => 'timeout').catch(() => console.log(`  delete stopped after the ${PHASE_TIMEOUT_MS / 1000} s limit with ${gone.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} gone`));
  } finally {
    clearInterval(progress);
    watch.close();
  }
  return { clusters: total, gone, seconds: (performance.now() - t0) / 1000, tenThousandSeconds: tenThousand };
}

// ---------------------------------------------------------------------------

/** `promise`, or a rejection after PHASE_TIMEOUT_MS (the timer does not outlive it). */
async function withTimeout<T>(promise: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), PHASE_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
