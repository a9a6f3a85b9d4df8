import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, type KcpProcess, kubectl, startKcp, userKubeconfig } from '../src/kcp';

let kcp: KcpProcess;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kcp-e2e-ws-'));
  await writeFile(join(dir, 'tokens.csv'), 'alice-token,alice,uid-alice,"devs"\nbob-token,bob,uid-bob\n');
  kcp = await startKcp([`--token-auth-file=${join(dir, 'tokens.csv')}`]);
});
afterAll(async () => {
  await cleanup(kcp);
});

const workspace = (name: string, spec = '') => `apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: ${name}\n${spec}`;

async function at(path: string, args: string[], input?: string, user?: string) {
  const kubeconfig = user ? await userConfig(user, path) : undefined;
  const r = kubeconfig
    ? await kubectl(kubeconfig, args, input === undefined ? {} : { input })
    : await kcp.kubectl(['--server', `${kcp.url}/clusters/${path}`, ...args], input === undefined ? {} : { input });
  return r;
}

async function userConfig(token: string, path: string): Promise<string> {
  const file = join(dir, `${token}-${path.replace(/[:~]/g, '_')}.kubeconfig`);
  await writeFile(file, userKubeconfig(kcp, { token }, path));
  return file;
}

/** The user's home workspace, created on first use (kubectl retries the 429s while it initializes). */
async function homeOf(token: string): Promise<any> {
  const r = await kubectl(await userConfig(token, 'root'), ['get', '--raw', '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

async function ready(path: string, name: string) {
  const r = await at(path, ['wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`, '--timeout=30s']);
  expect(r.stderr).toBe('');
}

describe('workspaces', () => {
  it('bootstraps root: LogicalCluster, WorkspaceTypes, Shard, default namespace', async () => {
    const lc = JSON.parse((await at('root', ['get', 'logicalcluster', 'cluster', '-o', 'json'])).stdout);
    expect(lc.metadata.annotations).toMatchObject({ 'kcp.io/path': 'root', 'internal.tenancy.kcp.io/type': 'root:root' });
    expect(lc.status.phase).toBe('Ready');
    expect((await at('root', ['get', 'workspacetypes', '-o', 'name'])).stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['home', 'organization', 'root', 'team', 'universal'].map((n) => `workspacetype.tenancy.kcp.io/${n}`),
    );
    const shards = JSON.parse((await at('root', ['get', 'shards', '-o', 'json'])).stdout);
    expect(shards.items.map((s: any) => [s.metadata.name, s.metadata.labels.name])).toEqual([['root', 'root']]);
    expect((await at('root', ['get', 'ns', 'default'])).stdout).toMatch(/^default\s+Active/m);
  });

  it('creates a tree of workspaces, routes by path and by cluster name', async () => {
    expect((await at('root', ['apply', '-f', '-'], workspace('org', 'spec:\n  type:\n    name: organization\n'))).stdout).toBe('workspace.tenancy.kcp.io/org created\n');
    await ready('root', 'org');
    expect((await at('root:org', ['apply', '-f', '-'], workspace('team-a'))).stdout).toBe('workspace.tenancy.kcp.io/team-a created\n');
    await ready('root:org', 'team-a');
    const teamA = JSON.parse((await at('root:org', ['get', 'ws', 'team-a', '-o', 'json'])).stdout);
    // the type defaults to the parent type's defaultChildWorkspaceType
    expect(teamA.spec.type).toEqual({ name: 'universal', path: 'root' });
    expect(teamA.spec.cluster).toMatch(/^[0-9a-z]{16}$/);
    expect(teamA.spec.URL).toBe(`${kcp.url}/clusters/root:org:team-a`);
    expect(teamA.metadata.finalizers).toEqual(['core.kcp.io/logicalcluster']);
    const table = (await at('root:org', ['get', 'ws'])).stdout;
    expect(table).toMatch(/^NAME\s+TYPE\s+REGION\s+PHASE\s+URL\s+AGE$/m);
    expect(table).toMatch(new RegExp(`^team-a\\s+universal\\s+Ready\\s+${kcp.url.replace(/\./g, '\\.')}/clusters/root:org:team-a\\s+\\S+$`, 'm'));
    // path and name address the same logical cluster
    await at('root:org:team-a', ['create', 'configmap', 'here', '--from-literal=a=b', '-n', 'default']);
    expect((await at(teamA.spec.cluster, ['get', 'cm', 'here', '-n', 'default', '-o', 'jsonpath={.data.a}'])).stdout).toBe('b');
    const lc = JSON.parse((await at('root:org:team-a', ['get', 'logicalcluster', 'cluster', '-o', 'json'])).stdout);
    expect(lc.metadata.annotations['kcp.io/path']).toBe('root:org:team-a');
    expect(lc.metadata.annotations['kcp.io/cluster']).toBe(teamA.spec.cluster);
    expect(lc.spec.owner).toMatchObject({ resource: 'workspaces', name: 'team-a', uid: teamA.metadata.uid });
    expect(lc.status.phase).toBe('Ready');
  });

  it('answers 404 for a path that does not resolve', async () => {
    const r = await kcp.http('GET', '/clusters/root:org:nope/api/v1/namespaces', { token: kcp.tokens.kcpAdmin });
    expect(r.status).toBe(404);
    expect(r.json()).toMatchObject({ reason: 'NotFound', message: 'workspaces.tenancy.kcp.io "root:org:nope" not found' });
  });

  it('refuses bad workspaces with upstream statuses, writing nothing', async () => {
    let r = await at('root', ['apply', '-f', '-'], workspace('Bad_Name'));
    expect(r.stderr).toMatch(/The Workspace "Bad_Name" is invalid/);
    r = await at('root', ['apply', '-f', '-'], workspace('bad', 'spec:\n  type:\n    name: nosuch\n'));
    expect(r.stderr).toBe('Error from server (Forbidden): error when creating "STDIN": workspaces.tenancy.kcp.io "bad" is forbidden: workspace type "nosuch" cannot be resolved\n');
    r = await at('root', ['apply', '-f', '-'], workspace('bad', 'spec:\n  type:\n    name: team\n'));
    expect(r.stderr).toBe(
      'Error from server (Forbidden): error when creating "STDIN": workspaces.tenancy.kcp.io "bad" is forbidden: workspace type root:team only allows [root:organization root:team] parent workspaces, but parent type root:root only implements [root:root root:universal]\n',
    );
    r = await at('root:org', ['apply', '-f', '-'], workspace('bad', 'spec:\n  type:\n    name: organization\n    path: root\n'));
    expect(r.stderr).toMatch(/workspace type root:organization only allows \[root:root\] parent workspaces, but parent type root:organization only implements \[root:organization root:universal\]/);
    expect((await at('root', ['get', 'ws', '-o', 'name'])).stdout).not.toMatch(/bad/);
  });

  it('protects LogicalClusters and the root workspace', async () => {
    await homeOf('alice-token');
    const lc = `apiVersion: core.kcp.io/v1alpha1\nkind: LogicalCluster\nmetadata:\n  name: cluster\n`;
    // alice is admin of her home, but LogicalClusters are created by the system only
    const r = await at('user:alice', ['create', '-f', '-'], lc, 'alice-token');
    expect(r.stderr).toBe('Error from server (Forbidden): error when creating "STDIN": logicalclusters.core.kcp.io "cluster" is forbidden: LogicalCluster cannot be created\n');
    const del = await at('root', ['delete', 'logicalcluster', 'cluster']);
    expect(del.stderr).toBe('Error from server (Forbidden): logicalclusters.core.kcp.io "cluster" is forbidden: LogicalCluster cannot be deleted\n');
    expect((await at('root', ['get', 'logicalcluster', 'cluster', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Ready');
  });

  it('gives every user a home workspace on first use, and makes creators admins', async () => {
    // 429 + Retry-After while it is being created; kubectl's client retries
    const first = await kcp.http('GET', '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~', { token: 'bob-token' });
    expect([200, 429]).toContain(first.status);
    if (first.status === 429) {
      expect(first.headers['retry-after']).toBe('1');
      expect(first.json()).toMatchObject({ reason: 'TooManyRequests', message: 'Creating the home workspace' });
    }
    const home = await homeOf('bob-token');
    expect(home.status.phase).toBe('Ready');
    expect((await at('user:bob', ['get', 'ns'], undefined, 'bob-token')).stdout).toMatch(/^default\s+Active/m);
    // bob is admin of his home and of what he creates there; others are not
    expect((await at('user:bob', ['apply', '-f', '-'], workspace('proj'), 'bob-token')).stdout).toBe('workspace.tenancy.kcp.io/proj created\n');
    await ready(`${home.spec.cluster}`, 'proj');
    expect((await at('user:bob:proj', ['create', 'configmap', 'mine', '-n', 'default'], undefined, 'bob-token')).stdout).toBe('configmap/mine created\n');
    const owner = JSON.parse((await at('user:bob:proj', ['get', 'clusterrolebinding', 'workspace-admin', '-o', 'json'])).stdout);
    expect(owner.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }]);
    // alice's kubectl has no discovery of the workspace cached: discovery is refused first
    const denied = await at('user:bob:proj', ['get', 'configmaps', '-n', 'default'], undefined, 'alice-token');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^Error from server \(Forbidden\)/m);
    const raw = await at('user:bob:proj', ['get', '--raw', '/clusters/user:bob:proj/api/v1/namespaces/default/configmaps'], undefined, 'alice-token');
    expect(raw.stderr).toMatch(/workspace access not permitted/);
  });

  it('checks the use verb on the workspace type', async () => {
    await at('root', ['apply', '-f', '-'], 'apiVersion: tenancy.kcp.io/v1alpha1\nkind: WorkspaceType\nmetadata:\n  name: restricted\nspec:\n  extend:\n    with:\n    - name: universal\n      path: root\n');
    const r = await at('user:alice', ['apply', '-f', '-'], workspace('x', 'spec:\n  type:\n    name: restricted\n    path: root\n'), 'alice-token');
    expect(r.stderr).toBe(
      "Error from server (Forbidden): error when creating \"STDIN\": workspaces.tenancy.kcp.io \"x\" is forbidden: unable to use cluster workspace type root:restricted: missing verb='use' permission on workspacetype\n",
    );
  });

  it('deletes a workspace with its subtree and content, then the workspace', async () => {
    const clusters = async () => JSON.parse((await kcp.http('GET', '/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters')).body).items.map((i: any) => i.metadata.annotations['kcp.io/path']).sort();
    expect(await clusters()).toEqual(expect.arrayContaining(['root:org', 'root:org:team-a']));
    expect((await at('root', ['delete', 'ws', 'org'])).stdout).toBe('workspace.tenancy.kcp.io "org" deleted\n');
    const wait = await at('root', ['wait', '--for=delete', 'workspace/org', '--timeout=30s']);
    expect(wait.code).toBe(0);
    const remaining = await clusters();
    expect(remaining).not.toContain('root:org');
    expect(remaining).not.toContain('root:org:team-a');
    const configmaps = JSON.parse((await kcp.http('GET', '/clusters/*/api/v1/configmaps')).body).items.map((i: any) => i.metadata.name);
    expect(configmaps).not.toContain('here');
  });
});
