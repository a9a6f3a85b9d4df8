import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer, SchemaCache, TokenAuthenticator, UnionAuthenticator } from '@kcp-ts/apiserver';
import type { LogicalCluster, Workspace } from '@kcp-ts/apis';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { createMemoryStore } from '@kcp-ts/storage';
import { createClusterClient } from '../client/cluster-client';
import { silentLogger } from '../logger';
import { InProcessTransport } from '../transport/in-process-transport';
import { bootstrapRoot } from './bootstrap';
import { LOGICAL_CLUSTERS, WORKSPACES } from './refs';
import { tenancyDefinitions } from './resources';
import { Tenancy } from './tenancy';

const EXTERNAL = 'https://kcp.example:6443';
const store = createMemoryStore();
const definitions = tenancyDefinitions(new SchemaCache());
const server = new ApiServer({
  store,
  authenticator: new UnionAuthenticator([new TokenAuthenticator()]),
  externalAddress: 'kcp.example:6443',
  extraBuiltins: [definitions.logicalClusters, definitions.workspaces, definitions.workspaceTypes],
});
const tenancy = new Tenancy({ server, definitions, shardName: 'root', externalURL: EXTERNAL, logger: silentLogger });
const abort = new AbortController();
let running: Promise<unknown>;

const as = (username: string, groups: string[]) =>
  createClusterClient({ transport: new InProcessTransport({ server, user: { username, groups: [...groups, 'system:authenticated'] } }) }, { retry: false });
const admin = as('kcp-admin', ['system:kcp:admin']);
const alice = as('alice', []);

async function eventually<T>(fn: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const workspace = (name: string, extra: Partial<Workspace> = {}): Workspace =>
  ({ apiVersion: 'tenancy.kcp.io/v1alpha1', kind: 'Workspace', metadata: { name, ...extra.metadata }, spec: { ...extra.spec } }) as Workspace;

async function readyWorkspace(parent: string, name: string): Promise<Workspace> {
  return eventually(
    () => admin.cluster(parent).resource<Workspace>(WORKSPACES).get(name),
    (ws) => ws.status?.phase === 'Ready',
  );
}

beforeAll(async () => {
  running = server.run(abort.signal).then(() => undefined);
  await server.whenReady();
  void tenancy.run(abort.signal);
  await tenancy.whenBootstrapped();
});
afterAll(async () => {
  abort.abort();
  await running;
  await store.close();
});

describe('Tenancy', () => {
  it('bootstraps root idempotently', async () => {
    const before = await admin.cluster('root').resource<LogicalCluster>(LOGICAL_CLUSTERS).get('cluster');
    await bootstrapRoot({ client: tenancy.client, shardName: 'root', externalURL: EXTERNAL });
    const after = await admin.cluster('root').resource<LogicalCluster>(LOGICAL_CLUSTERS).get('cluster');
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.status).toMatchObject({ phase: 'Ready', URL: `${EXTERNAL}/clusters/root` });
  });

  it('schedules, initializes and resolves a workspace', async () => {
    await admin.cluster('root').resource<Workspace>(WORKSPACES).create(workspace('org', { spec: { type: { name: 'organization' } } }));
    const org = await readyWorkspace('root', 'org');
    expect(org.spec?.URL).toBe(`${EXTERNAL}/clusters/root:org`);
    expect(tenancy.resolver.resolveName('root:org' as never)).toBe(org.spec?.cluster);
    expect(tenancy.resolver.resolveName('root:nope' as never)).toBeUndefined();
    const lc = tenancy.state.logicalCluster(org.spec!.cluster as ClusterName)!;
    expect(lc.status?.phase).toBe('Ready');
    expect(lc.status?.initializers ?? []).toEqual([]);
    expect(lc.spec?.initializers).toEqual(['root:universal']);
    const namespaces = await admin.cluster('root:org').resource({ group: '', version: 'v1', resource: 'namespaces' }).list();
    expect(namespaces.items.map((n) => n.metadata.name)).toEqual(['default', 'kube-system']);
  });

  it('places a workspace in its create: cluster name, shard, finalizer, spec.cluster and spec.URL', async () => {
    const created = await admin.cluster('root').resource<Workspace>(WORKSPACES).create(workspace('placed'));
    const cluster = created.metadata?.annotations?.['internal.tenancy.kcp.io/cluster'];
    expect(cluster).toMatch(/^[0-9a-z]{16}$/);
    expect(created.metadata?.annotations).toMatchObject({ 'core.kcp.io/shard': 'root', 'internal.tenancy.kcp.io/shard': expect.any(String) });
    expect(created.metadata?.finalizers).toEqual(['core.kcp.io/logicalcluster']);
    expect(created.spec).toMatchObject({ cluster, URL: `${EXTERNAL}/clusters/root:placed` });
    const ready = await readyWorkspace('root', 'placed');
    expect(ready.spec?.cluster).toBe(cluster);
    expect(ready.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['WorkspaceInitialized', 'True'],
      ['WorkspaceScheduled', 'True'],
    ]);
  });

  it('sets spec.cluster of a workspace with a generated name once its LogicalCluster exists', async () => {
    const created = await admin.cluster('root').resource<Workspace>(WORKSPACES).create(workspace('', { metadata: { generateName: 'gen-' } }));
    expect(created.metadata?.name).toMatch(/^gen-[0-9a-z]{5}$/);
    expect(created.spec?.cluster).toBeUndefined();
    const ready = await readyWorkspace('root', created.metadata!.name!);
    expect(ready.spec).toMatchObject({ cluster: created.metadata?.annotations?.['internal.tenancy.kcp.io/cluster'], URL: `${EXTERNAL}/clusters/root:${created.metadata!.name!}` });
  });

  it('refuses spec.cluster and spec.URL from a user with kcp\'s messages, writing nothing', async () => {
    for (const [spec, message] of [
      [{ cluster: 'abcdefghijklmnop', URL: 'https://elsewhere' }, 'spec.Cluster can only be set by system privileged users'],
      [{ URL: 'https://elsewhere' }, 'spec.URL can only be set by system privileged users'],
    ] as const) {
      await expect(admin.cluster('root').resource<Workspace>(WORKSPACES).create(workspace('sneaky', { spec }))).rejects.toMatchObject({
        status: { code: 403, message: `workspaces.tenancy.kcp.io "sneaky" is forbidden: ${message}` },
      });
    }
    await expect(admin.cluster('root').resource<Workspace>(WORKSPACES).get('sneaky')).rejects.toMatchObject({ status: { code: 404 } });
    await admin.cluster('root').resource<Workspace>(WORKSPACES).create(workspace('moved'));
    const ready = await readyWorkspace('root', 'moved');
    // (a changed spec.cluster is refused before, by the schema's rule: cluster is immutable)
    await expect(admin.cluster('root').resource<Workspace>(WORKSPACES).patch('moved', { spec: { URL: 'https://elsewhere' } })).rejects.toMatchObject({
      status: { code: 403, message: 'workspaces.tenancy.kcp.io "moved" is forbidden: spec.URL can only be changed by system privileged users' },
    });
    expect((await admin.cluster('root').resource<Workspace>(WORKSPACES).get('moved')).metadata?.resourceVersion).toBe(ready.metadata?.resourceVersion);
  });

  it('refuses a spec or type that is no object as kcp does (500, no reason), writing nothing', async () => {
    for (const [spec, kind] of [['x', 'string'], [{ type: 'universal' }, 'string'], [{ type: ['universal'] }, 'slice']] as const) {
      const body = { apiVersion: 'tenancy.kcp.io/v1alpha1', kind: 'Workspace', metadata: { name: 'shapeless' }, spec } as unknown as Workspace;
      await expect(admin.cluster('root').resource<Workspace>(WORKSPACES).create(body)).rejects.toMatchObject({
        status: { code: 500, message: `failed to convert unstructured to Workspace: cannot restore struct from: ${kind}` },
      });
    }
    await expect(admin.cluster('root').resource<Workspace>(WORKSPACES).get('shapeless')).rejects.toMatchObject({ status: { code: 404 } });
  });

  it('creates a LogicalCluster with initializers Initializing, one without as it is', async () => {
    const lcs = (cluster: string) => tenancy.client.cluster(cluster).resource<LogicalCluster>(LOGICAL_CLUSTERS);
    const initializing = await lcs('withinitializers').create({
      apiVersion: 'core.kcp.io/v1alpha1',
      kind: 'LogicalCluster',
      metadata: { name: 'cluster' },
      spec: { initializers: ['root:universal', 'other:init'] },
      status: { phase: 'Ready' },
    } as LogicalCluster);
    expect(initializing.status).toEqual({ phase: 'Initializing', initializers: ['root:universal', 'other:init'], URL: `${EXTERNAL}/clusters/withinitializers` });
    const plain = await lcs('noinitializers').create({ apiVersion: 'core.kcp.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'cluster' }, spec: {}, status: { phase: 'Ready' } } as LogicalCluster);
    expect(plain.status?.phase).not.toBe('Ready');
    expect(plain.status?.initializers).toBeUndefined();
  });

  it('draws a new cluster name when the chosen one belongs to someone else', async () => {
    const taken = 'takenclustername' as ClusterName;
    await tenancy.client.cluster(taken).resource<LogicalCluster>(LOGICAL_CLUSTERS).create({
      apiVersion: 'core.kcp.io/v1alpha1',
      kind: 'LogicalCluster',
      metadata: { name: 'cluster' },
      spec: { owner: { apiVersion: 'tenancy.kcp.io/v1alpha1', resource: 'workspaces', name: 'someone-else', cluster: 'root', uid: 'not-yours' } },
    } as LogicalCluster);
    await admin.cluster('root').resource<Workspace>(WORKSPACES).create(
      workspace('conflicted', { metadata: { name: 'conflicted', annotations: { 'internal.tenancy.kcp.io/cluster': taken } } }),
    );
    const ws = await readyWorkspace('root', 'conflicted');
    expect(ws.spec?.cluster).not.toBe(taken);
    expect(ws.spec?.cluster).toMatch(/^[0-9a-z]{16}$/);
  });

  it('reports a workspace no shard matches as unschedulable', async () => {
    await admin.cluster('root').resource<Workspace>(WORKSPACES).create(
      workspace('nowhere', { spec: { location: { selector: { matchLabels: { region: 'mars' } } } } }),
    );
    const ws = await eventually(
      () => admin.cluster('root').resource<Workspace>(WORKSPACES).get('nowhere'),
      (w) => (w.status?.conditions ?? []).some((c) => c.type === 'WorkspaceScheduled'),
    );
    expect(ws.status?.conditions?.find((c) => c.type === 'WorkspaceScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: 'No available shards to schedule the workspace',
    });
    expect(ws.spec?.cluster).toBeUndefined();
  });

  it('needs access to a workspace: denied, then granted through RBAC', async () => {
    const cms = () => alice.cluster('root:org').resource({ group: '', version: 'v1', resource: 'configmaps' }).namespace('default').list();
    await expect(cms()).rejects.toMatchObject({ status: { code: 403, message: expect.stringMatching(/: workspace access not permitted$/) } });
    const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };
    await admin.cluster('root:org').resource({ ...rbac, resource: 'clusterrolebindings' }).create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'alice-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    } as never);
    // admin grants namespaced rights but not `access`: still denied
    await expect(cms()).rejects.toMatchObject({ status: { code: 403 } });
    await admin.cluster('root:org').resource({ ...rbac, resource: 'clusterrolebindings' }).create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'alice-access' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kcp:workspace:access' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    } as never);
    await eventually(() => cms().then(() => true, () => false), (ok) => ok);
  });

  it('deletes a subtree as its parts go, without waiting for a poll', async () => {
    // the deleting LogicalClusters are brought back by their namespaces and child workspaces
    // going, not by the 10 s safety recheck: the 5 s limit of eventually() would not be met
    const workspaces = (path: string) => admin.cluster(path).resource<Workspace>(WORKSPACES);
    await workspaces('root').create(workspace('subtree', { spec: { type: { name: 'organization' } } }));
    const top = await readyWorkspace('root', 'subtree');
    await workspaces('root:subtree').create(workspace('child'));
    const child = await readyWorkspace('root:subtree', 'child');
    await workspaces('root:subtree:child').create(workspace('grandchild'));
    const grandchild = await readyWorkspace('root:subtree:child', 'grandchild');
    await workspaces('root').delete('subtree');
    await eventually(
      () => workspaces('root').get('subtree').then(() => 'present', () => 'gone'),
      (state) => state === 'gone',
    );
    for (const ws of [top, child, grandchild]) expect(tenancy.state.logicalCluster(ws.spec!.cluster as ClusterName)).toBeUndefined();
  });

  it('deletes a workspace after its logical cluster and content', async () => {
    const org = await readyWorkspace('root', 'org');
    const cluster = org.spec!.cluster as ClusterName;
    await admin.cluster('root').resource<Workspace>(WORKSPACES).delete('org');
    await eventually(
      () => admin.cluster('root').resource<Workspace>(WORKSPACES).get('org').then(() => 'present', () => 'gone'),
      (state) => state === 'gone',
    );
    expect(tenancy.state.logicalCluster(cluster)).toBeUndefined();
    const leftovers = server.registry.resources(cluster).flatMap((r) => (r.cache ? [...r.cache.objects(cluster)] : []));
    expect(leftovers).toEqual([]);
  });
});
