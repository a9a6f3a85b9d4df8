import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import { parse as parseYaml } from 'yaml';

const REPO = resolve(import.meta.dirname, '..', '..');
const KCP_BIN = join(REPO, 'apps', 'kcp', 'bin', 'kcp.js');

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => res(port));
    });
  });
}

export interface KcpProcess {
  readonly rootDirectory: string;
  readonly kubeconfig: string;
  readonly port: number;
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** the CA of the serving certificate */
  readonly ca: string;
  readonly tokens: { kcpAdmin: string; shardAdmin: string };
  /** everything the process printed */
  output(): string;
  /** Runs the real kubectl against this server (KUBECONFIG set). */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** A raw HTTPS request with a bearer token (default: shard-admin). */
  http(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the process again on the same root directory and port. */
  restart(): Promise<void>;
}

export interface KubectlOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpOptions {
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  token?: string | null;
  timeoutMs?: number;
  /** a client certificate to present (PEM) */
  clientCert?: { cert: string; key: string };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

/**
 * Starts the built `kcp` binary (`apps/kcp/bin/kcp.js`) in a temporary root
 * directory on a free port and waits until it is ready and has written its
 * admin kubeconfig. Needs `npm run build` first.
 */
export async function startKcp(extraArgs: readonly string[] = []): Promise<KcpProcess> {
  if (!existsSync(join(REPO, 'apps', 'kcp', 'dist', 'main.js'))) {
    throw new Error('apps/kcp is not built: run `npm run build` before the e2e tests');
  }
  const rootDirectory = await mkdtemp(join(tmpdir(), 'kcp-e2e-'));
  const port = await freePort();
  const kubeconfig = join(rootDirectory, 'admin.kubeconfig');
  let log = '';
  let child: ChildProcess;
  let exited: Promise<number | null>;

  const launch = async () => {
    child = spawn(process.execPath, [KCP_BIN, 'start', `--root-directory=${rootDirectory}`, `--secure-port=${port}`, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    exited = new Promise((res) => child.once('exit', (code) => res(code)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kcp exited with ${child.exitCode}:\n${log}`);
      if (log.includes('Wrote the admin kubeconfig')) break;
      if (Date.now() > deadline) throw new Error(`kcp did not become ready within 30s:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();

  const config = parseYaml(await readFile(kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { 'certificate-authority-data': string } }>;
    users: Array<{ name: string; user: { token: string } }>;
  };
  const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString();
  const tokenOf = (name: string) => config.users.find((u) => u.name === name)!.user.token;
  let tokens = { kcpAdmin: tokenOf('kcp-admin'), shardAdmin: tokenOf('shard-admin') };
  const agent = new Agent({ ca, keepAlive: true });
  const url = `https://127.0.0.1:${port}`;

  const process_: KcpProcess = {
    rootDirectory,
    kubeconfig,
    port,
    url,
    ca,
    get tokens() {
      return tokens;
    },
    output: () => log,
    kubectl: (args, options = {}) => kubectl(kubeconfig, args, options),
    http: (method, path, options = {}) =>
      httpRequest(
        options.clientCert ? new Agent({ ca, cert: options.clientCert.cert, key: options.clientCert.key }) : agent,
        url,
        method,
        path,
        options.token === undefined ? tokens.shardAdmin : options.token,
        options,
      ),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const code = await exited;
      return code;
    },
    async restart() {
      await process_.stop();
      log = '';
      await launch();
      const fresh = parseYaml(await readFile(kubeconfig, 'utf8')) as typeof config;
      tokens = {
        kcpAdmin: fresh.users.find((u) => u.name === 'kcp-admin')!.user.token,
        shardAdmin: fresh.users.find((u) => u.name === 'shard-admin')!.user.token,
      };
    },
  };
  return process_;
}

/** A kubeconfig for this server with another user: a token or a client certificate. */
export function userKubeconfig(kcp: KcpProcess, user: { token: string } | { cert: string; key: string }, clusterPath = 'root'): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const credentials = 'token' in user ? { token: user.token } : { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: `${kcp.url}/clusters/${clusterPath}`, 'certificate-authority-data': b64(kcp.ca) } }],
    users: [{ name: 'u', user: credentials }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

/** Removes a kcp process's root directory after stopping it. */
export async function cleanup(kcp: KcpProcess | undefined): Promise<void> {
  if (!kcp) return;
  await kcp.stop();
  await rm(kcp.rootDirectory, { recursive: true, force: true });
}

export function kubectl(kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((res) => {
    const child = execFile(
      'kubectl',
      [...args],
      {
        // HOME next to the kubeconfig: kubectl's discovery cache (~/.kube/cache, by host and port) must not
        // outlive the server; one left by an earlier run on the same port would answer discovery for this one
        env: { PATH: process.env['PATH'] ?? '', HOME: join(dirname(kubeconfig), '.kubectl-home'), KUBECONFIG: kubeconfig, ...options.env },
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        res({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

function httpRequest(agent: Agent, base: string, method: string, path: string, token: string | null, options: HttpOptions): Promise<HttpResult> {
  return new Promise((res, rej) => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (options.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const req = httpsRequest(`${base}${path}`, { method, agent, headers, timeout: options.timeoutMs ?? 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        res({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) });
      });
      response.on('error', rej);
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}
