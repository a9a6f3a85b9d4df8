// Clients of the apiserver benchmark: child-process servers, an HTTP/1.1
// keep-alive load generator and an HTTP/2 watch fleet. The same client code
// drives the API server and the bare baseline server.
import { type ChildProcess, fork } from 'node:child_process';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { ChildCpu, ChildMessage } from './apiserver-shared';
import { percentile } from './report';
import { bundleSources } from './source-bundle';

/** A server running in a child process, driven over IPC. */
export class ChildServer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => {
      if ('ready' in message) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`child: ${message.error}`));
      else waiter.resolve(message.result);
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`child exited with ${String(code)}`));
      this.pending.clear();
    });
  }

  /** Forks `apiserver-child.ts` in `mode` and waits until it is ready. */
  static async start(...args: string[]): Promise<ChildServer> {
    const viaTsx = process.env['APISERVER_BENCH_TSX'] === '1';
    const entry = viaTsx ? new URL('./apiserver-child.ts', import.meta.url) : await childBundle();
    const child = fork(entry, args, {
      execArgv: [...(viaTsx ? process.execArgv : []), '--expose-gc', ...profileArgs(args[0] ?? '')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if ('ready' in message) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => reject(new Error(`child ${args.join(' ')} exited with ${String(code)} before it was ready`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new ChildServer(child);
  }

  call<T>(cmd: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.call('exit').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

let bundle: Promise<string> | undefined;

/**
 * The child's code as the published packages run it: bundled by esbuild from
 * the sources (`@kcp-ts/source`) without `keepNames`, as tsup builds them. Under
 * tsx every named closure gets its name redefined (`__name`), which costs a
 * property store of ~256 bytes per closure and CPU per call: it would inflate
 * the figures (APISERVER_BENCH_TSX=1 runs the children through tsx anyway).
 */
function childBundle(): Promise<string> {
  bundle ??= bundleSources(
    fileURLToPath(new URL('./apiserver-child.ts', import.meta.url)),
    fileURLToPath(new URL('../../node_modules/.cache/kcp-ts-bench/apiserver-child.mjs', import.meta.url)),
  );
  return bundle;
}

/**
 * APISERVER_BENCH_PROFILE=<dir>: CPU profiles of the `api` children (node --cpu-prof), to find hot spots;
 * APISERVER_BENCH_NODE_ARGS: more node flags for them (e.g. `--trace-deopt`), split on spaces.
 */
function profileArgs(mode: string): string[] {
  if (mode !== 'api') return [];
  const dir = process.env['APISERVER_BENCH_PROFILE'];
  const extra = (process.env['APISERVER_BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  return [...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), ...extra];
}

export interface LoadSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  /** the request body of the i-th request */
  readonly body?: (i: number) => Buffer;
  /** the status every response must have */
  readonly expect: number;
}

export interface LoadResult {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** server CPU time (user + system) per request, µs */
  readonly serverCpuMicros: number;
  /** server and client CPU use over the window, in cores */
  readonly serverCores: number;
  readonly clientCores: number;
  /** the server's event-loop thread's share of that, in cores (undefined where it cannot be read) */
  readonly serverMainThreadCores: number | undefined;
}

/**
 * `clients` keep-alive HTTPS/1.1 connections (an undici Pool, no pipelining),
 * each sending one request after the other for `seconds` (after
 * `warmupSeconds` not counted).
 */
export async function load(
  server: ChildServer,
  port: number,
  ca: string,
  spec: LoadSpec,
  clients: number,
  seconds: number,
  warmupSeconds: number,
): Promise<LoadResult> {
  const pool = new Pool(`https://127.0.0.1:${port}`, { connections: clients, pipelining: 1, connect: { ca, servername: 'localhost' } });
  let counter = 0;
  const send = async (): Promise<void> => {
    const body = spec.body?.(counter++);
    const response = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, ...(body ? { body } : {}) });
    if (response.statusCode !== spec.expect) {
      throw new Error(`${spec.method} ${spec.path}: ${response.statusCode} ${(await response.body.text()).slice(0, 300)}`);
    }
    await response.body.dump({ limit: Infinity });
  };
  const run = async (durationMs: number, latencies: number[] | undefined): Promise<number> => {
    const deadline = performance.now() + durationMs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await send();
          latencies?.push(performance.now() - t0);
        }
      }),
    );
    return performance.now() - started;
  };
  await run(warmupSeconds * 1000, undefined);
  const latencies: number[] = [];
  const serverBefore = await server.call<ChildCpu>('cpu');
  const clientBefore = process.cpuUsage();
  const elapsed = await run(seconds * 1000, latencies);
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = await server.call<ChildCpu>('cpu');
  await pool.close();
  const serverMicros = serverAfter.user + serverAfter.system - serverBefore.user - serverBefore.system;
  return {
    serverCpuMicros: serverMicros / latencies.length,
    serverCores: serverMicros / 1000 / elapsed,
    clientCores: (clientCpu.user + clientCpu.system) / 1000 / elapsed,
    serverMainThreadCores:
      serverAfter.mainThread === undefined || serverBefore.mainThread === undefined
        ? undefined
        : (serverAfter.mainThread - serverBefore.mainThread) / 1000 / elapsed,
    perSecond: latencies.length / (elapsed / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
  };
}

/** One GET over a fresh connection: the response body (to build the bare server's answers). */
export async function fetchBody(port: number, ca: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, headers, ca, servername: 'localhost', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Many watch streams multiplexed over a few HTTP/2 sessions (like client-go,
 * with a large connection window). Counts, per marker, how many streams have
 * received a line containing it.
 */
export class WatchFleet {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private readonly streams: http2.ClientHttp2Stream[] = [];
  private marker = '';
  private received = 0;
  private target = 0;
  private onAll: ((at: number) => void) | undefined;
  failures = 0;

  constructor(
    private readonly port: number,
    private readonly ca: string,
  ) {}

  get size(): number {
    return this.streams.length;
  }

  /** Opens `count` more streams of GET `path`, `perSession` per new session; resolves when every response head arrived. */
  async open(count: number, perSession: number, path: string, headers: Record<string, string>): Promise<void> {
    const opened: Promise<void>[] = [];
    for (let n = 0; n < count; n += perSession) {
      const session = http2.connect(`https://127.0.0.1:${this.port}`, { ca: this.ca, servername: 'localhost', maxSessionMemory: 512 });
      session.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        session.once('connect', () => resolve());
        session.once('error', reject);
      });
      session.setLocalWindowSize(1 << 30);
      this.sessions.push(session);
      for (let i = 0; i < Math.min(perSession, count - n); i++) opened.push(this.openStream(session, path, headers));
    }
    await Promise.all(opened);
  }

  private openStream(session: http2.ClientHttp2Session, path: string, headers: Record<string, string>): Promise<void> {
    const stream = session.request({ ':method': 'GET', ':path': path, ...headers });
    this.streams.push(stream);
    stream.setEncoding('utf8');
    let buffered = '';
    let lastMarker = '';
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (this.marker !== '' && lastMarker !== this.marker && line.includes(this.marker)) {
          lastMarker = this.marker;
          if (++this.received === this.target) this.onAll?.(performance.now());
        }
      }
    });
    stream.on('error', () => this.failures++);
    return new Promise((resolve, reject) => {
      stream.once('response', (head) => {
        if (head[':status'] === 200) resolve();
        else reject(new Error(`watch ${path}: status ${String(head[':status'])}`));
      });
      stream.once('error', reject);
    });
  }

  /** Sets the marker the next event carries; resolves with the time the last stream received it. */
  expect(marker: string, timeoutMs = 30_000): Promise<number> {
    this.marker = marker;
    this.received = 0;
    this.target = this.streams.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.received} of ${this.target} watchers received ${marker}`)), timeoutMs);
      this.onAll = (at) => {
        clearTimeout(timer);
        this.onAll = undefined;
        resolve(at);
      };
    });
  }

  close(): void {
    for (const session of this.sessions) session.destroy();
    this.sessions.length = 0;
    this.streams.length = 0;
  }
}

/** One request over an HTTP/2 session (the writer of the fan-out measurement). */
export function h2Request(session: http2.ClientHttp2Session, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, 'content-length': String(body.length), ...headers });
    let status = 0;
    stream.once('response', (head) => (status = Number(head[':status'])));
    stream.on('data', () => {});
    stream.once('end', () => resolve(status));
    stream.once('error', reject);
    stream.end(body);
  });
}

/** An HTTP/2 session to the server, connected. */
export async function h2Connect(port: number, ca: string): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca, servername: 'localhost' });
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}
