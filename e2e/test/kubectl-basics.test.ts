import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, type KcpProcess, startKcp } from '../src/kcp';

let kcp: KcpProcess;
beforeAll(async () => {
  kcp = await startKcp();
});
afterAll(async () => {
  await cleanup(kcp);
});

const ok = async (args: string[], input?: string) => {
  const r = await kcp.kubectl(args, input === undefined ? {} : { input });
  expect(r.stderr, `kubectl ${args.join(' ')}`).not.toMatch(/error/i);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

const CM_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c2
  labels:
    x: "y"
data:
  k: v
`;

describe('unmodified kubectl against kcp start', () => {
  it('reports versions and resources', async () => {
    expect(await ok(['version'])).toMatch(/Server Version: v1\.32\.0\+kcp-ts/);
    const resources = await ok(['api-resources']);
    for (const line of [/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m, /^roles\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+Role$/m, /^selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false/m]) {
      expect(resources).toMatch(line);
    }
    expect(await ok(['get', 'ns'])).toMatch(/^default\s+Active\s+\S+$/m);
  });

  it('creates namespaces, configmaps and secrets from generators (protobuf bodies)', async () => {
    expect(await ok(['create', 'namespace', 'demo'])).toBe('namespace/demo created\n');
    expect(await ok(['-n', 'demo', 'create', 'configmap', 'c1', '--from-literal=a=b'])).toBe('configmap/c1 created\n');
    expect(await ok(['-n', 'demo', 'create', 'secret', 'generic', 's1', '--from-literal=p=q'])).toBe('secret/s1 created\n');
    expect(await ok(['-n', 'demo', 'get', 'secret', 's1', '-o', 'jsonpath={.data.p}'])).toBe(Buffer.from('q').toString('base64'));
    const table = await ok(['-n', 'demo', 'get', 'secrets']);
    expect(table).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE$/m);
    expect(table).toMatch(/^s1\s+Opaque\s+1\s+\S+$/m);
  });

  it('publishes the serving CA in every namespace as kube-root-ca.crt, as kcp does', async () => {
    let published = '';
    for (let i = 0; i < 50 && published === ''; i++) {
      const r = await kcp.kubectl(['-n', 'demo', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']);
      published = r.code === 0 ? r.stdout : '';
      if (published === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(published).toBe(kcp.ca);
    expect(await ok(['-n', 'demo', 'get', 'configmaps'])).toMatch(/^kube-root-ca\.crt\s+1\s+\S+$/m);
  });

  it('client-side applies with strategic merge and the last-applied annotation', async () => {
    expect(await ok(['-n', 'demo', 'apply', '-f', '-'], CM_YAML)).toBe('configmap/c2 created\n');
    expect(await ok(['-n', 'demo', 'apply', '-f', '-'], CM_YAML)).toBe('configmap/c2 unchanged\n');
    expect(await ok(['-n', 'demo', 'apply', '-f', '-'], CM_YAML.replace('k: v', 'k: v2'))).toBe('configmap/c2 configured\n');
    const c2 = JSON.parse(await ok(['-n', 'demo', 'get', 'cm', 'c2', '-o', 'json']));
    expect(c2.data).toEqual({ k: 'v2' });
    expect(JSON.parse(c2.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data).toEqual({ k: 'v2' });
    expect(c2.metadata.annotations['kcp.io/cluster']).toBe('root');
  });

  it("refuses YAML whose values kubectl reads as the wrong type, with upstream's errors", async () => {
    // kubectl reads `yes` as a boolean: a ConfigMap holds only strings
    const yes = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typed\ndata:\n  enabled: yes\n`;
    let r = await kcp.kubectl(['-n', 'demo', 'apply', '-f', '-'], { input: yes });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap.data of type string\n',
    );
    r = await kcp.kubectl(['-n', 'demo', 'apply', '--server-side', '-f', '-'], { input: yes });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error from server: failed to create typed patch object (demo/typed; /v1, Kind=ConfigMap): .data.enabled: expected string, got &value.valueUnstructured{Value:true}\n',
    );
    r = await kcp.kubectl(['-n', 'demo', 'patch', 'cm', 'c2', '-p', '{"data":{"n":5}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The request is invalid: patch: Invalid value: "map[data:map[n:5]]": cannot convert int64 to string\n');
    expect((await kcp.kubectl(['-n', 'demo', 'get', 'cm', 'typed'])).code).toBe(1);
    expect(JSON.parse(await ok(['-n', 'demo', 'get', 'cm', 'c2', '-o', 'json'])).data).toEqual({ k: 'v2' });
  });

  it('lists with output formats, label and field selectors across namespaces', async () => {
    const yaml = await ok(['-n', 'demo', 'get', 'cm', '-o', 'yaml']);
    expect(yaml).toMatch(/name: c1/);
    expect(yaml).toMatch(/name: c2/);
    const selected = await ok(['get', 'cm', '-A', '-l', 'x=y', '--field-selector', 'metadata.name=c2']);
    expect(selected).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    expect(selected).toMatch(/^demo\s+c2\s+1\s+\S+$/m);
    expect(selected).not.toMatch(/c1/);
  });

  it('reads lists over 128 KiB that the server gzips, as kube-apiserver does for client-go', async () => {
    await ok(['create', 'namespace', 'large']);
    const blob = 'a'.repeat(60_000);
    const manifests = ['l1', 'l2', 'l3'].map((name) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: large\ndata:\n  blob: ${blob}\n`);
    await ok(['apply', '-f', '-'], manifests.join('---\n'));
    const list = JSON.parse(await ok(['-n', 'large', 'get', 'cm', '-o', 'json']));
    expect(list.items.filter((cm: any) => cm.metadata.name.startsWith('l')).map((cm: any) => [cm.metadata.name, cm.data.blob.length])).toEqual([
      ['l1', 60_000],
      ['l2', 60_000],
      ['l3', 60_000],
    ]);
    // what kubectl got: Go's transport asks for gzip and unpacks it without showing either
    const raw = await kcp.http('GET', '/clusters/root/api/v1/namespaces/large/configmaps', { headers: { 'accept-encoding': 'gzip' } });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['vary']).toBe('Accept-Encoding');
  });

  it('labels, annotates and patches (merge, JSON, strategic)', async () => {
    expect(await ok(['-n', 'demo', 'label', 'cm', 'c1', 'x=y'])).toBe('configmap/c1 labeled\n');
    expect(await ok(['-n', 'demo', 'annotate', 'cm', 'c1', 'z=w'])).toBe('configmap/c1 annotated\n');
    expect(await ok(['-n', 'demo', 'patch', 'cm', 'c1', '--type=merge', '-p', '{"data":{"k":"v"}}'])).toBe('configmap/c1 patched\n');
    expect(await ok(['-n', 'demo', 'patch', 'cm', 'c1', '--type=json', '-p', '[{"op":"add","path":"/data/q","value":"1"}]'])).toBe('configmap/c1 patched\n');
    expect(await ok(['-n', 'demo', 'patch', 'cm', 'c1', '-p', '{"data":{"s":"2"}}'])).toBe('configmap/c1 patched\n');
    const c1 = JSON.parse(await ok(['-n', 'demo', 'get', 'cm', 'c1', '-o', 'json']));
    expect(c1.data).toEqual({ a: 'b', k: 'v', q: '1', s: '2' });
    expect(c1.metadata.labels).toEqual({ x: 'y' });
    expect(c1.metadata.annotations.z).toBe('w');
  });

  it('edits and replaces', async () => {
    const editor = `sh -c 'sed -i "s/k: v2/k: edited/" "$1"' --`;
    const r = await kcp.kubectl(['-n', 'demo', 'edit', 'cm', 'c2'], { env: { EDITOR: editor } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('configmap/c2 edited\n');
    expect(await ok(['-n', 'demo', 'get', 'cm', 'c2', '-o', 'jsonpath={.data.k}'])).toBe('edited');
    expect(await ok(['-n', 'demo', 'replace', '-f', '-'], CM_YAML.replace('k: v', 'k: replaced'))).toBe('configmap/c2 replaced\n');
    expect(await ok(['-n', 'demo', 'get', 'cm', 'c2', '-o', 'jsonpath={.data.k}'])).toBe('replaced');
  });

  it('watches: get -w prints rows as objects change', async () => {
    const watch = kcp.kubectl(['-n', 'demo', 'get', 'cm', '-w', '--request-timeout=4s'], { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    await ok(['-n', 'demo', 'create', 'configmap', 'c3', '--from-literal=x=1']);
    const out = await watch;
    expect(out.stdout).toMatch(/^NAME\s+DATA\s+AGE$/m);
    expect(out.stdout).toMatch(/^c3\s+1\s+\S+$/m);
  });

  it('describes, explains and answers auth questions', async () => {
    const described = await ok(['-n', 'demo', 'describe', 'cm', 'c1']);
    expect(described).toMatch(/^Name:\s+c1$/m);
    expect(described).toMatch(/^Namespace:\s+demo$/m);
    expect(described).toMatch(/^Events:\s+<none>$/m);
    const explained = await ok(['explain', 'configmap.data']);
    expect(explained).toMatch(/^KIND:\s+ConfigMap$/m);
    expect(explained).toMatch(/^FIELD: data <map\[string\]string>$/m);
    expect(await ok(['auth', 'can-i', 'create', 'configmaps'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', '--list'])).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    const whoami = await ok(['auth', 'whoami']);
    expect(whoami).toMatch(/^Username\s+kcp-admin$/m);
    expect(whoami).toMatch(/^Groups\s+\[system:kcp:admin system:authenticated\]$/m);
  });

  it('reads, updates and deletes objects whose names kubectl escapes in the URL (RBAC names may hold spaces)', async () => {
    expect(await ok(['create', 'clusterrole', 'my role', '--verb=get', '--resource=configmaps'])).toBe('clusterrole.rbac.authorization.k8s.io/my role created\n');
    expect(await ok(['get', 'clusterrole', 'my role', '-o', 'jsonpath={.metadata.name}'])).toBe('my role');
    expect(await ok(['label', 'clusterrole', 'my role', 'x=y'])).toBe('clusterrole.rbac.authorization.k8s.io/my role labeled\n');
    expect(await ok(['delete', 'clusterrole', 'my role'])).toBe('clusterrole.rbac.authorization.k8s.io "my role" deleted\n');
  });

  it('deletes, waits for deletion and deletes a namespace with its content', async () => {
    expect(await ok(['-n', 'demo', 'delete', 'cm', 'c1'])).toBe('configmap "c1" deleted\n');
    const wait = kcp.kubectl(['wait', '--for=delete', 'cm/c2', '-n', 'demo', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    await ok(['-n', 'demo', 'delete', 'cm', 'c2']);
    const waited = await wait;
    expect(waited.code).toBe(0);
    expect(waited.stdout).toBe('configmap/c2 condition met\n');
    expect(await ok(['delete', 'ns', 'demo'])).toBe('namespace "demo" deleted\n');
    const gone = await kcp.kubectl(['get', 'ns', 'demo']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): namespaces "demo" not found\n');
    // its content went first
    const all = JSON.parse(await ok(['get', 'cm,secrets', '-A', '-o', 'json']));
    expect(all.items.filter((i: any) => i.metadata.namespace === 'demo')).toEqual([]);
  });

  it('isolates another logical cluster: objects, RBAC and discovery', async () => {
    await ok(['create', 'namespace', 'only-in-root']);
    await ok(['apply', '-f', '-'], 'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: other\n');
    await ok(['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/other', '--timeout=30s']);
    const clusterName = await ok(['get', 'workspace', 'other', '-o', 'jsonpath={.spec.cluster}']);
    for (const address of [`${kcp.url}/clusters/root:other`, `${kcp.url}/clusters/${clusterName}`]) {
      const other = ['--server', address];
      const namespaces = await ok([...other, 'get', 'ns']);
      expect(namespaces).toMatch(/^default\s+Active/m);
      expect(namespaces).not.toMatch(/only-in-root/);
      expect(await ok([...other, 'api-resources'])).toMatch(/^configmaps\s+cm\s+v1/m);
    }
    const other = ['--server', `${kcp.url}/clusters/root:other`];
    await ok([...other, 'create', 'role', 'r1', '--verb=get', '--resource=configmaps']);
    expect(await ok(['get', 'roles', '-A'])).not.toMatch(/r1/);
    expect(await ok([...other, 'get', 'roles', '-A'])).toMatch(/r1/);
    // a logical cluster that does not exist is not accessible (kcp's content authorizer)
    const missing = await kcp.http('GET', '/clusters/nosuchcluster/api/v1/configmaps', { token: kcp.tokens.kcpAdmin });
    expect(missing.status).toBe(403);
    expect(missing.json().message).toBe(
      'configmaps is forbidden: User "kcp-admin" cannot list resource "configmaps" in API group "" at the cluster scope: workspace access not permitted',
    );
  });

  it('refuses an invalid cluster in the URL with 400', async () => {
    const r = await kcp.kubectl(['--server', `${kcp.url}/clusters/Bad_Name`, 'get', 'ns']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error from server \(BadRequest\)/);
    const raw = await kcp.http('GET', '/clusters/Bad_Name/api/v1/namespaces');
    expect(raw.status).toBe(400);
    expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: 'invalid cluster: "Bad_Name" does not match the regex' });
  });

  it('enforces ResourceQuota object counts, per namespace and (kcp) per logical cluster', async () => {
    const other = ['--server', `${kcp.url}/clusters/root:quotas`];
    await ok(['apply', '-f', '-'], 'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: quotas\n');
    await ok(['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/quotas', '--timeout=30s']);
    await ok([...other, 'create', 'namespace', 'team']);
    // kubectl create quota sends a protobuf body; kube-root-ca.crt is there already
    expect(await ok([...other, '-n', 'team', 'create', 'quota', 'objects', '--hard=count/configmaps=2,secrets=1,pods=3'])).toBe('resourcequota/objects created\n');
    await ok([...other, '-n', 'team', 'wait', '--for=jsonpath={.status.used.count/configmaps}=1', 'quota/objects', '--timeout=20s']);
    expect(await ok([...other, '-n', 'team', 'get', 'quota'])).toMatch(/^objects\s+\S+\s+count\/configmaps: 1\/2, pods: 0\/3, secrets: 0\/1\s*$/m);
    await ok([...other, '-n', 'team', 'create', 'configmap', 'c1']);
    const refused = await kcp.kubectl([...other, '-n', 'team', 'create', 'configmap', 'c2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: failed to create configmap: configmaps "c2" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2\n',
    );
    expect(await ok([...other, '-n', 'team', 'describe', 'quota', 'objects'])).toMatch(/^count\/configmaps\s+2\s+2$/m);
    const invalid = await kcp.kubectl([...other, '-n', 'team', 'create', 'quota', 'half', '--hard=count/secrets=500m']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      'error: failed to create quota: ResourceQuota "half" is invalid: spec.hard[count/secrets]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer\n',
    );
    // deleting gives back
    await ok([...other, '-n', 'team', 'delete', 'configmap', 'c1']);
    await ok([...other, '-n', 'team', 'wait', '--for=jsonpath={.status.used.count/configmaps}=1', 'quota/objects', '--timeout=20s']);
    await ok([...other, '-n', 'team', 'create', 'configmap', 'c2']);
    // kcp's cluster-scoped quota: in the admin namespace, with its annotation, it counts the whole workspace
    // (default, kube-system, team and admin)
    await ok([...other, 'create', 'namespace', 'admin']);
    await ok(
      [...other, 'apply', '-f', '-'],
      'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: workspace\n  namespace: admin\n  annotations:\n    experimental.quota.kcp.io/cluster-scoped: "true"\nspec:\n  hard:\n    count/namespaces: "4"\n',
    );
    await ok([...other, '-n', 'admin', 'wait', '--for=jsonpath={.status.used.count/namespaces}=4', 'quota/workspace', '--timeout=20s']);
    const full = await kcp.kubectl([...other, 'create', 'namespace', 'one-more']);
    expect(full.stderr).toBe(
      'Error from server (Forbidden): namespaces "one-more" is forbidden: exceeded quota: workspace, requested: count/namespaces=1, used: count/namespaces=4, limited: count/namespaces=4\n',
    );
    // a LimitRange is stored and described (nothing here runs pods to apply it to)
    await ok([...other, '-n', 'team', 'apply', '-f', '-'], 'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m}\n');
    expect(await ok([...other, '-n', 'team', 'describe', 'limits', 'defaults'])).toMatch(/^Container\s+cpu\s+-\s+-\s+-\s+500m\s+-$/m);
  });

  it('creates, lists, approves and denies CertificateSigningRequests (kubectl certificate)', async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=alice,O=devs', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } }, webcrypto);
    const manifest = (name: string) =>
      `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: ${name}\nspec:\n  request: ${Buffer.from(request.toString('pem')).toString('base64')}\n  signerName: example.com/client\n  expirationSeconds: 86400\n  usages: [client auth]\n`;
    expect(await ok(['create', '-f', '-'], manifest('alice'))).toBe('certificatesigningrequest.certificates.k8s.io/alice created\n');
    expect(await ok(['create', '-f', '-'], manifest('mallory'))).toBe('certificatesigningrequest.certificates.k8s.io/mallory created\n');
    expect(await ok(['get', 'csr', 'alice'])).toMatch(/^alice\s+\S+\s+example\.com\/client\s+kcp-admin\s+24h\s+Pending$/m);
    // kubectl certificate approve/deny update the approval subresource (protobuf bodies)
    expect(await ok(['certificate', 'approve', 'alice'])).toBe('certificatesigningrequest.certificates.k8s.io/alice approved\n');
    expect(await ok(['certificate', 'deny', 'mallory'])).toBe('certificatesigningrequest.certificates.k8s.io/mallory denied\n');
    const listed = await ok(['get', 'csr', '--field-selector', 'spec.signerName=example.com/client']);
    expect(listed).toMatch(/^alice\s+.*\s+Approved$/m);
    expect(listed).toMatch(/^mallory\s+.*\s+Denied$/m);
    const conditions = JSON.parse(await ok(['get', 'csr', 'alice', '-o', 'jsonpath={.status.conditions}']));
    expect(conditions).toEqual([
      expect.objectContaining({ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }),
    ]);
    // a denied request cannot be approved as well
    const both = await kcp.kubectl(['certificate', 'approve', 'mallory']);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('error: certificate signing request "mallory" is already Denied\n');
  });

  it('enforces ValidatingAdmissionPolicies: params, namespace selectors, Deny and Warn bindings, compile errors', async () => {
    const other = ['--server', `${kcp.url}/clusters/root:policies`];
    await ok(['apply', '-f', '-'], 'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: policies\n');
    await ok(['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/policies', '--timeout=30s']);
    const resources = await ok([...other, 'api-resources', '--api-group=admissionregistration.k8s.io']);
    expect(resources).toMatch(/^validatingadmissionpolicies\s+admissionregistration\.k8s\.io\/v1\s+false\s+ValidatingAdmissionPolicy$/m);
    expect(resources).toMatch(/^validatingadmissionpolicybindings\s+admissionregistration\.k8s\.io\/v1\s+false\s+ValidatingAdmissionPolicyBinding$/m);
    await ok([...other, 'create', 'namespace', 'params']);
    await ok([...other, '-n', 'params', 'create', 'configmap', 'limits', '--from-literal=max=2']);
    await ok([...other, 'create', 'namespace', 'team']);
    await ok([...other, 'label', 'namespace', 'team', 'policed=true']);
    const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-keys
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}
  validations:
  - expression: "!has(object.data) || size(object.data) <= int(params.data.max)"
    messageExpression: "'at most ' + params.data.max + ' keys, got ' + string(size(object.data))"
  - expression: "object.metadata.name.startsWith('cm-')"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: max-keys-team
spec:
  policyName: max-keys
  validationActions: [Deny]
  paramRef: {name: limits, namespace: params, parameterNotFoundAction: Deny}
  matchResources:
    namespaceSelector:
      matchLabels: {policed: "true"}
`;
    expect(await ok([...other, 'apply', '-f', '-'], policy)).toBe(
      'validatingadmissionpolicy.admissionregistration.k8s.io/max-keys created\nvalidatingadmissionpolicybinding.admissionregistration.k8s.io/max-keys-team created\n',
    );
    expect(await ok([...other, 'get', 'validatingadmissionpolicies'])).toMatch(/^max-keys\s+2\s+v1\/ConfigMap\s+\S+$/m);
    expect(await ok([...other, 'get', 'validatingadmissionpolicybindings'])).toMatch(/^max-keys-team\s+max-keys\s+params\/limits\s+\S+$/m);
    // the plugin reads bindings from the watch cache: wait until it refuses
    const big = [...other, '-n', 'team', 'create', 'configmap', 'cm-big', '--from-literal=a=1', '--from-literal=b=2', '--from-literal=c=3'];
    let refused = await kcp.kubectl(big);
    for (let i = 0; i < 50 && refused.code === 0; i++) {
      await ok([...other, '-n', 'team', 'delete', 'configmap', 'cm-big']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      refused = await kcp.kubectl(big);
    }
    expect(refused.stderr).toBe(
      `error: failed to create configmap: configmaps "cm-big" is forbidden: ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-team' denied request: at most 2 keys, got 3\n`,
    );
    // no reason: Invalid (422), printed by kubectl from the cause
    const applied = await kcp.kubectl([...other, 'apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-big, namespace: team}\ndata: {a: "1", b: "2", c: "3"}\n',
    });
    expect(applied.stderr).toBe(`The configmaps "cm-big" is invalid: : ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-team' denied request: at most 2 keys, got 3\n`);
    const named = await kcp.kubectl([...other, '-n', 'team', 'create', 'configmap', 'other']);
    expect(named.stderr).toBe(
      `error: failed to create configmap: configmaps "other" is forbidden: ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-team' denied request: failed expression: object.metadata.name.startsWith('cm-')\n`,
    );
    expect(await ok([...other, '-n', 'team', 'create', 'configmap', 'cm-small', '--from-literal=a=1'])).toBe('configmap/cm-small created\n');
    // namespaces without the label are not policed; a Warn binding lets the request through with a warning
    await ok([...other, '-n', 'params', 'create', 'configmap', 'anything', '--from-literal=a=1', '--from-literal=b=2', '--from-literal=c=3']);
    await ok([...other, 'create', 'namespace', 'warned']);
    await ok([...other, 'label', 'namespace', 'warned', 'warned=true']);
    await ok(
      [...other, 'apply', '-f', '-'],
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: max-keys-warn}\nspec:\n  policyName: max-keys\n  validationActions: [Warn]\n  paramRef: {name: limits, namespace: params, parameterNotFoundAction: Deny}\n  matchResources:\n    namespaceSelector:\n      matchLabels: {warned: "true"}\n',
    );
    let warned = { code: 1, stdout: '', stderr: '' };
    for (let i = 0; i < 50 && !warned.stderr.includes('Warning'); i++) {
      if (i > 0) {
        await ok([...other, '-n', 'warned', 'delete', 'configmap', 'cm-big']);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      warned = await kcp.kubectl([...other, '-n', 'warned', 'create', 'configmap', 'cm-big', '--from-literal=a=1', '--from-literal=b=2', '--from-literal=c=3']);
    }
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe("Warning: Validation failed for ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-warn': at most 2 keys, got 3\n");
    // expressions are compiled when the policy is written
    const broken = await kcp.kubectl([...other, 'apply', '-f', '-'], {
      input:
        'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: broken}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]\n  validations:\n  - expression: "size(object.data)"\n',
    });
    expect(broken.stderr).toBe('The ValidatingAdmissionPolicy "broken" is invalid: spec.validations[0].expression: Invalid value: "size(object.data)": must evaluate to bool but got int\n');
    // the status controller type-checks expressions against the kinds a policy matches
    await ok([...other, 'wait', '--for=jsonpath={.status.observedGeneration}=1', 'validatingadmissionpolicy/max-keys', '--timeout=20s']);
    expect(JSON.parse(await ok([...other, 'get', 'validatingadmissionpolicy', 'max-keys', '-o', 'jsonpath={.status.typeChecking}']))).toEqual({});
    await ok(
      [...other, 'apply', '-f', '-'],
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: typo}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]\n  validations:\n  - expression: "size(object.dataa) < 3"\n',
    );
    await ok([...other, 'wait', '--for=jsonpath={.status.observedGeneration}=1', 'validatingadmissionpolicy/typo', '--timeout=20s']);
    expect(JSON.parse(await ok([...other, 'get', 'validatingadmissionpolicy', 'typo', '-o', 'jsonpath={.status.typeChecking.expressionWarnings}']))).toEqual([
      { fieldRef: 'spec.validations[0].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: dataa\n' },
    ]);
    expect(await ok([...other, 'explain', 'validatingadmissionpolicy.spec.paramKind'])).toMatch(/^FIELD: paramKind <ParamKind>$/m);
  });
});
