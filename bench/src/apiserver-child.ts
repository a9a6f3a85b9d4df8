// The server side of the apiserver benchmark, run in a child process so the
// client's CPU and memory are not counted (started by apiserver.bench.ts with
// --expose-gc). It serves one of:
//  - `api`: an ApiServer (memory or SQLite store) behind SecureServer, with a
//    token authenticator and RBAC, set up with a namespace of 100 configmaps;
//  - `bare`: a bare Node HTTP/2 + HTTP/1.1 TLS server (the same server class
//    SecureServer uses) answering fixed bytes, and fanning one line out to every
//    open stream of GET /watch on POST /trigger; POST /durable is answered
//    after the body is fsynced in a group commit, as the SQLite store does;
//  - `clusters`: an ApiServer without a listener, into which logical clusters
//    are written through `ApiServer.handle` (the whole handler chain minus TLS);
//  - `map`: the plain-JSON-strings-in-a-Map baseline of the `clusters` data.
// It talks to the parent over IPC: {id, cmd, args} → {id, result | error}.
import { closeSync, fdatasync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { ApiServer, type ApiRequest, SecureServer, TokenAuthenticator, UnionAuthenticator, isStreamResponse } from '@kcp-ts/apiserver';
import { createMemoryStore, openSqliteStore, type Store } from '@kcp-ts/storage';
import {
  ADMIN_TOKEN,
  BENCH_CLUSTER,
  BENCH_NAMESPACE,
  LIST_SIZE,
  USER_NAME,
  USER_TOKEN,
  WATCH_NAMESPACE,
  type ChildCpu,
  type ChildMemory,
  type ChildMessage,
  configMap,
} from './apiserver-shared';

const mode = process.argv[2];
type Handler = (args: never) => unknown;
const handlers = new Map<string, Handler>();
const abort = new AbortController();

process.on('message', (message: { id: number; cmd: string; args?: unknown }) => {
  const handler = handlers.get(message.cmd);
  void (async () => {
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd} in mode ${mode}`);
      const result = await handler(message.args as never);
      send({ id: message.id, result });
    } catch (err) {
      send({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

// the benchmark went away (finished or failed): so does its server
process.on('disconnect', () => process.exit(0));

function send(message: ChildMessage): void {
  process.send!(message);
}

function on<A, R>(cmd: string, handler: (args: A) => Promise<R> | R): void {
  handlers.set(cmd, handler as Handler);
}

/** Memory after two full collections (the child runs with --expose-gc). */
function memory(): ChildMemory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
}

on('memory', () => memory());
on('cpu', (): ChildCpu => ({ ...process.cpuUsage(), mainThread: mainThreadMicros() }));

/**
 * CPU time of the thread running the event loop (this handler runs on it), µs:
 * the first field of its schedstat, nanoseconds on a CPU. The server is one
 * thread doing the requests' work, so this, not the process's total (which has
 * the garbage collector's and the thread pool's threads), is what caps it.
 */
function mainThreadMicros(): number | undefined {
  let nanoseconds: number;
  try {
    nanoseconds = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return undefined; // not Linux
  }
  return Number.isFinite(nanoseconds) ? nanoseconds / 1000 : undefined;
}
// diagnostics: a heap snapshot of the server (e.g. to see what one watch retains)
on('heapsnapshot', (args: { file: string }) => writeHeapSnapshot(args.file));
on('exit', () => {
  abort.abort();
  setTimeout(() => process.exit(0), 50);
  return null;
});

function authenticator() {
  return new UnionAuthenticator([
    new TokenAuthenticator([
      [ADMIN_TOKEN, { username: 'bench-admin', groups: ['system:masters', 'system:authenticated'] }],
      [USER_TOKEN, { username: USER_NAME, groups: ['system:authenticated'] }],
    ]),
  ]);
}

async function openStore(kind: string, dir: string): Promise<Store> {
  if (kind === 'sqlite') return openSqliteStore({ path: join(dir, 'kcp.db') });
  return createMemoryStore();
}

async function startApiServer(kind: string): Promise<{ server: ApiServer; store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kcp-bench-apiserver-'));
  const store = await openStore(kind, dir);
  const server = new ApiServer({ store, authenticator: authenticator(), externalAddress: '127.0.0.1:6443' });
  void server.run(abort.signal);
  await server.whenReady();
  abort.signal.addEventListener('abort', () => rmSync(dir, { recursive: true, force: true }));
  return { server, store, dir };
}

if (mode === 'api') {
  const kind = process.argv[3] ?? 'memory';
  const { server } = await startApiServer(kind);
  on('listen', async (args: { cert: string; key: string }) => {
    const secure = new SecureServer({ bindAddress: '127.0.0.1', port: 0, cert: args.cert, key: args.key }, server);
    const address = await secure.listen();
    abort.signal.addEventListener('abort', () => void secure.close());
    return address.port;
  });
  // the fixture: a namespace of LIST_SIZE configmaps, an empty one for watches, and
  // a ClusterRoleBinding granting the bench user the bootstrap `edit` ClusterRole
  on('setup', async () => {
    const client = server.loopback();
    const base = `/clusters/${BENCH_CLUSTER}`;
    for (const ns of [BENCH_NAMESPACE, WATCH_NAMESPACE]) {
      await client.create(`${base}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    await client.create(`${base}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bench-user-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: USER_NAME }],
    });
    for (let i = 0; i < LIST_SIZE; i++) {
      await client.create(`${base}/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps`, configMap(`cm-${String(i).padStart(3, '0')}`));
    }
    return null;
  });
} else if (mode === 'bare') {
  // the same Node server class and APIs SecureServer uses: HTTP/1.1 through 'request',
  // HTTP/2 on core streams (Node's compatibility layer unhooked)
  let bodies: { get: string; list: string; create: string } = { get: '', list: '', create: '' };
  const watchers = new Set<http2.ServerHttp2Stream>();
  const answer = (path: string) => (path.startsWith('/list') ? bodies.list : bodies.get);
  const readAll = (source: NodeJS.ReadableStream, done: (body: string) => void) => {
    const chunks: Buffer[] = [];
    source.on('data', (c: Buffer) => chunks.push(c));
    source.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  };
  on('listen', async (args: { cert: string; key: string }) => {
    const server = http2.createSecureServer({
      allowHTTP1: true,
      cert: args.cert,
      key: args.key,
      settings: { maxConcurrentStreams: 10_000 },
      minVersion: 'TLSv1.2',
    });
    for (const hook of server.listeners('newListener')) {
      if (hook.name === 'setupCompat') server.off('newListener', hook as (...a: unknown[]) => void);
    }
    const log = new GroupLog();
    abort.signal.addEventListener('abort', () => log.close());
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST') {
        const created = () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(bodies.create);
        };
        readAll(req, (body) => (req.url?.startsWith('/durable') ? log.append(body, created) : created()));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer(req.url ?? ''));
    });
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      const path = headers[':path'] ?? '';
      stream.on('error', () => {});
      if (headers[':method'] === 'GET' && path.startsWith('/watch')) {
        stream.respond({ ':status': 200, 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
        watchers.add(stream);
        stream.on('close', () => watchers.delete(stream));
        return;
      }
      if (headers[':method'] === 'POST') {
        readAll(stream, (line) => {
          if (path.startsWith('/trigger')) for (const w of watchers) w.write(line);
          stream.respond({ ':status': 201, 'content-type': 'application/json' });
          stream.end(bodies.create);
        });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(answer(path));
    });
    server.on('sessionError', () => {});
    server.setTimeout(0);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    abort.signal.addEventListener('abort', () => server.close());
    return (server.address() as { port: number }).port;
  });
  on('bodies', (args: typeof bodies) => {
    bodies = args;
    return null;
  });
} else if (mode === 'clusters') {
  const SERVICE_ACCOUNTS = '/registry/core/serviceaccounts/';
  const kind = process.argv[3] ?? 'memory';
  const { server, store, dir } = await startApiServer(kind);
  // writes one namespace and one configmap into each of `count` logical clusters
  on('fill', async (args: { count: number; concurrency: number }) => {
    const before = memory();
    const accountsBefore = await store.count(SERVICE_ACCOUNTS);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: args.concurrency }, async () => {
        while (next < args.count) {
          const cluster = clusterName(next++);
          await request(server, 'POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
          await request(server, 'POST', `/clusters/${cluster}/api/v1/namespaces/team/configmaps`, configMap('settings'));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // the controllers react to every new namespace: wait until each has its default
    // ServiceAccount (they can lag the writes by seconds on a busy machine), then let them settle
    for (let waited = 0; (await store.count(SERVICE_ACCOUNTS)) - accountsBefore < args.count; waited += 100) {
      if (waited >= 120_000) throw new Error(`the default ServiceAccounts of ${args.count} namespaces were not all made within 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = memory();
    return { seconds, before, after };
  });
  // the stored JSON of the filled clusters, for the Map baseline
  on('dump', async () => {
    const pairs: Array<[string, string]> = [];
    const decoder = new TextDecoder();
    let token: string | undefined;
    do {
      const page = await store.list('/registry/', { limit: 5_000, ...(token ? { continue: token } : {}) });
      for (const kv of page.items) if (/\/bench-c\d+\//.test(kv.key)) pairs.push([kv.key, decoder.decode(kv.value)]);
      token = page.continue;
    } while (token);
    const file = join(dir, 'dump.json');
    writeFileSync(file, JSON.stringify(pairs));
    return { file, entries: pairs.length, bytes: pairs.reduce((n, [k, v]) => n + k.length + v.length, 0) };
  });
} else if (mode === 'map') {
  let held: Map<string, string> | undefined;
  const load = (file: string) => new Map(JSON.parse(readFileSync(file, 'utf8')) as Array<[string, string]>);
  on('load', async (args: { file: string }) => {
    const before = memory();
    held = load(args.file);
    // measured from a later task: the loading frame (and the file's text it may still reference) is gone
    await new Promise((resolve) => setImmediate(resolve));
    const after = memory();
    return { before, after, entries: held.size };
  });
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}

/**
 * The write path of the SQLite store without SQLite, for the bare server's
 * `POST /durable`: what arrives in one turn of the event loop is written to a
 * log (4 MiB, reused as SQLite reuses its write-ahead log) and fdatasynced on
 * libuv's thread pool, one fsync at a time; each group is answered after its
 * fsync, and what arrived meanwhile is the next group.
 */
class GroupLog {
  static readonly SIZE = 4 << 20;
  readonly #dir = mkdtempSync(join(tmpdir(), 'kcp-bench-log-'));
  readonly #fd = openSync(join(this.#dir, 'log'), 'w');
  #position = 0;
  #queue: Array<{ body: string; done: () => void }> = [];
  #scheduled = false;
  #syncing = false;
  #closed = false;

  append(body: string, done: () => void): void {
    this.#queue.push({ body, done });
    if (this.#scheduled || this.#syncing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#commit();
    });
  }

  close(): void {
    this.#closed = true;
    closeSync(this.#fd);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #commit(): void {
    const group = this.#queue;
    if (group.length === 0) return;
    this.#queue = [];
    const bytes = Buffer.from(group.map((write) => write.body).join('\n'));
    if (this.#position + bytes.length > GroupLog.SIZE) this.#position = 0;
    writeSync(this.#fd, bytes, 0, bytes.length, this.#position);
    this.#position += bytes.length;
    this.#syncing = true;
    fdatasync(this.#fd, (err) => {
      if (this.#closed) return;
      if (err) throw err;
      this.#syncing = false;
      for (const write of group) write.done();
      this.#commit();
    });
  }
}

/** Logical cluster names of the `clusters` mode. */
export function clusterName(i: number): string {
  return `bench-c${String(i).padStart(5, '0')}`;
}

async function request(server: ApiServer, method: string, url: string, body: unknown): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(body));
  const apiRequest: ApiRequest = {
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
    readBody: () => Promise.resolve(bytes),
    signal: abort.signal,
  };
  const response = await server.handle(apiRequest);
  if (isStreamResponse(response) || response.status >= 300) {
    throw new Error(`${method} ${url}: ${response.status} ${isStreamResponse(response) ? '' : String(response.body)}`);
  }
}

send({ ready: true });
