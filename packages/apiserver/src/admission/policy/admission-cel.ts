import { isDNS1123Label, isDNS1123Subdomain } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Environment } from '@marcbachmann/cel-js';
import type { AuthorizationAttributes, Decision, UserInfo } from '../../auth/types';

/*
 * The CEL declarations of admission expressions (k8s.io/apiserver's
 * admission/plugin/cel and cel/library/authz.go): the `request` type, the
 * Namespace type of `namespaceObject`, and the authorization library behind
 * `authorizer`. Webhook matchConditions and ValidatingAdmissionPolicies share
 * them. The authorization library's values are the classes below, so one
 * declaration serves both compiling and evaluating.
 */

const GVK = 'kubernetes.GroupVersionKind';
const GVR = 'kubernetes.GroupVersionResource';
const USER_INFO = 'kubernetes.UserInfo';
/** The CEL type of `request`. */
export const REQUEST_TYPE = 'kubernetes.AdmissionRequest';
/** The CEL type of `namespaceObject`. */
export const NAMESPACE_TYPE = 'kubernetes.Namespace';
const AUTHORIZER = 'kubernetes.authorization.Authorizer';
const PATH_CHECK = 'kubernetes.authorization.PathCheck';
const GROUP_CHECK = 'kubernetes.authorization.GroupCheck';
const RESOURCE_CHECK = 'kubernetes.authorization.ResourceCheck';
const DECISION = 'kubernetes.authorization.Decision';
const TIMESTAMP = 'google.protobuf.Timestamp';

/** How the authorization library asks the server's authorizer chain. */
export type CelAuthorize = (attributes: AuthorizationAttributes) => Decision | Promise<Decision>;

/** The value of `authorizer` (and of `authorizer.serviceAccount(…)`): who asks, where. */
export class CelAuthorizer {
  readonly requestResource: CelResourceCheck;
  constructor(
    readonly authorize: CelAuthorize,
    readonly user: UserInfo,
    readonly cluster: ClusterName,
    request: {
      group: string;
      resource: string;
      subresource: string;
      namespace: string;
      name: string;
    },
  ) {
    this.requestResource = new CelResourceCheck(this, request.group, request.resource, request.subresource, request.namespace, request.name);
  }
}

/** `authorizer.path(p)`. */
export class CelPathCheck {
  constructor(readonly authorizer: CelAuthorizer, readonly path: string) {}
}

/** `authorizer.group(g)`. */
export class CelGroupCheck {
  constructor(readonly authorizer: CelAuthorizer, readonly group: string) {}
}

/** `authorizer.group(g).resource(r)…`: immutable, every step returns a copy. */
export class CelResourceCheck {
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly group: string,
    readonly resource: string,
    readonly subresource: string,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** A copy with `change` applied. */
  with(change: Partial<Pick<CelResourceCheck, 'subresource' | 'namespace' | 'name'>>): CelResourceCheck {
    return new CelResourceCheck(
      this.authorizer,
      this.group,
      this.resource,
      change.subresource ?? this.subresource,
      change.namespace ?? this.namespace,
      change.name ?? this.name,
    );
  }
}

/** The result of `check(verb)`. */
export class CelDecision {
  constructor(readonly decision: Decision['decision'], readonly reason: string, readonly error: string) {}
}

/** `serviceaccount.UserInfo`: the user a service account authenticates as (without `system:authenticated`, as upstream's library). */
function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
  };
}

/** An error of the authorization library, worded as upstream's (kept as is in evaluation errors). */
export class AuthzLibraryError extends Error {
  override readonly name = 'AuthzLibraryError';
}

/** The decision of the server's authorizers; without a promise when they answer without one. */
function decide(authorizer: CelAuthorizer, attributes: AuthorizationAttributes): CelDecision | Promise<CelDecision> {
  const failed = (err: unknown) => new CelDecision('noOpinion', '', err instanceof Error ? err.message : String(err));
  let deciding: Decision | Promise<Decision>;
  try {
    deciding = authorizer.authorize(attributes);
  } catch (err) {
    return failed(err);
  }
  if (deciding instanceof Promise) return deciding.then((d) => new CelDecision(d.decision, d.reason, ''), failed);
  return new CelDecision(deciding.decision, deciding.reason, '');
}

/** What a declaration adds besides the types. */
export interface AdmissionCelDeclarations {
  /** declare `authorizer` (messageExpressions have none) */
  readonly authorizer: boolean;
  /** declare `params` (only when the policy has a paramKind) */
  readonly params: boolean;
  /** declare `object`, `request`, … typed; false: every variable `dyn` but `authorizer` (evaluation of checked expressions) */
  readonly typed: boolean;
}

/**
 * Declares the admission CEL variables on `env` (a fresh clone of the base
 * environment): `object`, `oldObject` (dyn), `request`, `namespaceObject`,
 * `authorizer` (with `requestResource`) and, when asked, `params` (dyn).
 */
export function declareAdmissionCel(env: Environment, declarations: AdmissionCelDeclarations): Environment {
  env.registerType(GVK, {
    fields: { group: 'string', version: 'string', kind: 'string' },
  });
  env.registerType(GVR, {
    fields: { group: 'string', version: 'string', resource: 'string' },
  });
  env.registerType(USER_INFO, {
    fields: {
      username: 'string',
      uid: 'string',
      groups: 'list<string>',
      extra: 'map<string, list<string>>',
    },
  });
  env.registerType(REQUEST_TYPE, {
    fields: {
      kind: GVK,
      resource: GVR,
      subResource: 'string',
      requestKind: GVK,
      requestResource: GVR,
      requestSubResource: 'string',
      name: 'string',
      namespace: 'string',
      operation: 'string',
      userInfo: USER_INFO,
      dryRun: 'bool',
      options: 'dyn',
    },
  });
  env.registerType('kubernetes.NamespaceSpec', {
    fields: { finalizers: 'list<string>' },
  });
  env.registerType('kubernetes.NamespaceCondition', {
    fields: {
      status: 'string',
      type: 'string',
      lastTransitionTime: TIMESTAMP,
      message: 'string',
      reason: 'string',
    },
  });
  env.registerType('kubernetes.NamespaceStatus', {
    fields: {
      conditions: 'list<kubernetes.NamespaceCondition>',
      phase: 'string',
    },
  });
  env.registerType('kubernetes.NamespaceMetadata', {
    fields: {
      name: 'string',
      generateName: 'string',
      namespace: 'string',
      labels: 'map<string, string>',
      annotations: 'map<string, string>',
      UID: 'string',
      creationTimestamp: TIMESTAMP,
      deletionGracePeriodSeconds: 'int',
      deletionTimestamp: TIMESTAMP,
      generation: 'int',
      resourceVersion: 'string',
      finalizers: 'list<string>',
    },
  });
  env.registerType(NAMESPACE_TYPE, {
    fields: {
      metadata: 'kubernetes.NamespaceMetadata',
      spec: 'kubernetes.NamespaceSpec',
      status: 'kubernetes.NamespaceStatus',
    },
  });
  // the authorization library (k8s.io/apiserver/pkg/cel/library/authz.go, with the 1.32 selectors);
  // cel-go declares `authorizer.requestResource` as a variable of its own, a field says the same here
  env.registerType(DECISION, { ctor: CelDecision, fields: {} });
  env.registerType(PATH_CHECK, { ctor: CelPathCheck, fields: {} });
  env.registerType(RESOURCE_CHECK, { ctor: CelResourceCheck, fields: {} });
  env.registerType(GROUP_CHECK, { ctor: CelGroupCheck, fields: {} });
  env.registerType(AUTHORIZER, {
    ctor: CelAuthorizer,
    fields: { requestResource: RESOURCE_CHECK },
  });
  const functions: Record<string, (...args: never[]) => unknown> = {
    [`${AUTHORIZER}.path(string): ${PATH_CHECK}`]: (a: CelAuthorizer, path: string) => {
      if (path.trim() === '') throw new AuthzLibraryError('path must not be empty');
      return new CelPathCheck(a, path);
    },
    [`${AUTHORIZER}.group(string): ${GROUP_CHECK}`]: (a: CelAuthorizer, group: string) => new CelGroupCheck(a, group),
    [`${AUTHORIZER}.serviceAccount(string, string): ${AUTHORIZER}`]: (a: CelAuthorizer, namespace: string, name: string) => {
      if (isDNS1123Subdomain(name).length > 0) throw new AuthzLibraryError('Invalid service account name');
      if (isDNS1123Label(namespace).length > 0) throw new AuthzLibraryError('Invalid service account namespace');
      return new CelAuthorizer(a.authorize, serviceAccountUser(namespace, name), a.cluster, a.requestResource);
    },
    [`${GROUP_CHECK}.resource(string): ${RESOURCE_CHECK}`]: (g: CelGroupCheck, resource: string) => {
      if (resource.trim() === '') throw new AuthzLibraryError('resource must not be empty');
      return new CelResourceCheck(g.authorizer, g.group, resource, '', '', '');
    },
    [`${RESOURCE_CHECK}.subresource(string): ${RESOURCE_CHECK}`]: (r: CelResourceCheck, subresource: string) => r.with({ subresource }),
    [`${RESOURCE_CHECK}.namespace(string): ${RESOURCE_CHECK}`]: (r: CelResourceCheck, namespace: string) => r.with({ namespace }),
    [`${RESOURCE_CHECK}.name(string): ${RESOURCE_CHECK}`]: (r: CelResourceCheck, name: string) => r.with({ name }),
    // the authorizers here take no selectors: a check with one asks without it
    [`${RESOURCE_CHECK}.fieldSelector(string): ${RESOURCE_CHECK}`]: (r: CelResourceCheck) => r,
    [`${RESOURCE_CHECK}.labelSelector(string): ${RESOURCE_CHECK}`]: (r: CelResourceCheck) => r,
    [`${PATH_CHECK}.check(string): ${DECISION}`]: (p: CelPathCheck, verb: string) =>
      decide(p.authorizer, {
        isResourceRequest: false,
        user: p.authorizer.user,
        cluster: p.authorizer.cluster,
        verb,
        path: p.path,
      }),
    [`${RESOURCE_CHECK}.check(string): ${DECISION}`]: (r: CelResourceCheck, verb: string) =>
      decide(r.authorizer, {
        isResourceRequest: true,
        user: r.authorizer.user,
        cluster: r.authorizer.cluster,
        verb,
        apiGroup: r.group,
        apiVersion: '*',
        resource: r.resource,
        subresource: r.subresource,
        namespace: r.namespace,
        name: r.name,
      }),
    [`${DECISION}.allowed(): bool`]: (d: CelDecision) => d.decision === 'allow',
    [`${DECISION}.reason(): string`]: (d: CelDecision) => d.reason,
    [`${DECISION}.errored(): bool`]: (d: CelDecision) => d.error !== '',
    [`${DECISION}.error(): string`]: (d: CelDecision) => d.error,
  };
  for (const [signature, handler] of Object.entries(functions)) env.registerFunction(signature, handler);
  const typed = declarations.typed;
  env.registerVariable('object', 'dyn');
  env.registerVariable('oldObject', 'dyn');
  env.registerVariable('request', typed ? REQUEST_TYPE : 'dyn');
  env.registerVariable('namespaceObject', typed ? NAMESPACE_TYPE : 'dyn');
  if (declarations.authorizer) env.registerVariable('authorizer', AUTHORIZER);
  if (declarations.params) env.registerVariable('params', 'dyn');
  return env;
}
