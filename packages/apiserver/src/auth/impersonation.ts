import { newInternalError } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { parseServiceAccountUsername } from './service-account-tokens';
import { ANONYMOUS_USER, type Decision, type ResourceAttributes, SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED, type UserInfo, unescapeExtraKey } from './types';

const USER_HEADER = 'impersonate-user';
const UID_HEADER = 'impersonate-uid';
const GROUP_HEADER = 'impersonate-group';
const EXTRA_PREFIX = 'impersonate-extra-';

/** Raised when the requester may not act as someone (403 with upstream's message). */
export class ImpersonationForbidden extends Error {
  constructor(
    readonly attributes: ResourceAttributes,
    readonly reason: string,
  ) {
    super(`impersonation forbidden: ${reason}`);
  }
}

/**
 * `kubectl --as`, `--as-group`, `--as-uid`: kube-apiserver's impersonation
 * filter. With `Impersonate-*` headers the request acts as the named user,
 * once the requester is allowed the `impersonate` verb on each part of that
 * identity in the request's logical cluster: `users` (or `serviceaccounts` in
 * the account's namespace), `groups`, `uids` and `userextras/<key>`. Without
 * such headers, `undefined`.
 */
export async function impersonatedUser(
  requester: UserInfo,
  cluster: ClusterName | '*',
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  authorize: (attributes: ResourceAttributes) => Decision | Promise<Decision>,
): Promise<UserInfo | undefined> {
  const username = values(headers[USER_HEADER])[0] || undefined;
  const uid = values(headers[UID_HEADER])[0] || undefined;
  const groups = values(headers[GROUP_HEADER]).flatMap((v) => v.split(',').map((g) => g.trim())).filter((g) => g !== '');
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(EXTRA_PREFIX)) continue;
    const key = unescapeExtraKey(name.slice(EXTRA_PREFIX.length));
    (extra[key] ??= []).push(...values(value).flatMap((v) => v.split(',').map((s) => s.trim())).filter((s) => s !== ''));
  }
  if (username === undefined) {
    if (groups.length > 0 || uid !== undefined || Object.keys(extra).length > 0) {
      throw newInternalError('requested impersonation of groups, a uid or extra user information without impersonating a user');
    }
    return undefined;
  }

  const check = async (attributes: Omit<ResourceAttributes, 'isResourceRequest' | 'user' | 'verb' | 'cluster' | 'subresource'> & { subresource?: string }) => {
    const full: ResourceAttributes = { isResourceRequest: true, user: requester, verb: 'impersonate', cluster, subresource: '', ...attributes };
    const decision = await authorize(full);
    if (decision.decision !== 'allow') throw new ImpersonationForbidden(full, decision.reason);
  };
  const account = parseServiceAccountUsername(username);
  const impersonatedGroups = [...groups];
  if (account) {
    await check({ apiGroup: '', resource: 'serviceaccounts', namespace: account.namespace, name: account.name });
    // a service account's groups are known: they come with it unless groups are given
    if (groups.length === 0) impersonatedGroups.push('system:serviceaccounts', `system:serviceaccounts:${account.namespace}`);
  } else {
    await check({ apiGroup: '', resource: 'users', namespace: '', name: username });
  }
  for (const group of groups) await check({ apiGroup: '', resource: 'groups', namespace: '', name: group });
  if (uid !== undefined) await check({ apiGroup: 'authentication.k8s.io', resource: 'uids', namespace: '', name: uid });
  for (const [key, extraValues] of Object.entries(extra)) {
    for (const value of extraValues) await check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, namespace: '', name: value });
  }
  // the impersonated user is authenticated unless a group says otherwise; system:anonymous is not
  if (username === ANONYMOUS_USER) {
    if (!impersonatedGroups.includes(SYSTEM_UNAUTHENTICATED)) impersonatedGroups.push(SYSTEM_UNAUTHENTICATED);
  } else if (!impersonatedGroups.includes(SYSTEM_AUTHENTICATED) && !impersonatedGroups.includes(SYSTEM_UNAUTHENTICATED)) {
    impersonatedGroups.push(SYSTEM_AUTHENTICATED);
  }
  return {
    username,
    ...(uid !== undefined ? { uid } : {}),
    groups: impersonatedGroups,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** Whether a request carries any `Impersonate-*` header (checked on every request, so without allocating). */
export function hasImpersonationHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): boolean {
  for (const name in headers) if (name.startsWith('impersonate-')) return true;
  return false;
}

function values(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}
