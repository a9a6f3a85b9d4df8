import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, type TestServer, eventually, expectStatus, failure, startBadInputServer } from './bad-input-helpers';

/**
 * Issue 4, impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the
 * request acts as the impersonated user once the requester may `impersonate`
 * each part of that identity in the logical cluster; 403 with upstream's
 * message otherwise.
 */
let t: TestServer;
const C = '/clusters/imp';
const RBAC = `${C}/apis/rbac.authorization.k8s.io/v1`;

beforeAll(async () => {
  t = await startBadInputServer();
  expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'work' } })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

/** Who the server takes the request for (SelfSubjectReview), or the failure. */
async function whoami(headers: Record<string, string>, token: string = TOKENS.admin) {
  const response = await t.request('POST', `${C}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, headers, token);
  return response.status === 201 ? response.json().status.userInfo : response;
}

describe('impersonation', () => {
  it.each([
    { name: 'a user', headers: { 'impersonate-user': 'bob' }, user: { username: 'bob', groups: ['system:authenticated'] } },
    { name: 'a user with groups', headers: { 'impersonate-user': 'bob', 'impersonate-group': 'devs, qa' }, user: { username: 'bob', groups: ['devs', 'qa', 'system:authenticated'] } },
    {
      name: 'a service account (its groups come with it)',
      headers: { 'impersonate-user': 'system:serviceaccount:work:bot' },
      user: { username: 'system:serviceaccount:work:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:work', 'system:authenticated'] },
    },
    {
      name: 'a user with a uid and extra information',
      headers: { 'impersonate-user': 'bob', 'impersonate-uid': 'uid-1', 'impersonate-extra-scopes': 'cluster:imp' },
      user: { username: 'bob', uid: 'uid-1', groups: ['system:authenticated'], extra: { scopes: ['cluster:imp'] } },
    },
    {
      // upstream's unescapeExtraKey: lower-cased, then decoded; a malformed escape is kept as it is
      name: 'a user with percent-encoded and malformed extra keys',
      headers: { 'impersonate-user': 'bob', 'impersonate-extra-%41cme%2Fteam': 'a', 'impersonate-extra-bad%zz': 'b' },
      user: { username: 'bob', groups: ['system:authenticated'], extra: { 'Acme/team': ['a'], 'bad%zz': ['b'] } },
    },
  ])('acts as $name', async ({ headers, user }) => {
    expect(await whoami(headers)).toEqual(user);
  });

  it('acts as system:anonymous, who is not authenticated (and may not even review itself)', async () => {
    expectStatus(
      await whoami({ 'impersonate-user': 'system:anonymous' }),
      failure(403, 'Forbidden', 'selfsubjectreviews.authentication.k8s.io is forbidden: User "system:anonymous" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope', {
        group: 'authentication.k8s.io',
        kind: 'selfsubjectreviews',
      }),
    );
    expect(await whoami({ 'impersonate-user': 'system:anonymous', 'impersonate-group': 'system:authenticated' })).toEqual({
      username: 'system:anonymous',
      groups: ['system:authenticated', 'system:unauthenticated'],
    });
  });

  it('authorizes the request as the impersonated user', async () => {
    expectStatus(
      await t.request('GET', `${C}/api/v1/namespaces/work/configmaps`, undefined, { 'impersonate-user': 'alice' }),
      failure(403, 'Forbidden', 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "work"', { kind: 'configmaps' }),
    );
  });

  it('needs the impersonate verb on each part of the identity', async () => {
    expectStatus(
      await whoami({ 'impersonate-user': 'bob' }, TOKENS.alice),
      failure(403, 'Forbidden', 'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope', { name: 'bob', kind: 'users' }),
    );
    const role = {
      metadata: { name: 'impersonate-bob' },
      rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['bob'] }],
    };
    expect((await t.request('POST', `${RBAC}/clusterroles`, role)).status).toBe(201);
    const binding = {
      metadata: { name: 'alice-impersonates-bob' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonate-bob' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    };
    expect((await t.request('POST', `${RBAC}/clusterrolebindings`, binding)).status).toBe(201);
    await eventually(async () => (await whoami({ 'impersonate-user': 'bob' }, TOKENS.alice)).username === 'bob');
    expectStatus(
      await whoami({ 'impersonate-user': 'bob', 'impersonate-group': 'system:masters' }, TOKENS.alice),
      failure(403, 'Forbidden', 'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope', {
        name: 'system:masters',
        kind: 'groups',
      }),
    );
    expectStatus(
      await whoami({ 'impersonate-user': 'carol' }, TOKENS.alice),
      failure(403, 'Forbidden', 'users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope', { name: 'carol', kind: 'users' }),
    );
  });

  it('refuses groups without a user (500, as upstream)', async () => {
    expectStatus(
      await whoami({ 'impersonate-group': 'devs' }),
      failure(500, 'InternalError', 'Internal error occurred: requested impersonation of groups, a uid or extra user information without impersonating a user', {
        causes: [{ message: 'requested impersonation of groups, a uid or extra user information without impersonating a user' }],
      }),
    );
  });
});
