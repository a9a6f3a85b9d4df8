import type { ClusterName } from '@kcp-ts/logicalcluster';
import { PathEscapeError, unescapePath } from '../request/request-info';

/** The authenticated user of a request (`user.Info`). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What is being asked: the authorizer input (`authorizer.Attributes`). */
export type AuthorizationAttributes = ResourceAttributes | NonResourceAttributes;

interface CommonAttributes {
  readonly user: UserInfo;
  readonly verb: string;
  /** the logical cluster the request addresses; `*` for wildcard requests */
  readonly cluster: ClusterName | '*';
}

export interface ResourceAttributes extends CommonAttributes {
  readonly isResourceRequest: true;
  readonly apiGroup: string;
  readonly apiVersion?: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface NonResourceAttributes extends CommonAttributes {
  readonly isResourceRequest: false;
  readonly path: string;
}

export type DecisionKind = 'allow' | 'deny' | 'noOpinion';

export interface Decision {
  readonly decision: DecisionKind;
  /** why: shown in SubjectAccessReview status and in 403 messages */
  readonly reason: string;
}

/** One step of the authorizer chain. */
export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Decision | Promise<Decision>;
}

export const ALLOW = (reason = ''): Decision => ({ decision: 'allow', reason });
export const DENY = (reason = ''): Decision => ({ decision: 'deny', reason });
export const NO_OPINION = (reason = ''): Decision => ({ decision: 'noOpinion', reason });

/** Well-known users and groups. */
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const KCP_ADMIN_GROUP = 'system:kcp:admin';

/**
 * The extra-info key a header name carries after its prefix
 * (`Impersonate-Extra-`, `X-Remote-Extra-`), as upstream's
 * `unescapeExtraKey`: lower-cased, then percent-decoded; kept as it is when
 * an escape is malformed ("always record extra strings").
 */
export function unescapeExtraKey(encoded: string): string {
  const key = encoded.toLowerCase();
  try {
    return unescapePath(key);
  } catch (err) {
    if (err instanceof PathEscapeError) return key;
    throw err;
  }
}
