import { fieldInvalid, fieldPath, fieldRequired, newBadRequest, newInvalid } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { AuthenticationRequest, AuthenticationResult } from '../auth/authentication';
import type { PolicyRule } from '../auth/rbac';
import type { AuthorizationAttributes, Decision, UserInfo } from '../auth/types';
import type { Obj, OperationContext, ResourceDefinition } from '../registry/types';
import { defineBuiltin } from './define';
import { type Json, obj, str } from '../registry/json';

/** What access reviews need from the server: its full authorizer chain and authenticator. */
export interface AccessReviewer {
  authorize(attributes: AuthorizationAttributes): Promise<Decision>;
  /** The rules a user holds in a namespace of a cluster (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, cluster: ClusterName, namespace: string): PolicyRule[];
  authenticate(request: AuthenticationRequest): AuthenticationResult;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const virtual = { statusSubresource: false, tracksGeneration: false } as const;

function attributesFromSpec(kind: string, spec: Json, user: UserInfo, cluster: ClusterName): AuthorizationAttributes {
  const resource = spec['resourceAttributes'] as Json | undefined;
  const nonResource = spec['nonResourceAttributes'] as Json | undefined;
  if (resource && nonResource) {
    throw newInvalid({ group: 'authorization.k8s.io', kind }, '', [
      fieldInvalid(fieldPath('spec', 'nonResourceAttributes'), nonResource, 'cannot be specified in combination with resourceAttributes'),
    ]);
  }
  if (resource) {
    return {
      isResourceRequest: true,
      user,
      cluster,
      verb: str(resource['verb']),
      apiGroup: str(resource['group']),
      apiVersion: str(resource['version']),
      resource: str(resource['resource']),
      subresource: str(resource['subresource']),
      namespace: str(resource['namespace']),
      name: str(resource['name']),
    };
  }
  if (nonResource) return { isResourceRequest: false, user, cluster, verb: str(nonResource['verb']), path: str(nonResource['path']) };
  throw newInvalid({ group: 'authorization.k8s.io', kind }, '', [
    fieldInvalid(fieldPath('spec', 'resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'),
  ]);
}

function reviewStatus(decision: Decision): Json {
  return {
    allowed: decision.decision === 'allow',
    ...(decision.decision === 'deny' ? { denied: true } : {}),
    ...(decision.reason ? { reason: decision.reason } : {}),
  };
}

function rulesStatus(rules: PolicyRule[]): Json {
  const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({
    verbs: r.verbs,
    ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
    ...(r.resources ? { resources: r.resources } : {}),
    ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
  }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete: false };
}

function userFromSpec(spec: Json): UserInfo {
  const extra = obj(spec['extra']);
  return {
    username: str(spec['user']),
    ...(str(spec['uid']) ? { uid: str(spec['uid']) } : {}),
    groups: strings(spec['groups']),
    ...(Object.keys(extra).length > 0 ? { extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, strings(v)])) } : {}),
  };
}

function userInfoJson(user: UserInfo): Json {
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
    ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
  };
}

function withStatus(object: Obj, status: Json): Obj {
  return { ...object, metadata: { ...object.metadata, creationTimestamp: null } as Obj['metadata'], status };
}

/** The review kinds: evaluated against the live authorizer, never stored. */
export function reviewResources(reviewer: AccessReviewer): ResourceDefinition[] {
  const review = (group: string, resource: string, kind: string, namespaced: boolean, create: (object: Obj, context: OperationContext) => Promise<Obj> | Obj) =>
    defineBuiltin({
      group,
      version: 'v1',
      resource,
      kind,
      singular: kind.toLowerCase(),
      namespaced,
      verbs: ['create'],
      strategy: virtual,
      storage: false,
      virtualCreate: create,
    });

  return [
    review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, async (object, context) => {
      const spec = obj(object['spec']);
      const decision = await reviewer.authorize(attributesFromSpec('SelfSubjectAccessReview', spec, context.user, context.cluster));
      return withStatus(object, reviewStatus(decision));
    }),
    review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', false, async (object, context) => {
      const spec = obj(object['spec']);
      if (!str(spec['user']) && strings(spec['groups']).length === 0) {
        throw newInvalid({ group: 'authorization.k8s.io', kind: 'SubjectAccessReview' }, '', [
          fieldRequired(fieldPath('spec', 'user'), 'at least one of user or group must be specified'),
        ]);
      }
      const decision = await reviewer.authorize(attributesFromSpec('SubjectAccessReview', spec, userFromSpec(spec), context.cluster));
      return withStatus(object, reviewStatus(decision));
    }),
    review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true, async (object, context) => {
      const spec = obj(object['spec']);
      const resource = obj(spec['resourceAttributes']);
      if (str(resource['namespace']) !== context.namespace) {
        throw newBadRequest(`spec.resourceAttributes.namespace must match namespace: ${context.namespace}`);
      }
      const decision = await reviewer.authorize(attributesFromSpec('LocalSubjectAccessReview', spec, userFromSpec(spec), context.cluster));
      return withStatus(object, reviewStatus(decision));
    }),
    review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, (object, context) => {
      const namespace = str(obj(object['spec'])['namespace']);
      return withStatus(object, rulesStatus(reviewer.rulesFor(context.user, context.cluster, namespace)));
    }),
    review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', false, (object, context) =>
      withStatus(object, { userInfo: userInfoJson(context.user) }),
    ),
    review('authentication.k8s.io', 'tokenreviews', 'TokenReview', false, (object) => {
      const spec = obj(object['spec']);
      const token = str(spec['token']);
      if (token === '') {
        throw newInvalid({ group: 'authentication.k8s.io', kind: 'TokenReview' }, '', [fieldRequired(fieldPath('spec', 'token'))]);
      }
      const result = reviewer.authenticate({ headers: { authorization: `Bearer ${token}` } });
      const status: Json =
        result.outcome === 'authenticated'
          ? { authenticated: true, user: userInfoJson(result.user), audiences: strings(spec['audiences']) }
          : { authenticated: false, ...(result.outcome === 'invalid' ? { error: result.reason } : {}) };
      return withStatus(object, status);
    }),
  ];
}
