// The API server over TLS against a bare Node TLS server measured in the same
// run with the same client, certificate and bytes (issue 4). The bare server is
// the server class SecureServer uses, used the same way (node:http2
// createSecureServer with allowHTTP1: HTTP/1.1 requests, HTTP/2 core streams),
// answering fixed bytes. Every server runs in its own child process
// (apiserver-child.ts, bundled by esbuild from the sources as the published
// build is) so the client's CPU and memory are not counted; on a 2-core machine
// the client has one core, the server the other.
//  1. GET of one configmap and LIST of 100: requests/s, p50/p99 with 64
//     keep-alive HTTPS/1.1 clients (undici Pool), as a user authorized by RBAC
//     with a bearer token; the bare server answers the same bytes.
//  2. Create: POST of a configmap with a unique name; the bare server reads the
//     same body and answers the same bytes. Measured on the memory store (the
//     API server's own cost) and on the embedded SQLite store `kcp start` runs
//     by default (durable: an fsync per group commit, on libuv's thread pool).
//     For reference, the bare server also answers after fsyncing the bodies in
//     group commits as that store does (`bare node, fsync`): what durability
//     alone costs on this machine. The target is against the plain bare server.
//  3. Watch fan-out: 1,000 and 10,000 watches of one namespace's configmaps over
//     HTTP/2 (1,000 streams per session); one create at a time → time until the
//     last watcher has the event (20 writes); server memory per watcher (heap and
//     RSS after two full GCs, before vs after opening the watches). The bare
//     server writes the same line to every open stream on POST /trigger.
//  4. 10,000 logical clusters with one namespace and one configmap each (and
//     the namespace's `default` ServiceAccount the server creates, counted as data),
//     written through ApiServer.handle (the whole handler chain minus TLS),
//     memory and SQLite stores: RSS and heap growth minus the same stored JSON
//     held as strings in a Map (measured in another child process).
// Targets are printed, never enforced.
import type * as http2 from 'node:http2';
import { loadavg } from 'node:os';
import { generateCA, issueCertificate } from '@kcp-ts/apiserver';
import { ChildServer, type LoadResult, type LoadSpec, WatchFleet, fetchBody, h2Connect, h2Request, load } from './apiserver-clients';
import { BENCH_CLUSTER, BENCH_NAMESPACE, type ChildMemory, LIST_SIZE, USER_TOKEN, WATCH_NAMESPACE, configMap } from './apiserver-shared';
import { percentile, printTable } from './report';

const SECONDS = Number(process.env['APISERVER_BENCH_SECONDS'] ?? 1.5);
const WARMUP_SECONDS = 0.5;
const ROUNDS = Number(process.env['APISERVER_BENCH_ROUNDS'] ?? 3);
const CLIENTS = 64;
const WATCHER_STEPS = [1_000, 10_000] as const;
const STREAMS_PER_SESSION = 1_000;
const FANOUT_WRITES = 20;
const CLUSTERS = Number(process.env['APISERVER_BENCH_CLUSTERS'] ?? 10_000);
const STORES = (process.env['APISERVER_BENCH_STORES'] ?? 'memory,sqlite').split(',');
/** parts to run (all by default): requests, watch, clusters */
const PARTS = new Set((process.env['APISERVER_BENCH_PARTS'] ?? 'requests,watch,clusters').split(','));

const base = `/clusters/${BENCH_CLUSTER}/api/v1/namespaces`;
const userHeaders = { authorization: `Bearer ${USER_TOKEN}`, accept: 'application/json' };
const KiB = 1024;
const MiB = 1024 * 1024;

interface FanOut {
  watchers: number;
  openSeconds: number;
  p50: number;
  p99: number;
  heapPerWatcher: number;
  rssPerWatcher: number;
}

export async function run(): Promise<void> {
  const started = performance.now();
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on the machine skew the figures; server CPU per request is the steadier one)`);
  const ca = await generateCA('kcp-ts-bench-ca');
  const serving = await issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const tls = { cert: serving.cert, key: serving.key };

  const api = await ChildServer.start('api', 'memory');
  await api.call('setup');
  const apiPort = await api.call<number>('listen', tls);
  // the store of `kcp start`, for creates (reads are served from the watch cache either way)
  const durable = PARTS.has('requests') || PARTS.has('POST') ? await ChildServer.start('api', 'sqlite') : undefined;
  if (durable) await durable.call('setup');
  const durablePort = durable ? await durable.call<number>('listen', tls) : 0;
  const bare = await ChildServer.start('bare');
  const barePort = await bare.call<number>('listen', tls);

  // the bytes the bare server answers: the API server's own responses
  const getPath = `${base}/${BENCH_NAMESPACE}/configmaps/cm-042`;
  const listPath = `${base}/${BENCH_NAMESPACE}/configmaps`;
  const createPath = `${base}/${BENCH_NAMESPACE}/configmaps`;
  const got = await fetchBody(apiPort, ca.cert, 'GET', getPath, userHeaders);
  const listed = await fetchBody(apiPort, ca.cert, 'GET', listPath, userHeaders);
  const created = await fetchBody(apiPort, ca.cert, 'POST', createPath, { ...userHeaders, 'content-type': 'application/json' }, createBody('probe'));
  for (const [what, r, status] of [['GET', got, 200], ['LIST', listed, 200], ['POST', created, 201]] as const) {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
  }
  if ((JSON.parse(listed.body) as { items: unknown[] }).items.length !== LIST_SIZE) throw new Error('LIST: unexpected item count');
  await bare.call('bodies', { get: got.body, list: listed.body, create: created.body });

  // 1 + 2: request throughput
  // a create also runs against the store of `kcp start` (durable), and against the bare server
  // fsyncing its bodies in group commits (bareDurable): what durability alone costs on this machine
  const specs: Array<{ name: string; api: LoadSpec; bare: LoadSpec; bytes: number; target: number; durable?: LoadSpec; bareDurable?: LoadSpec }> = [
    { name: 'GET one configmap', api: get(getPath), bare: get('/get'), bytes: got.body.length, target: 0.5 },
    { name: `LIST ${LIST_SIZE} configmaps`, api: get(listPath), bare: get('/list'), bytes: listed.body.length, target: NaN },
    {
      name: 'POST configmap',
      api: post(createPath),
      bare: post('/create'),
      bytes: created.body.length,
      target: 0.3,
      durable: post(createPath),
      bareDurable: post('/durable'),
    },
  ];
  const rows: (string | number)[][] = [];
  // APISERVER_BENCH_PARTS may also name single requests: GET, LIST, POST
  const wanted = specs.filter((s) => PARTS.has('requests') || PARTS.has(s.name.split(' ')[0]!));
  for (const spec of wanted) {
    // alternate the servers and keep each one's best round: other load on the machine only ever slows a round down
    const bareRounds: LoadResult[] = [];
    const apiRounds: LoadResult[] = [];
    const durableRounds: LoadResult[] = [];
    const bareDurableRounds: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bareRounds.push(await load(bare, barePort, ca.cert, spec.bare, CLIENTS, SECONDS, WARMUP_SECONDS));
      if (spec.bareDurable) bareDurableRounds.push(await load(bare, barePort, ca.cert, spec.bareDurable, CLIENTS, SECONDS, WARMUP_SECONDS));
      apiRounds.push(await load(api, apiPort, ca.cert, spec.api, CLIENTS, SECONDS, WARMUP_SECONDS));
      if (spec.durable && durable) durableRounds.push(await load(durable, durablePort, ca.cert, spec.durable, CLIENTS, SECONDS, WARMUP_SECONDS));
    }
    const b = best(bareRounds);
    rows.push(requestRow(spec.name, 'bare node', spec.bytes, b, b, NaN, []));
    if (bareDurableRounds.length > 0) {
      rows.push(requestRow(spec.name, 'bare node, fsync', spec.bytes, best(bareDurableRounds), b, NaN, roundRatios(bareDurableRounds, bareRounds)));
    }
    rows.push(requestRow(spec.name, 'ApiServer', spec.bytes, best(apiRounds), b, spec.target, roundRatios(apiRounds, bareRounds)));
    if (durableRounds.length > 0) rows.push(requestRow(spec.name, 'ApiServer SQLite', spec.bytes, best(durableRounds), b, spec.target, roundRatios(durableRounds, bareRounds)));
  }
  await durable?.stop();
  if (wanted.length > 0) printTable(
    `Requests over TLS, HTTP/1.1 keep-alive, ${CLIENTS} clients (undici Pool), best of ${ROUNDS} alternating rounds of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up (each round: its rate against the bare round run just before it, lowest–highest); bearer token + RBAC user; ApiServer on the memory store, ApiServer SQLite on kcp start's embedded store (fsync per group commit); bare node, fsync: the bare server answering after a group commit of the bodies with an fsync, as the SQLite store does`,
    ['request', 'server', 'resp bytes', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'each round', 'target', 'server CPU µs/req', 'vs bare', 'cores server (event loop) / client'],
    rows,
  );

  // 3: watch fan-out
  if (PARTS.has('watch')) {
    const fanRows: (string | number)[][] = [];
    const apiFan = await fanOut(api, apiPort, ca.cert, 'api', created.body);
    const bareFan = await fanOut(bare, barePort, ca.cert, 'bare', created.body);
    for (const [i, a] of apiFan.entries()) {
      const b = bareFan[i]!;
      fanRows.push(fanRow('bare node', b, b));
      fanRows.push(fanRow('ApiServer', a, b));
    }
    printTable(
      `Watch fan-out over HTTP/2 (${STREAMS_PER_SESSION} streams per session), one create at a time, ${FANOUT_WRITES} writes: write → last watcher has the event; server memory per watcher after GC, heap = V8 heap used + external (target at 10,000: p99 ≤ 100 ms, ≤ 4 KiB)`,
      ['server', 'watchers', 'open s', 'p50 ms', 'p99 ms', 'p99 vs bare', 'heap B/watcher', 'beyond bare B', 'RSS B/watcher'],
      fanRows,
    );
  }
  await api.stop();
  await bare.stop();

  // 4: logical clusters
  if (PARTS.has('clusters')) {
    const clusterRows: (string | number)[][] = [];
    for (const store of STORES) clusterRows.push(...(await clusterCost(store)));
    printTable(
      `${CLUSTERS.toLocaleString('en-US')} logical clusters, one namespace + one configmap each (+ the namespace's default ServiceAccount, made by the server and counted as data), written through ApiServer.handle (64 concurrent, system:masters token); growth after GC, heap = V8 heap used + external (target ≤ 16 KiB per cluster beyond its data)`,
      ['held by', 'store', 'data MiB', 'write s', 'writes/s', 'RSS MiB', 'heap MiB', 'RSS KiB/cluster', 'beyond data: RSS KiB/cluster', 'heap KiB/cluster'],
      clusterRows,
    );
  }
  console.log(`\napiserver benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s; load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/** The round with the most requests per second. */
function best(rounds: LoadResult[]): LoadResult {
  return rounds.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
}

function createBody(name: string): Buffer {
  return Buffer.from(JSON.stringify(configMap(name)));
}

function get(path: string): LoadSpec {
  return { method: 'GET', path, headers: userHeaders, expect: 200 };
}

function post(path: string): LoadSpec {
  // unique names across every round that uses the spec
  let created = 0;
  return {
    method: 'POST',
    path,
    headers: { ...userHeaders, 'content-type': 'application/json' },
    body: () => createBody(`c-${created++}`),
    expect: 201,
  };
}

/** Each round's rate against the bare server's round next to it (the machine's speed drifts between rounds). */
function roundRatios(rounds: LoadResult[], bareRounds: LoadResult[]): number[] {
  return rounds.map((r, i) => r.perSecond / bareRounds[i]!.perSecond);
}

function requestRow(name: string, server: string, bytes: number, r: LoadResult, bare: LoadResult, target: number, perRound: number[]): (string | number)[] {
  const ratio = r === bare ? '' : `${((r.perSecond / bare.perSecond) * 100).toFixed(0)}%`;
  const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
  const cpuRatio = r === bare ? '' : `${(r.serverCpuMicros / bare.serverCpuMicros).toFixed(1)}×`;
  return [
    name,
    server,
    bytes,
    Math.round(r.perSecond),
    r.p50Ms,
    r.p99Ms,
    ratio,
    perRound.length === 0 ? '' : `${percent(Math.min(...perRound))}–${percent(Math.max(...perRound))}`,
    Number.isNaN(target) ? '' : `≥ ${target * 100}%`,
    Math.round(r.serverCpuMicros),
    cpuRatio,
    `${r.serverCores.toFixed(2)}${r.serverMainThreadCores === undefined ? '' : ` (${r.serverMainThreadCores.toFixed(2)})`} / ${r.clientCores.toFixed(2)}`,
  ];
}

function fanRow(server: string, f: FanOut, bare: FanOut): (string | number)[] {
  return [
    server,
    f.watchers,
    f.openSeconds,
    f.p50,
    f.p99,
    f === bare ? '' : `${(f.p99 / bare.p99).toFixed(1)}×`,
    Math.round(f.heapPerWatcher),
    f === bare ? '' : Math.round(f.heapPerWatcher - bare.heapPerWatcher),
    Math.round(f.rssPerWatcher),
  ];
}

/** Opens 1,000 then 10,000 watchers on `server`; measures delivery of one write at a time and memory per watcher. */
async function fanOut(server: ChildServer, port: number, ca: string, kind: 'api' | 'bare', createdBody: string): Promise<FanOut[]> {
  const writer = await h2Connect(port, ca);
  const fleet = new WatchFleet(port, ca);
  const results: FanOut[] = [];
  let rv = '';
  if (kind === 'api') {
    // start the watches at the current revision: no initial events
    const list = await h2Get(writer, `${base}/${WATCH_NAMESPACE}/configmaps`, userHeaders);
    rv = (JSON.parse(list) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  }
  const before = await server.call<ChildMemory>('memory');
  const template = JSON.parse(createdBody) as { metadata: Record<string, unknown> };
  let sequence = 0;
  for (const target of WATCHER_STEPS) {
    const path = kind === 'api' ? `${base}/${WATCH_NAMESPACE}/configmaps?watch=true&resourceVersion=${rv}` : '/watch';
    const t0 = performance.now();
    await fleet.open(target - fleet.size, STREAMS_PER_SESSION, path, userHeaders);
    const openSeconds = (performance.now() - t0) / 1000;
    const after = await server.call<ChildMemory>('memory');
    const latencies: number[] = [];
    for (let i = 0; i < FANOUT_WRITES + 1; i++) {
      const name = `w${target}-${sequence++}`;
      const all = fleet.expect(`"name":"${name}"`);
      const sent = performance.now();
      let status: number;
      if (kind === 'api') {
        status = await h2Request(writer, 'POST', `${base}/${WATCH_NAMESPACE}/configmaps`, { ...userHeaders, 'content-type': 'application/json' }, createBody(name));
      } else {
        const line = `${JSON.stringify({ type: 'ADDED', object: { ...template, metadata: { ...template.metadata, name } } })}\n`;
        status = await h2Request(writer, 'POST', '/trigger', {}, Buffer.from(line));
      }
      if (status !== 201) throw new Error(`${kind} fan-out write: status ${status}`);
      const at = await all;
      if (i > 0) latencies.push(at - sent); // the first write warms up
    }
    results.push({
      watchers: target,
      openSeconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      heapPerWatcher: (after.heapUsed + after.external - before.heapUsed - before.external) / target,
      rssPerWatcher: (after.rss - before.rss) / target,
    });
  }
  if (fleet.failures > 0) throw new Error(`${fleet.failures} watch streams failed`);
  fleet.close();
  writer.destroy();
  return results;
}

function h2Get(session: http2.ClientHttp2Session, path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ':path': path, ...headers });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (text += c));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
    stream.end();
  });
}

/** Fills CLUSTERS logical clusters in a fresh server; the same stored JSON in a Map is the baseline. */
async function clusterCost(store: string): Promise<(string | number)[][]> {
  const server = await ChildServer.start('clusters', store);
  const fill = await server.call<{ seconds: number; before: ChildMemory; after: ChildMemory }>('fill', { count: CLUSTERS, concurrency: 64 });
  const dump = await server.call<{ file: string; entries: number; bytes: number }>('dump');
  const baseline = await ChildServer.start('map');
  const map = await baseline.call<{ before: ChildMemory; after: ChildMemory; entries: number }>('load', { file: dump.file });
  await baseline.stop();
  await server.stop();
  // the namespace, the configmap and the namespace's default service account
  if (map.entries !== CLUSTERS * 3) throw new Error(`expected ${CLUSTERS * 3} stored objects, found ${map.entries}`);
  const apiRss = fill.after.rss - fill.before.rss;
  const apiHeap = fill.after.heapUsed + fill.after.external - fill.before.heapUsed - fill.before.external;
  const mapRss = map.after.rss - map.before.rss;
  const mapHeap = map.after.heapUsed + map.after.external - map.before.heapUsed - map.before.external;
  const data = dump.bytes / MiB;
  return [
    ['Map<key, JSON string>', '—', data, '', '', mapRss / MiB, mapHeap / MiB, mapRss / CLUSTERS / KiB, '', ''],
    [
      'ApiServer',
      store,
      data,
      fill.seconds,
      Math.round((CLUSTERS * 2) / fill.seconds),
      apiRss / MiB,
      apiHeap / MiB,
      apiRss / CLUSTERS / KiB,
      (apiRss - mapRss) / CLUSTERS / KiB,
      (apiHeap - mapHeap) / CLUSTERS / KiB,
    ],
  ];
}
