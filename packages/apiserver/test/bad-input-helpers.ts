import { expect } from 'vitest';
import { TokenAuthenticator, UnionAuthenticator } from '../src/auth/authentication';
import { KCP_ADMIN_GROUP } from '../src/auth/types';
import type { ApiServerOptions } from '../src/server/api-server';
import { type ApiResponse, isStreamResponse } from '../src/server/api-request';
import { ADMIN_TOKEN, USER_TOKEN, startTestServer } from './harness';

/** Tokens of the users the bad-input suites act as. */
export const TOKENS = {
  admin: ADMIN_TOKEN,
  /** `alice`, groups `devs`: no RBAC anywhere */
  alice: USER_TOKEN,
  /** `bob`: granted things through bindings in the tests */
  bob: 'bob-token',
  /** `kcp-admin`, group `system:kcp:admin` (not system:masters) */
  kcpAdmin: 'kcp-admin-token',
} as const;

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The test server with the users above. */
export async function startBadInputServer(options: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const tokens = new TokenAuthenticator([
    [TOKENS.admin, { username: 'admin', groups: ['system:masters'] }],
    [TOKENS.alice, { username: 'alice', groups: ['devs'] }],
    [TOKENS.bob, { username: 'bob', groups: ['devs'] }],
    [TOKENS.kcpAdmin, { username: 'kcp-admin', groups: [KCP_ADMIN_GROUP] }],
  ]);
  return startTestServer({ authenticator: new UnionAuthenticator([tokens]), ...options });
}

/** A failure `Status` as kube-apiserver sends it. */
export function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** One cause of a 422: its reason, field and message. */
export type Cause = [reason: string, field: string, message: string];

/** The 422 kube-apiserver answers for an object of `kind` in `group`: every cause, and the message listing them as `field: message`. */
export function invalidStatus(group: string, kind: string, name: string, causes: Cause[]): Record<string, unknown> {
  const messages = causes.map(([, field, message]) => `${field}: ${message}`);
  return failure(422, 'Invalid', `${kind}.${group} "${name}" is invalid: ${messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`}`, {
    name,
    group,
    kind,
    causes: causes.map(([reason, field, message]) => ({ reason, message, field })),
  });
}

/** Asserts the response is exactly `status` (code, reason, message, details), as JSON. */
export function expectStatus(response: ApiResponse & { json(): any }, status: Record<string, unknown>): void {
  expect({ code: response.status, body: response.json() }).toEqual({ code: status['code'], body: status });
  expect(response.headers['content-type']).toBe('application/json');
}

/** Grants `bob` the `rules` in `cluster` through a ClusterRole and ClusterRoleBinding named `name` (RBAC reads them from its cache: callers wait with `eventually`). */
export async function grantBob(t: TestServer, cluster: string, name: string, rules: unknown[]): Promise<void> {
  const rbac = `/clusters/${cluster}/apis/rbac.authorization.k8s.io/v1`;
  await t.request('POST', `${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });
  await t.request('POST', `${rbac}/clusterrolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
  });
}

/** The store's revision: unchanged across a request means the request wrote nothing. */
export async function revisionOf(t: TestServer): Promise<number> {
  return t.store.currentRevision();
}

/**
 * The store's revision once the ValidatingAdmissionPolicy status controller
 * has observed every policy of the server: its status writes would move the
 * revision of a test that checks a refused write wrote nothing.
 */
export async function revisionAfterPolicyStatus(t: TestServer): Promise<number> {
  await eventually(async () => {
    const policies = (await t.request('GET', '/clusters/*/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies')).json();
    return (policies.items as Array<{ metadata: { generation?: number }; status?: { observedGeneration?: number } }>).every(
      (p) => p.status?.observedGeneration === p.metadata.generation,
    );
  }, 4_000);
  return revisionOf(t);
}

/** The lines of a watch response as parsed events, until `count` arrived, the stream ended or `timeoutMs` passed. */
export async function readWatch(response: ApiResponse, count: number, timeoutMs = 2_000): Promise<{ events: any[]; ended: boolean }> {
  if (!isStreamResponse(response)) throw new Error(`not a stream: ${JSON.stringify(response)}`);
  const iterator = response.stream[Symbol.asyncIterator]();
  const events: any[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { events, ended: false };
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remaining))),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') return { events, ended: false };
    if (next.done) return { events, ended: true };
    events.push(JSON.parse(next.value));
  }
  return { events, ended: false };
}

/** Whether the watch stream ends within `timeoutMs` without another line. */
export async function endsWithin(response: ApiResponse, timeoutMs: number): Promise<boolean> {
  const { events, ended } = await readWatch(response, 1, timeoutMs);
  if (events.length > 0) throw new Error(`unexpected event ${JSON.stringify(events[0])}`);
  return ended;
}

/** Releases a watch as the HTTP transport does when the client goes away. */
export async function closeWatch(response: ApiResponse): Promise<void> {
  if (!isStreamResponse(response)) return;
  await response.stream[Symbol.asyncIterator]().return?.();
}

/** A ConfigMap body. */
export const configMap = (name: string, data: Record<string, string> = { k: 'v' }, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...metadata },
  data,
});

/** Retries `check` until it returns true (RBAC follows its watch cache a moment after a write). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
