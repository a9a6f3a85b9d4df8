// Test support: real API servers (in-process ApiServer served over TLS by
// SecureServer) with admin and user tokens, restartable on the same port
// over a SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiServer,
  type ApiServerOptions,
  type CertificateAndKey,
  defineBuiltin,
  generateCA,
  type ResourceDefinition,
  STATUS_SUBRESOURCE,
  issueCertificate,
  SecureServer,
  ClientCertificateAuthenticator,
  TokenAuthenticator,
  UnionAuthenticator,
  type UserInfo,
} from '@kcp-ts/apiserver';
import { X509Certificate } from 'node:crypto';
import { createMemoryStore, openSqliteStore, type Store } from '@kcp-ts/storage';
import { stringify } from 'yaml';

export const ADMIN_TOKEN = 'admin-token';
export const USER_TOKEN = 'alice-token';
export const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

let pki: Promise<{ ca: CertificateAndKey; serving: CertificateAndKey; otherCa: CertificateAndKey; client: CertificateAndKey }> | undefined;

/** One CA, serving certificate (127.0.0.1, localhost) and client certificate (`cert-admin`, system:masters) per test process, plus an unrelated CA. */
export function testPki() {
  pki ??= (async () => {
    const ca = await generateCA('kcp-ts-test-ca');
    const serving = await issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    const otherCa = await generateCA('some-other-ca');
    const client = await issueCertificate(ca, { commonName: 'cert-admin', organizations: ['system:masters'], usage: 'client' });
    return { ca, serving, otherCa, client };
  })();
  return pki;
}

export interface TestServerOptions {
  /** a SQLite file (restartable); default: an in-memory store */
  readonly sqlitePath?: string;
  readonly port?: number;
  /** start listening at once (default true) */
  readonly listen?: boolean;
  /** request client certificates signed by the test CA and authenticate them */
  readonly clientCertificates?: boolean;
  readonly apiServer?: Partial<ApiServerOptions>;
}

/** A running ApiServer over TLS. */
export interface TestServer {
  readonly server: ApiServer;
  readonly store: Store;
  readonly port: number;
  readonly url: string;
  readonly caPem: string;
  /** a kubeconfig for this server (admin token by default) */
  kubeconfig(options?: { token?: string; cluster?: string; caPem?: string }): string;
  /** a raw in-process request as the admin, returning the parsed JSON body */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  admin(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }>;
  /** stops the TLS listener only (the ApiServer keeps running) */
  stopListening(): Promise<void>;
  /** listens again on the same port */
  listen(): Promise<void>;
  /** stops everything (listener, ApiServer, store) */
  stop(): Promise<void>;
}

/** `widgets.example.kcp.io/v1`: a namespaced test kind with spec, status subresource and generation. */
export const WIDGETS = { group: 'example.kcp.io', version: 'v1', resource: 'widgets' } as const;

/** The APIExportEndpointSlice kind as kcp serves it (cluster-scoped, status subresource). */
export const testDefinitions: readonly ResourceDefinition[] = [
  defineBuiltin({
    ...WIDGETS,
    kind: 'Widget',
    singular: 'widget',
    namespaced: true,
    subresources: { status: STATUS_SUBRESOURCE },
    strategy: { statusSubresource: true, tracksGeneration: true },
    // a custom resource in kcp: its list items carry apiVersion and kind
    typedList: false,
  }),
  defineBuiltin({
    group: 'apis.kcp.io',
    version: 'v1alpha1',
    resource: 'apiexportendpointslices',
    kind: 'APIExportEndpointSlice',
    singular: 'apiexportendpointslice',
    namespaced: false,
    subresources: { status: STATUS_SUBRESOURCE },
    strategy: { statusSubresource: true, tracksGeneration: true },
    // a custom resource in kcp: its list items carry apiVersion and kind
    typedList: false,
  }),
];

/** Starts an ApiServer (`runControllers: false`) over TLS on 127.0.0.1. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { ca, serving } = await testPki();
  const store: Store = options.sqlitePath
    ? await openSqliteStore({ path: options.sqlitePath, synchronous: 'normal', compaction: false })
    : createMemoryStore();
  const authenticator = new UnionAuthenticator([
    ...(options.clientCertificates ? [new ClientCertificateAuthenticator([new X509Certificate(ca.cert)])] : []),
    new TokenAuthenticator([
      [ADMIN_TOKEN, { username: 'admin', groups: ['system:masters'] }],
      [USER_TOKEN, { username: 'alice', groups: ['devs'] }],
    ]),
  ]);
  const server = new ApiServer({ store, authenticator, externalAddress: '127.0.0.1:0', runControllers: false, extraBuiltins: testDefinitions, ...options.apiServer });
  const abort = new AbortController();
  const running = server.run(abort.signal);
  await server.whenReady();
  let port = options.port ?? 0;
  let secure: SecureServer | undefined;
  const listen = async () => {
    secure = new SecureServer({ bindAddress: '127.0.0.1', port, cert: serving.cert, key: serving.key, ...(options.clientCertificates ? { clientCAs: ca.cert } : {}) }, server);
    const address = await secure.listen();
    port = address.port;
  };
  if (options.listen !== false) await listen();
  const admin = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const bytes = Buffer.from(body === undefined ? '' : JSON.stringify(body));
    const response = await server.handle({
      method,
      url: path,
      headers: { 'content-type': contentType, accept: 'application/json' },
      readBody: async () => bytes,
      signal: new AbortController().signal,
      authenticatedUser: ADMIN,
    });
    if ('stream' in response) throw new Error(`unexpected stream from ${method} ${path}`);
    const text = typeof response.body === 'string' ? response.body : Buffer.from(response.body).toString('utf8');
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    server,
    store,
    get port() {
      return port;
    },
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    caPem: ca.cert,
    kubeconfig(opts = {}) {
      return kubeconfigYaml(`https://127.0.0.1:${port}${opts.cluster ? `/clusters/${opts.cluster}` : ''}`, opts.caPem ?? ca.cert, opts.token ?? ADMIN_TOKEN);
    },
    admin,
    async stopListening() {
      await secure?.close();
      secure = undefined;
    },
    listen,
    async stop() {
      await secure?.close();
      secure = undefined;
      abort.abort();
      await running;
      await store.close();
    },
  };
}

/** A kubeconfig with one context `test` (cluster `test`, user `test`). */
export function kubeconfigYaml(server: string, caPem: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'test', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
    'current-context': 'test',
  });
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'kcp-ts-controllers-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A ConfigMap manifest. */
export function configMap(name: string, data: Record<string, string> = {}, namespace?: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data };
}

/** Polls `check` every 10 ms until it returns true; throws after `timeoutMs` naming `what`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
