import { createServer } from 'node:net';
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInternalError,
  isMethodNotSupported,
  isNotFound,
  isStatusError,
  isTooManyRequests,
  type KubeObject,
  type UnstructuredObject,
} from '@kcp-ts/apimachinery';
import { ALLOW, type Authorizer, type ClusterResolver, NO_OPINION, type FieldManager } from '@kcp-ts/apiserver';
import { InvalidClusterNameError } from '@kcp-ts/logicalcluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError, isTransportError, type TransportError } from '../errors';
import { parseKubeconfig } from '../kubeconfig';
import { CountingTransport } from '../testing/counting-transport';
import { ADMIN, configMap, startTestServer, type TestServer, USER_TOKEN, WIDGETS } from '../testing/test-server';
import { HttpTransport } from '../transport/http-transport';
import { InProcessTransport } from '../transport/in-process-transport';
import type { Transport } from '../transport/transport';
import { type ClusterClient, createClusterClient } from './cluster-client';

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

interface Widget extends KubeObject {
  spec?: { size?: number; tags?: string[] };
  status?: { phase?: string };
}

let server: TestServer;
let flakyFailures = 0;
let busyAnswers = 0;
const applied: Array<{ manager: string; force: boolean; subresource: string }> = [];

/** Fails the first `flakyFailures` authorizations in cluster `flaky` with an internal error (500). */
const flakyAuthorizer: Authorizer = {
  authorize(attributes) {
    if (attributes.cluster !== 'flaky') return NO_OPINION();
    if (flakyFailures > 0) {
      flakyFailures--;
      throw new Error('authorizer backend hiccup');
    }
    return ALLOW('flaky cluster is open');
  },
};

/** Paths: `root:org:ws` is cluster `ws-1`; `busy` answers "elsewhere" (429, Retry-After 1) `busyAnswers` times. */
const resolver: ClusterResolver = {
  resolve(path) {
    if (path === 'root:org:ws') return { outcome: 'resolved', cluster: 'ws-1' as never };
    if (path === 'busy' && busyAnswers > 0) {
      busyAnswers--;
      return { outcome: 'elsewhere' };
    }
    return path.includes(':') ? { outcome: 'notFound' } : { outcome: 'resolved', cluster: path as never };
  },
};

/** A recording field manager: apply merges the applied object over the current one. */
const fieldManager: FieldManager = {
  update: (_d, object) => object,
  apply(_definition, current, appliedObject, manager, force, subresource) {
    applied.push({ manager, force, subresource });
    return { ...(current ?? {}), ...appliedObject, metadata: { ...(current?.metadata ?? {}), ...appliedObject.metadata } } as never;
  },
};

beforeAll(async () => {
  server = await startTestServer({ apiServer: { authorizers: [flakyAuthorizer], clusterResolver: resolver, fieldManager } });
  for (const cluster of ['http', 'in-process', 'ws-1', 'flaky']) {
    await server.admin('POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  }
});
afterAll(async () => {
  await server.stop();
});

const transports: Array<[string, () => Promise<Transport>]> = [
  ['http', async () => HttpTransport.fromConfig(await parseKubeconfig(server.kubeconfig()))],
  ['in-process', async () => new InProcessTransport({ server: server.server, user: ADMIN, userAgent: 'test' })],
];

describe.each(transports)('ClusterClient over the %s transport', (name, makeTransport) => {
  let transport: CountingTransport;
  let client: ClusterClient;
  beforeAll(async () => {
    transport = new CountingTransport(await makeTransport());
    client = createClusterClient({ transport }, { retry: { initialDelayMs: 5 } }).cluster(name);
  });
  afterAll(async () => {
    await transport.close();
  });

  it('creates, gets, lists, updates, patches and deletes', async () => {
    const cms = client.resource<UnstructuredObject>(CONFIGMAPS, { namespace: 'default' });
    const created = await cms.create(configMap('one', { a: '1' }));
    expect(created.metadata.annotations?.['kcp.io/cluster']).toBe(name);
    expect(transport.requests.at(-1)).toMatchObject({ method: 'POST', path: `/clusters/${name}/api/v1/namespaces/default/configmaps`, status: 201 });
    expect((await cms.get('one')).data).toEqual({ a: '1' });

    const conflict = await cms.create(configMap('one')).catch((e: unknown) => e);
    expect(isAlreadyExists(conflict)).toBe(true);

    const updated = await cms.update({ ...created, data: { a: '2' } });
    expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    const stale = await cms.update({ ...created, data: { a: '3' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);

    expect((await cms.patch('one', { data: { b: 'merge' } })).data).toEqual({ a: '2', b: 'merge' });
    expect((await cms.patch('one', [{ op: 'add', path: '/data/c', value: 'json' }], { type: 'json' })).data).toEqual({ a: '2', b: 'merge', c: 'json' });
    expect((await cms.patch('one', { data: { d: 'smp' } }, { type: 'strategic' })).data).toEqual({ a: '2', b: 'merge', c: 'json', d: 'smp' });

    const list = await cms.list();
    expect(list.items.map((i) => i.metadata.name)).toEqual(['one']);
    // a built-in list, as kube-apiserver encodes it: the items carry no apiVersion and kind
    expect([list.kind, list.items[0]!.apiVersion, list.items[0]!.kind]).toEqual(['ConfigMapList', undefined, undefined]);

    // a namespace-less client takes the namespace from the object
    const unscoped = client.resource<UnstructuredObject>(CONFIGMAPS);
    await unscoped.create(configMap('two', {}, 'default'));
    expect(transport.requests.at(-1)!.path).toBe(`/clusters/${name}/api/v1/namespaces/default/configmaps`);
    expect((await unscoped.list()).items).toHaveLength(2);

    const uid = (await cms.get('one')).metadata.uid!;
    const wrongUid = await cms.delete('one', { preconditions: { uid: 'not-the-uid' } }).catch((e: unknown) => e);
    expect(isConflict(wrongUid)).toBe(true);
    await cms.delete('one', { preconditions: { uid }, propagationPolicy: 'Background' });
    expect(isNotFound(await cms.get('one').catch((e: unknown) => e))).toBe(true);
  });

  it('deletes collections by label selector and dry-runs', async () => {
    const cms = client.resource<UnstructuredObject>(CONFIGMAPS, { namespace: 'default' });
    for (const [n, team] of [['a', 'x'], ['b', 'x'], ['c', 'y']] as const) {
      await cms.create({ ...configMap(`dc-${n}`), metadata: { name: `dc-${n}`, labels: { team } } });
    }
    await cms.create(configMap('dry'), { dryRun: true });
    expect(isNotFound(await cms.get('dry').catch((e: unknown) => e))).toBe(true);
    await cms.deleteCollection({ labelSelector: 'team=x' });
    const left = (await cms.list({ labelSelector: 'team' })).items.map((i) => i.metadata.name);
    expect(left).toEqual(['dc-c']);
  });

  it('writes the status subresource separately from the spec', async () => {
    const widgets = client.resource<Widget>(WIDGETS, { namespace: 'default' });
    const created = await widgets.create({ apiVersion: 'example.kcp.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } });
    const withStatus = await widgets.updateStatus({ ...created, spec: { size: 99 }, status: { phase: 'Ready' } });
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.spec).toEqual({ size: 1 });
    const patched = await widgets.patchStatus('w', { status: { phase: 'Done' } });
    expect(patched.status).toEqual({ phase: 'Done' });
    expect(transport.requests.at(-1)!.path).toBe(`/clusters/${name}/apis/example.kcp.io/v1/namespaces/default/widgets/w/status`);
    // the test kind stands for a custom resource: its list items keep their type
    expect((await widgets.list()).items.map((i) => [i.metadata.name, i.apiVersion, i.kind])).toEqual([['w', 'example.kcp.io/v1', 'Widget']]);
  });

  it('server-side applies with a field manager and force', async () => {
    const widgets = client.resource<Widget>(WIDGETS, { namespace: 'default' });
    const before = applied.length;
    const result = await widgets.apply({ apiVersion: 'example.kcp.io/v1', kind: 'Widget', metadata: { name: 'applied' }, spec: { size: 3 } }, { fieldManager: 'my-controller', force: true });
    expect(result.spec).toEqual({ size: 3 });
    expect(applied.slice(before)).toEqual([{ manager: 'my-controller', force: true, subresource: '' }]);
    expect(transport.requests.at(-1)!.path).toBe(`/clusters/${name}/apis/example.kcp.io/v1/namespaces/default/widgets/applied?fieldManager=my-controller&force=true`);
  });

  it('scopes by logical-cluster path and decodes errors into StatusErrors', async () => {
    const ws = client.cluster('root:org:ws');
    await ws.resource(CONFIGMAPS, { namespace: 'default' }).create(configMap(`in-ws-${name}`));
    const stored = await server.admin('GET', `/clusters/ws-1/api/v1/namespaces/default/configmaps/in-ws-${name}`);
    expect(stored.body.metadata.annotations['kcp.io/cluster']).toBe('ws-1');
    const unknown = await client.cluster('root:nope').resource(CONFIGMAPS).list().catch((e: unknown) => e);
    expect(isNotFound(unknown)).toBe(true);
    expect(isStatusError(unknown) && unknown.details?.group).toBe('tenancy.kcp.io');
    expect(() => client.cluster('Not/A/Path')).toThrow(InvalidClusterNameError);
    const wildcardWrite = await client.cluster('*').resource(CONFIGMAPS, { namespace: 'default' }).create(configMap('x')).catch((e: unknown) => e);
    expect(isMethodNotSupported(wildcardWrite)).toBe(true);
    expect(isRetryableError(wildcardWrite, 'POST')).toBe(false);
  });

  it('lists across logical clusters with the wildcard and an identity hash in the resource segment', async () => {
    const items = (await client.cluster('*').resource(CONFIGMAPS).list()).items;
    expect(new Set(items.map((i) => i.metadata.annotations?.['kcp.io/cluster']))).toContain(name);
    const withIdentity = await client.cluster('*').resource({ ...CONFIGMAPS, identityHash: 'abc123' }).list();
    expect(transport.requests.at(-1)!.path).toBe('/clusters/*/api/v1/configmaps:abc123');
    expect(withIdentity.kind).toBe('ConfigMapList');
  });

  it('sends raw requests under the cluster', async () => {
    const resources = await client.request<{ groupVersion: string }>('GET', '/api/v1');
    expect(resources.groupVersion).toBe('v1');
  });
});

describe('retries', () => {
  let userClient: ClusterClient;
  let counting: CountingTransport;
  const retries: number[] = [];
  beforeAll(async () => {
    counting = new CountingTransport(HttpTransport.fromConfig(await parseKubeconfig(server.kubeconfig({ token: USER_TOKEN }))));
    userClient = createClusterClient({ transport: counting }, { retry: { initialDelayMs: 5, maxRetries: 3 }, onRetry: (e) => retries.push(e.delayMs) });
  });
  afterAll(async () => {
    await counting.close();
  });

  it('retries a GET after 500s with backoff, and gives up after maxRetries', async () => {
    flakyFailures = 2;
    const before = counting.count();
    const list = await userClient.cluster('flaky').resource(CONFIGMAPS, { namespace: 'default' }).list();
    expect(list.items).toEqual([]);
    expect(counting.count() - before).toBe(3);

    flakyFailures = 10;
    const failed = await userClient.cluster('flaky').resource(CONFIGMAPS, { namespace: 'default' }).list().catch((e: unknown) => e);
    expect(isInternalError(failed)).toBe(true);
    expect(counting.count() - before).toBe(3 + 4);
    flakyFailures = 0;
  });

  it('does not retry a POST after a 500 (it may have been processed)', async () => {
    flakyFailures = 1;
    const before = counting.count();
    const err = await userClient.cluster('flaky').resource(CONFIGMAPS, { namespace: 'default' }).create(configMap('p')).catch((e: unknown) => e);
    expect(isInternalError(err)).toBe(true);
    expect(counting.count() - before).toBe(1);
    flakyFailures = 0;
  });

  it('honours Retry-After of a 429 for any verb', async () => {
    busyAnswers = 1;
    retries.length = 0;
    const admin = createClusterClient({ transport: counting }, { retry: { initialDelayMs: 5 }, onRetry: (e) => retries.push(e.delayMs) });
    // the busy path resolves to cluster "busy" once the server stops answering 429
    await server.admin('POST', '/clusters/busy/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    busyAnswers = 1;
    const created = await admin
      .cluster('busy')
      .resource(CONFIGMAPS, { namespace: 'default' })
      .create(configMap('after-429'), {})
      .catch((e: unknown) => e);
    // alice may not create in "busy": what matters is the 429 before it, retried after 1 s
    expect(isForbidden(created)).toBe(true);
    expect(retries).toEqual([1000]);
  });

  it('does not retry 403s or 401s', async () => {
    const before = counting.count();
    const err = await userClient.cluster('root').resource(CONFIGMAPS).list().catch((e: unknown) => e);
    expect(isForbidden(err)).toBe(true);
    expect(counting.count() - before).toBe(1);
  });

  it('retries a refused connection, then fails with a retryable TransportError', async () => {
    const port = await freePort();
    const transport = new CountingTransport(new HttpTransport({ server: `https://127.0.0.1:${port}` }));
    const client = createClusterClient({ transport, cluster: 'root' as never }, { retry: { initialDelayMs: 5, maxRetries: 2 } });
    const err = await client.resource(CONFIGMAPS).list().catch((e: unknown) => e);
    expect(isTransportError(err, 'ConnectionRefused')).toBe(true);
    expect((err as TransportError).retryable).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^cannot connect to https://127\\.0\\.0\\.1:${port}`));
    expect(transport.count()).toBe(3);
    await transport.close();
  });

  it('stops retrying when the signal aborts', async () => {
    const port = await freePort();
    const transport = new CountingTransport(new HttpTransport({ server: `https://127.0.0.1:${port}` }));
    const client = createClusterClient({ transport }, { retry: { initialDelayMs: 60_000, maxRetries: 5 } });
    const abort = new AbortController();
    const pending = client.resource(CONFIGMAPS).list({ signal: abort.signal }).catch((e: unknown) => e);
    setTimeout(() => abort.abort(), 20);
    const err = await pending;
    expect(isTransportError(err, 'Aborted')).toBe(true);
    expect(transport.count()).toBe(1);
    await transport.close();
  });
});

describe('error decoding', () => {
  it('turns a non-Status error body into the generic error of its code', async () => {
    const handler = {
      handle: async () => ({ status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '2' }, body: 'upstream connect error' }),
    };
    const client = createClusterClient({ transport: new InProcessTransport({ server: handler, user: ADMIN }) }, { retry: false });
    const err = await client.resource(CONFIGMAPS).get('x').catch((e: unknown) => e);
    expect(isStatusError(err)).toBe(true);
    expect(isStatusError(err) && err.status).toMatchObject({
      reason: 'ServiceUnavailable',
      code: 503,
      message: 'the server is currently unable to handle the request (get configmaps x)',
      details: { retryAfterSeconds: 2, causes: [{ reason: 'UnexpectedServerResponse', message: 'upstream connect error' }] },
    });
    expect(isRetryableError(err, 'GET')).toBe(true);
    expect(isRetryableError(err, 'POST')).toBe(true);
  });

  it('keeps a Status body as sent, filling in the code and Retry-After', async () => {
    const handler = {
      handle: async () => ({ status: 429, headers: { 'retry-after': '3' }, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', message: 'slow down' }) }),
    };
    const client = createClusterClient({ transport: new InProcessTransport({ server: handler, user: ADMIN }) }, { retry: false });
    const err = await client.resource(NAMESPACES).list().catch((e: unknown) => e);
    expect(isTooManyRequests(err)).toBe(true);
    expect(isStatusError(err) && err.status).toMatchObject({ code: 429, message: 'slow down', details: { retryAfterSeconds: 3 } });
  });

  it('reports a 413 for a body beyond the server limit through the in-process transport', async () => {
    const client = createClusterClient({ transport: new InProcessTransport({ server: server.server, user: ADMIN }) }).cluster('http');
    const err = await client.resource(CONFIGMAPS, { namespace: 'default' }).create(configMap('big', { x: 'y'.repeat(4 * 1024 * 1024) })).catch((e: unknown) => e);
    expect(isStatusError(err) && err.code).toBe(413);
  });

  it('applies server-side with the server field manager: a conflict without force, a takeover with it', async () => {
    const plain = await startTestServer();
    try {
      await plain.admin('POST', '/clusters/ssa/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      const cms = createClusterClient({ transport: new InProcessTransport({ server: plain.server, user: ADMIN }) }).cluster('ssa').resource<UnstructuredObject>(CONFIGMAPS, { namespace: 'default' });
      await cms.apply(configMap('shared', { owner: 'alpha' }), { fieldManager: 'alpha' });
      const conflict = await cms.apply(configMap('shared', { owner: 'beta' }), { fieldManager: 'beta' }).catch((e: unknown) => e);
      expect(isConflict(conflict)).toBe(true);
      expect(isStatusError(conflict) && conflict.details?.causes?.[0]).toMatchObject({ reason: 'FieldManagerConflict', field: '.data.owner' });
      const forced = await cms.apply(configMap('shared', { owner: 'beta' }), { fieldManager: 'beta', force: true });
      expect(forced.data).toEqual({ owner: 'beta' });
      expect(forced.metadata.managedFields?.map((m) => m.manager)).toContain('beta');
    } finally {
      await plain.stop();
    }
  });

  it('classifies a closed transport', async () => {
    const transport = new InProcessTransport({ server: server.server, user: ADMIN });
    await transport.close();
    const err = await createClusterClient({ transport }).cluster('http').resource(CONFIGMAPS).list().catch((e: unknown) => e);
    expect(isTransportError(err, 'Closed')).toBe(true);
    expect(isRetryableError(err)).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
