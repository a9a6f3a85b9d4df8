import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectStatus, failure } from './bad-input-helpers';
import { startTestServer } from './harness';

/**
 * Issue 4, service accounts: every namespace has a `default` one;
 * `serviceaccounts/<name>/token` (TokenRequest, what `kubectl create token`
 * calls) signs a token that authenticates as the service account in its own
 * logical cluster only, and stops working once the service account (or the
 * secret it is bound to) is gone.
 */
const ISSUER = 'https://kcp.default.svc';
const ROOT_CA = '-----BEGIN CERTIFICATE-----\nthe serving CA\n-----END CERTIFICATE-----\n';
const C = '/clusters/sa';
const NS = `${C}/api/v1/namespaces/demo`;
let t: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  t = await startTestServer({ serviceAccountTokens: { signingKey: privateKey, maxExpirationSeconds: 7200 }, rootCA: ROOT_CA });
  for (const cluster of ['sa', 'elsewhere']) {
    expect((await t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, { metadata: { name: 'demo' } })).status).toBe(201);
    expect((await t.request('POST', `/clusters/${cluster}/api/v1/namespaces/demo/serviceaccounts`, { metadata: { name: 'bot' } })).status).toBe(201);
  }
});
afterAll(async () => {
  await t.stop();
});

/** Requests a token for `name` and returns the response. */
function requestToken(name: string, body: unknown = {}, cluster = C) {
  return t.request('POST', `${cluster}/api/v1/namespaces/demo/serviceaccounts/${name}/token`, body);
}

async function tokenFor(name: string, body: unknown = {}): Promise<string> {
  const response = await requestToken(name, body);
  expect(response.status).toBe(201);
  return response.json().status.token as string;
}

/** Who the server takes `token` for in `cluster` (SelfSubjectReview), or the status code when it refuses. */
async function whoami(token: string, cluster = C): Promise<any> {
  const response = await t.request('POST', `${cluster}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {}, token);
  return response.status === 201 ? response.json().status.userInfo : response.status;
}

describe('the default service account', () => {
  it('is created in every new namespace, and again when it is deleted', async () => {
    expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'fresh' } })).status).toBe(201);
    const path = `${C}/api/v1/namespaces/fresh/serviceaccounts/default`;
    const first = await t.request('GET', path);
    expect(first.status).toBe(200);
    expect((await t.request('DELETE', path)).status).toBe(200);
    await eventually(async () => (await t.request('GET', path)).status === 200);
    expect((await t.request('GET', path)).json().metadata.uid).not.toBe(first.json().metadata.uid);
  });

  it('is not created again in a namespace being deleted', async () => {
    expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'leaving', finalizers: [] }, spec: { finalizers: ['example.com/hold'] } })).status).toBe(201);
    expect((await t.request('DELETE', `${C}/api/v1/namespaces/leaving`)).status).toBe(200);
    // the namespace controller deletes its content, the default service account too, and only a finalizer holds the namespace
    await eventually(async () => (await t.request('GET', `${C}/api/v1/namespaces/leaving/serviceaccounts`)).json().items.length === 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await t.request('GET', `${C}/api/v1/namespaces/leaving/serviceaccounts`)).json().items).toEqual([]);
    expect((await t.request('GET', `${C}/api/v1/namespaces/leaving`)).json().status.phase).toBe('Terminating');
  });
});

describe('the kube-root-ca.crt config map', () => {
  const DESCRIPTION =
    'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
  const path = (namespace: string) => `${C}/api/v1/namespaces/${namespace}/configmaps/kube-root-ca.crt`;

  it('is in every new namespace with the CA bundle, and again when it is deleted', async () => {
    expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'ca-fresh' } })).status).toBe(201);
    await eventually(async () => (await t.request('GET', path('ca-fresh'))).status === 200);
    const first = (await t.request('GET', path('ca-fresh'))).json();
    expect(first.data).toEqual({ 'ca.crt': ROOT_CA });
    expect(first.metadata.annotations['kubernetes.io/description']).toBe(DESCRIPTION);
    expect((await t.request('DELETE', path('ca-fresh'))).status).toBe(200);
    await eventually(async () => (await t.request('GET', path('ca-fresh'))).status === 200);
    const again = (await t.request('GET', path('ca-fresh'))).json();
    expect(again.metadata.uid).not.toBe(first.metadata.uid);
    expect(again.data).toEqual({ 'ca.crt': ROOT_CA });
  });

  it('is put back when its data or description is changed, keeping what else it carries', async () => {
    const merge = { 'content-type': 'application/merge-patch+json' };
    await eventually(async () => (await t.request('GET', path('demo'))).status === 200);
    const undescribed = await t.request('PATCH', path('demo'), { metadata: { annotations: { 'kubernetes.io/description': null } } }, merge);
    expect(undescribed.status).toBe(200);
    await eventually(async () => (await t.request('GET', path('demo'))).json().metadata.annotations['kubernetes.io/description'] === DESCRIPTION);
    const patched = await t.request('PATCH', path('demo'), { data: { 'ca.crt': 'forged', extra: 'x' }, metadata: { labels: { mine: 'yes' } } }, merge);
    expect(patched.status).toBe(200);
    expect(patched.json().data['ca.crt']).toBe('forged');
    await eventually(async () => (await t.request('GET', path('demo'))).json().data['ca.crt'] === ROOT_CA);
    const restored = (await t.request('GET', path('demo'))).json();
    expect(restored.data).toEqual({ 'ca.crt': ROOT_CA });
    expect(restored.metadata.annotations['kubernetes.io/description']).toBe(DESCRIPTION);
    expect(restored.metadata.labels).toEqual({ mine: 'yes' });
  });

  it('is not published again in a namespace being deleted', async () => {
    expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'ca-leaving' }, spec: { finalizers: ['example.com/hold'] } })).status).toBe(201);
    await eventually(async () => (await t.request('GET', path('ca-leaving'))).status === 200);
    expect((await t.request('DELETE', `${C}/api/v1/namespaces/ca-leaving`)).status).toBe(200);
    await eventually(async () => (await t.request('GET', path('ca-leaving'))).status === 404);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await t.request('GET', path('ca-leaving'))).status).toBe(404);
    expect((await t.request('GET', `${C}/api/v1/namespaces/ca-leaving`)).json().status.phase).toBe('Terminating');
  });

  it('is not published by a server without a CA bundle', async () => {
    const bare = await startTestServer();
    try {
      expect((await bare.request('POST', '/clusters/x/api/v1/namespaces', { metadata: { name: 'demo' } })).status).toBe(201);
      await eventually(async () => (await bare.request('GET', '/clusters/x/api/v1/namespaces/demo/serviceaccounts/default')).status === 200);
      expect((await bare.request('GET', '/clusters/x/api/v1/namespaces/demo/configmaps')).json().items).toEqual([]);
    } finally {
      await bare.stop();
    }
  });
});

describe('TokenRequest', () => {
  it('answers a token for the service account, with the defaults of the API', async () => {
    const before = Date.now();
    const response = await requestToken('bot');
    expect(response.status).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'bot', namespace: 'demo' },
      spec: { audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null },
    });
    const [header, payload] = (body.status.token as string).split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: ISSUER, aud: [ISSUER], sub: 'system:serviceaccount:demo:bot', 'kubernetes.io': { clusterName: 'sa', namespace: 'demo', serviceaccount: { name: 'bot' } } });
    expect(payload.exp - payload.iat).toBe(3600);
    const expires = Date.parse(body.status.expirationTimestamp);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it('takes the requested audiences and lifetime, shortening it to the maximum with a warning', async () => {
    const response = await requestToken('bot', { spec: { audiences: ['vault'], expirationSeconds: 10_000 } });
    expect(response.status).toBe(201);
    expect(response.json().spec).toEqual({ audiences: ['vault'], expirationSeconds: 7200, boundObjectRef: null });
    expect(response.headers['warning']).toEqual(['299 - "requested expiration of 10000 seconds shortened to 7200 seconds"']);
  });

  it('answers 404 for a service account that does not exist', async () => {
    expectStatus(await requestToken('ghost'), failure(404, 'NotFound', 'serviceaccounts "ghost" not found', { name: 'ghost', kind: 'serviceaccounts' }));
  });

  it.each([
    {
      name: 'a lifetime under 10 minutes',
      body: { spec: { expirationSeconds: 599 } },
      status: failure(422, 'Invalid', 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes', {
        group: 'authentication.k8s.io',
        kind: 'TokenRequest',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 599: may not specify a duration less than 10 minutes', field: 'spec.expirationSeconds' }],
      }),
    },
    {
      name: 'another name in the body',
      body: { metadata: { name: 'other' } },
      status: failure(422, 'Invalid', 'TokenRequest.authentication.k8s.io "bot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified', {
        name: 'bot',
        group: 'authentication.k8s.io',
        kind: 'TokenRequest',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "other": must match the service account name if specified', field: 'metadata.name' }],
      }),
    },
    {
      name: 'a token bound to a Pod (kcp serves no pods)',
      body: { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } },
      status: failure(400, 'BadRequest', 'cannot bind token to object of type /v1, Kind=Pod'),
    },
    {
      name: 'a token bound to a missing secret',
      body: { spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'gone' } } },
      status: failure(404, 'NotFound', 'secrets "gone" not found', { name: 'gone', kind: 'secrets' }),
    },
    {
      name: 'a lifetime that is not a number',
      body: { spec: { expirationSeconds: '3600' } },
      status: failure(400, 'BadRequest', 'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field TokenRequest.spec.expirationSeconds of type int64'),
    },
    {
      name: 'another kind in the body',
      body: { apiVersion: 'v1', kind: 'ServiceAccount' },
      status: failure(400, 'BadRequest', 'the API version in the data (v1) does not match the expected API version (authentication.k8s.io/v1)'),
    },
    {
      name: 'malformed JSON',
      body: '{"spec":',
      status: failure(400, 'BadRequest', 'the object provided is unrecognized (must be of type TokenRequest): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"spec":)'),
    },
  ])('refuses $name', async ({ body, status }) => {
    const before = await t.store.currentRevision();
    expectStatus(await requestToken('bot', body), status);
    expect(await t.store.currentRevision()).toBe(before);
  });

  it('refuses a token bound to a secret whose uid differs (409)', async () => {
    expect((await t.request('POST', `${NS}/secrets`, { metadata: { name: 'bound' } })).status).toBe(201);
    const response = await requestToken('bot', { spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'bound', uid: 'not-its-uid' } } });
    expectStatus(
      response,
      failure(409, 'Conflict', 'Operation cannot be fulfilled on Secret "bound": the UID in the bound object reference (not-its-uid) does not match the UID in record. The object might have been deleted and then recreated', {
        name: 'bound',
        kind: 'Secret',
      }),
    );
  });

  it('is only created: GET of the subresource is 405', async () => {
    expect((await t.request('GET', `${NS}/serviceaccounts/bot/token`)).status).toBe(405);
  });

  it('is authorized as create on serviceaccounts/token', async () => {
    expectStatus(
      await t.request('POST', `${NS}/serviceaccounts/bot/token`, {}, {}, 'alice-token'),
      failure(403, 'Forbidden', 'serviceaccounts "bot" is forbidden: User "alice" cannot create resource "serviceaccounts/token" in API group "" in the namespace "demo"', {
        name: 'bot',
        kind: 'serviceaccounts',
      }),
    );
  });
});

describe('service account tokens', () => {
  it('authenticate as the service account, authorized by RBAC naming it', async () => {
    const token = await tokenFor('bot');
    const user = await whoami(token);
    expect(user).toEqual({
      username: 'system:serviceaccount:demo:bot',
      uid: expect.any(String),
      groups: ['system:serviceaccounts', 'system:serviceaccounts:demo', 'system:authenticated'],
      extra: { 'authentication.kcp.io/cluster-name': ['sa'], 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)] },
    });
    expectStatus(
      await t.request('GET', `${NS}/configmaps`, undefined, {}, token),
      failure(403, 'Forbidden', 'configmaps is forbidden: User "system:serviceaccount:demo:bot" cannot list resource "configmaps" in API group "" in the namespace "demo"', { kind: 'configmaps' }),
    );
    const binding = {
      metadata: { name: 'bot-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'demo' }],
    };
    expect((await t.request('POST', `${C}/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings`, binding)).status).toBe(201);
    await eventually(async () => (await t.request('GET', `${NS}/configmaps`, undefined, {}, token)).status === 200);
  });

  it('are reviewed by TokenReview', async () => {
    const token = await tokenFor('bot');
    const review = await t.request('POST', `${C}/apis/authentication.k8s.io/v1/tokenreviews`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    expect(review.status).toBe(201);
    expect(review.json().status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:demo:bot' } });
  });

  it('are another identity in another logical cluster, which bindings of its own service account do not match', async () => {
    const token = await tokenFor('bot');
    expect(await whoami(token, '/clusters/elsewhere')).toEqual({
      username: 'system:kcp:serviceaccount:sa:demo:bot',
      groups: ['system:authenticated'],
      extra: { 'authentication.kcp.io/cluster-name': ['sa'], 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)] },
    });
    const binding = {
      metadata: { name: 'bot-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'demo' }],
    };
    expect((await t.request('POST', '/clusters/elsewhere/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', binding)).status).toBe(201);
    const local = await t.request('POST', '/clusters/elsewhere/api/v1/namespaces/demo/serviceaccounts/bot/token', {});
    await eventually(async () => (await t.request('GET', '/clusters/elsewhere/api/v1/namespaces/demo/configmaps', undefined, {}, local.json().status.token)).status === 200);
    expect((await t.request('GET', '/clusters/elsewhere/api/v1/namespaces/demo/configmaps', undefined, {}, token)).status).toBe(403);
  });

  it('stop authenticating when the service account is deleted, even once one of the same name is created again', async () => {
    expect((await t.request('POST', `${NS}/serviceaccounts`, { metadata: { name: 'temp' } })).status).toBe(201);
    const token = await tokenFor('temp');
    expect((await whoami(token)).username).toBe('system:serviceaccount:demo:temp');
    expect((await t.request('DELETE', `${NS}/serviceaccounts/temp`)).status).toBe(200);
    await eventually(async () => (await whoami(token)) === 401);
    expect((await t.request('POST', `${NS}/serviceaccounts`, { metadata: { name: 'temp' } })).status).toBe(201);
    await eventually(async () => (await requestToken('temp')).status === 201);
    expect(await whoami(token)).toBe(401);
  });

  it('bound to a secret stop authenticating when the secret is deleted', async () => {
    expect((await t.request('POST', `${NS}/secrets`, { metadata: { name: 'holder' } })).status).toBe(201);
    const token = await tokenFor('bot', { spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'holder' } } });
    await eventually(async () => (await whoami(token)) !== 401);
    expect((await whoami(token)).username).toBe('system:serviceaccount:demo:bot');
    expect((await t.request('DELETE', `${NS}/secrets/holder`)).status).toBe(200);
    await eventually(async () => (await whoami(token)) === 401);
  });

  it('with a changed signature, another audience or from another issuer are refused (401)', async () => {
    const token = await tokenFor('bot');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = (changes: object) => `${header}.${Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url')}.${signature}`;
    expect(await whoami(forged({ sub: 'system:serviceaccount:demo:admin' }))).toBe(401);
    expect(await whoami(`${header}.${payload}.${signature.slice(0, -4)}AAAA`)).toBe(401);
    expect(await whoami(forged({ iss: 'https://elsewhere.example' }))).toBe(401);
    expect(await whoami(await tokenFor('bot', { spec: { audiences: ['vault'] } }))).toBe(401);
  });
});

describe('service account token secrets', () => {
  const tokenSecret = (name: string, account: string) => ({
    metadata: { name, annotations: { 'kubernetes.io/service-account.name': account } },
    type: 'kubernetes.io/service-account-token',
  });
  const get = async (name: string) => t.request('GET', `${NS}/secrets/${name}`);

  it('must name their service account (422)', async () => {
    const before = await t.store.currentRevision();
    expectStatus(
      await t.request('POST', `${NS}/secrets`, { metadata: { name: 'nameless' }, type: 'kubernetes.io/service-account-token' }),
      failure(422, 'Invalid', 'Secret "nameless" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value', {
        name: 'nameless',
        kind: 'Secret',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.annotations[kubernetes.io/service-account.name]' }],
      }),
    );
    expect(await t.store.currentRevision()).toBe(before);
  });

  it('get a token, the CA and the namespace; the token is the service account while the secret holds it', async () => {
    expect((await t.request('POST', `${NS}/secrets`, tokenSecret('bot-token', 'bot'))).status).toBe(201);
    await eventually(async () => (await get('bot-token')).json().data?.token !== undefined);
    const secret = (await get('bot-token')).json();
    const account = (await t.request('GET', `${NS}/serviceaccounts/bot`)).json();
    expect(secret.metadata.annotations['kubernetes.io/service-account.uid']).toBe(account.metadata.uid);
    expect(Buffer.from(secret.data.namespace, 'base64').toString()).toBe('demo');
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString()).toBe(ROOT_CA);
    const token = Buffer.from(secret.data.token, 'base64').toString();
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/secret.name': 'bot-token' });
    expect(await whoami(token)).toEqual({
      username: 'system:serviceaccount:demo:bot',
      uid: account.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:demo', 'system:authenticated'],
      extra: { 'authentication.kcp.io/cluster-name': ['sa'] },
    });
    expect((await t.request('DELETE', `${NS}/secrets/bot-token`)).status).toBe(200);
    await eventually(async () => (await whoami(token)) === 401);
  });

  it('of a service account that does not exist are deleted', async () => {
    expect((await t.request('POST', `${NS}/secrets`, tokenSecret('orphan-token', 'nobody'))).status).toBe(201);
    await eventually(async () => (await get('orphan-token')).status === 404);
  });

  it('go with their service account', async () => {
    expect((await t.request('POST', `${NS}/serviceaccounts`, { metadata: { name: 'short-lived' } })).status).toBe(201);
    await eventually(async () => (await t.request('GET', `${NS}/serviceaccounts/short-lived`)).status === 200);
    expect((await t.request('POST', `${NS}/secrets`, tokenSecret('short-lived-token', 'short-lived'))).status).toBe(201);
    await eventually(async () => (await get('short-lived-token')).json().data?.token !== undefined);
    expect((await t.request('DELETE', `${NS}/serviceaccounts/short-lived`)).status).toBe(200);
    await eventually(async () => (await get('short-lived-token')).status === 404);
  });
});
