import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAndKey, generateCA, issueCertificate } from '@kcp-ts/apiserver';
import { cleanup, type KcpProcess, kubectl, startKcp, userKubeconfig } from '../src/kcp';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

let kcp: KcpProcess;
let clientCA: CertificateAndKey;
let frontProxyCA: CertificateAndKey;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kcp-e2e-auth-'));
  [clientCA, frontProxyCA] = await Promise.all([generateCA('clients'), generateCA('front-proxy')]);
  await writeFile(join(dir, 'client-ca.crt'), clientCA.cert);
  await writeFile(join(dir, 'front-proxy-ca.crt'), frontProxyCA.cert);
  await writeFile(join(dir, 'tokens.csv'), 'alice-token,alice,uid-alice,"devs,qa"\nbob-token,bob,uid-bob\n');
  kcp = await startKcp([
    `--client-ca-file=${join(dir, 'client-ca.crt')}`,
    `--requestheader-client-ca-file=${join(dir, 'front-proxy-ca.crt')}`,
    '--requestheader-allowed-names=kcp-front-proxy',
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
  ]);
});
afterAll(async () => {
  await cleanup(kcp);
});

async function as(user: { token: string } | { cert: string; key: string }, args: string[]) {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, userKubeconfig(kcp, user));
  return kubectl(path, args);
}

describe('authentication', () => {
  it('authenticates users of --token-auth-file', async () => {
    const r = await as({ token: 'alice-token' }, ['auth', 'whoami', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status.userInfo).toEqual({ username: 'alice', uid: 'uid-alice', groups: ['devs', 'qa', 'system:authenticated'] });
  });

  it('authenticates client certificates: CN is the user, O the groups', async () => {
    const cert = await issueCertificate(clientCA, { commonName: 'carol', organizations: ['team-a', 'team-b'], usage: 'client' });
    const r = await as(cert, ['auth', 'whoami', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status.userInfo).toEqual({ username: 'carol', groups: ['team-a', 'team-b', 'system:authenticated'] });
  });

  it('ignores client certificates from an unknown CA', async () => {
    const rogue = await generateCA('rogue');
    const cert = await issueCertificate(rogue, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' });
    const r = await kcp.http('GET', '/clusters/root/api/v1/namespaces', { token: null, clientCert: cert });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('honours front-proxy identity headers only with the front-proxy client certificate', async () => {
    const proxyCert = await issueCertificate(frontProxyCA, { commonName: 'kcp-front-proxy', usage: 'client' });
    const headers = { 'X-Remote-User': 'dave', 'X-Remote-Group': 'ops', 'X-Remote-Extra-Scopes': 'cluster:abc' };
    const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    let r = await kcp.http('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: null, clientCert: proxyCert, headers, body: review });
    expect(r.status).toBe(201);
    expect(r.json().status.userInfo).toEqual({ username: 'dave', groups: ['ops', 'system:authenticated'], extra: { scopes: ['cluster:abc'] } });
    // the same headers with a token: the token decides, the headers are ignored
    r = await kcp.http('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: 'bob-token', headers, body: review });
    expect(r.json().status.userInfo.username).toBe('bob');
    // a certificate of the client CA (not the front-proxy CA) may not assert identities
    const client = await issueCertificate(clientCA, { commonName: 'kcp-front-proxy', usage: 'client' });
    r = await kcp.http('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: null, clientCert: client, headers, body: review });
    expect(r.json().status.userInfo.username).toBe('kcp-front-proxy');
    // a front-proxy certificate with a name not allowed by --requestheader-allowed-names
    const other = await issueCertificate(frontProxyCA, { commonName: 'not-the-proxy', usage: 'client' });
    r = await kcp.http('GET', '/clusters/root/api/v1/namespaces', { token: null, clientCert: other, headers });
    expect(r.status).toBe(401);
  });

  it('answers 401 without or with bad credentials, as kubectl shows it', async () => {
    const r = await as({ token: 'wrong' }, ['get', 'ns']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: You must be logged in to the server \(the server has asked for the client to provide credentials\)$/m);
    const raw = await kcp.http('GET', '/clusters/root/api/v1/namespaces', { token: null });
    expect(raw.status).toBe(401);
    expect(raw.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });
});

describe('service accounts', () => {
  it('kubectl create token: the token is the service account, authorized by RBAC, and survives a restart', async () => {
    expect((await kcp.kubectl(['create', 'namespace', 'robots'])).code).toBe(0);
    expect((await kcp.kubectl(['-n', 'robots', 'create', 'serviceaccount', 'builder'])).code).toBe(0);
    // every namespace has its `default` service account (created right after the namespace)
    const wait = await kcp.kubectl(['-n', 'robots', 'wait', '--for=create', 'serviceaccount/default', '--timeout=10s']);
    expect(wait.code).toBe(0);
    expect((await kcp.kubectl(['-n', 'robots', 'get', 'serviceaccounts', '-o', 'name'])).stdout.split('\n').filter(Boolean)).toEqual(['serviceaccount/builder', 'serviceaccount/default']);
    const created = await kcp.kubectl(['-n', 'robots', 'create', 'token', 'builder', '--duration=20m']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    // the request body (protobuf from kubectl 1.32) was read: the 20 minutes asked for
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(1200);
    const whoami = await as({ token }, ['auth', 'whoami', '-o', 'json']);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo).toMatchObject({
      username: 'system:serviceaccount:robots:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:robots', 'system:authenticated'],
      extra: { 'authentication.kcp.io/cluster-name': ['root'] },
    });
    const denied = await as({ token }, ['-n', 'robots', 'get', 'configmaps']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:robots:builder" cannot list resource "configmaps" in API group "" in the namespace "robots"');
    expect((await kcp.kubectl(['-n', 'robots', 'create', 'rolebinding', 'builder-view', '--clusterrole=view', '--serviceaccount=robots:builder'])).code).toBe(0);
    expect((await as({ token }, ['-n', 'robots', 'get', 'configmaps'])).code).toBe(0);
    // the signing key lives in the root directory: tokens outlive the process
    await kcp.restart();
    expect((await as({ token }, ['-n', 'robots', 'get', 'configmaps'])).code).toBe(0);
    expect((await kcp.kubectl(['-n', 'robots', 'delete', 'serviceaccount', 'builder'])).code).toBe(0);
    const gone = await as({ token }, ['-n', 'robots', 'get', 'configmaps']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});

describe('service account token secrets', () => {
  it('kubectl apply of a kubernetes.io/service-account-token Secret: the token controller fills it in, and the token works', async () => {
    expect((await kcp.kubectl(['create', 'namespace', 'deployers'])).code).toBe(0);
    expect((await kcp.kubectl(['-n', 'deployers', 'create', 'serviceaccount', 'deployer'])).code).toBe(0);
    const secret = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: deployer-token',
      '  annotations:',
      '    kubernetes.io/service-account.name: deployer',
      'type: kubernetes.io/service-account-token',
    ].join('\n');
    expect((await kcp.kubectl(['-n', 'deployers', 'apply', '-f', '-'], { input: secret })).code).toBe(0);
    let encoded = '';
    for (let i = 0; i < 50 && encoded === ''; i++) {
      encoded = (await kcp.kubectl(['-n', 'deployers', 'get', 'secret', 'deployer-token', '-o', 'jsonpath={.data.token}'])).stdout.trim();
      if (encoded === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const whoami = await as({ token: Buffer.from(encoded, 'base64').toString() }, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toBe('system:serviceaccount:deployers:deployer');
    const described = await kcp.kubectl(['-n', 'deployers', 'describe', 'secret', 'deployer-token']);
    expect(described.stdout).toMatch(/Type:\s+kubernetes\.io\/service-account-token/);
    expect(described.stdout).toMatch(/namespace:\s+9 bytes/);
  });
});

describe('impersonation', () => {
  it('kubectl --as and --as-group act as that user once the requester may impersonate', async () => {
    expect((await kcp.kubectl(['auth', 'can-i', 'create', 'configmaps', '--as=dave'])).stdout.trim()).toBe('no');
    expect((await kcp.kubectl(['auth', 'can-i', 'create', 'configmaps', '--as=dave', '--as-group=system:masters'])).stdout.trim()).toBe('yes');
    const who = await kcp.kubectl(['auth', 'whoami', '--as=dave', '--as-group=devs', '-o', 'json']);
    expect(JSON.parse(who.stdout).status.userInfo).toEqual({ username: 'dave', groups: ['devs', 'system:authenticated'] });
    const denied = await as({ token: 'alice-token' }, ['get', 'namespaces', '--as=bob']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});

describe('authorization', () => {
  it('forbids by default, with upstream messages', async () => {
    let r = await as({ token: 'alice-token' }, ['get', 'configmaps', '-n', 'default']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (Forbidden): configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"\n');
    r = await as({ token: 'alice-token' }, ['get', 'namespaces']);
    expect(r.stderr).toBe('Error from server (Forbidden): namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope\n');
    r = await as({ token: 'alice-token' }, ['auth', 'can-i', 'create', 'configmaps']);
    expect(r.stdout).toBe('no\n');
  });

  it('grants through RoleBindings in their namespace only', async () => {
    expect((await kcp.kubectl(['create', 'namespace', 'team'])).code).toBe(0);
    expect((await kcp.kubectl(['-n', 'team', 'create', 'rolebinding', 'devs-edit', '--clusterrole=edit', '--group=devs'])).code).toBe(0);
    expect((await as({ token: 'alice-token' }, ['-n', 'team', 'create', 'configmap', 'mine', '--from-literal=a=b'])).stdout).toBe('configmap/mine created\n');
    expect((await as({ token: 'alice-token' }, ['auth', 'can-i', 'create', 'configmaps', '-n', 'team'])).stdout).toBe('yes\n');
    expect((await as({ token: 'alice-token' }, ['auth', 'can-i', 'create', 'configmaps', '-n', 'default'])).stdout).toBe('no\n');
    expect((await as({ token: 'bob-token' }, ['-n', 'team', 'get', 'configmaps'])).code).toBe(1);
  });

  it('prevents privilege escalation through roles and bindings', async () => {
    expect((await kcp.kubectl(['-n', 'team', 'create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice'])).code).toBe(0);
    // alice (admin in team) may create a role she holds...
    let r = await as({ token: 'alice-token' }, ['-n', 'team', 'create', 'role', 'cm-reader', '--verb=get', '--resource=configmaps']);
    expect(r.stdout).toBe('role.rbac.authorization.k8s.io/cm-reader created\n');
    // ...but not one granting what she does not hold
    r = await as({ token: 'alice-token' }, ['-n', 'team', 'create', 'role', 'nodes', '--verb=get', '--resource=mutatingwebhookconfigurations.admissionregistration.k8s.io']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    // and may not bind cluster-admin
    r = await as({ token: 'alice-token' }, ['-n', 'team', 'create', 'rolebinding', 'steal', '--clusterrole=cluster-admin', '--user=alice']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rolebindings\.rbac\.authorization\.k8s\.io "steal" is forbidden: user "alice" .* is attempting to grant RBAC permissions not currently held/);
  });

  it('aggregates ClusterRoles by label', async () => {
    const apply = (yaml: string) => kcp.kubectl(['apply', '-f', '-'], { input: yaml });
    await apply(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {aggregate-to-monitoring: "true"}
rules: []
`);
    await apply(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring-endpoints, labels: {aggregate-to-monitoring: "true"}}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
`);
    let rules = '';
    for (let i = 0; i < 50 && !rules.includes('configmaps'); i++) {
      rules = (await kcp.kubectl(['get', 'clusterrole', 'monitoring', '-o', 'jsonpath={.rules}'])).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(JSON.parse(rules)).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
  });
});
