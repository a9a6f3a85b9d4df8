import type { Environment, TypeCheckResult } from '@marcbachmann/cel-js';
import { baseEnvironment } from '../crd/cel/cel-environment';

/*
 * The CEL environment of admission webhook `matchConditions`, as
 * k8s.io/apiserver's admission/plugin/cel declares it for webhooks: `object`
 * and `oldObject` (dyn), `request` (the AdmissionRequest without uid and
 * objects), `namespaceObject`, and `authorizer` with
 * `authorizer.requestResource` and the authorization library's checks. No
 * `params` (webhooks have none). The functions are the shared base
 * environment's (see crd/cel): declarations only, nothing here evaluates.
 */

const GVK = 'kubernetes.GroupVersionKind';
const GVR = 'kubernetes.GroupVersionResource';
const USER_INFO = 'kubernetes.UserInfo';
const REQUEST = 'kubernetes.AdmissionRequest';
const NAMESPACE = 'kubernetes.Namespace';
const AUTHORIZER = 'kubernetes.authorization.Authorizer';
const PATH_CHECK = 'kubernetes.authorization.PathCheck';
const GROUP_CHECK = 'kubernetes.authorization.GroupCheck';
const RESOURCE_CHECK = 'kubernetes.authorization.ResourceCheck';
const DECISION = 'kubernetes.authorization.Decision';
const TIMESTAMP = 'google.protobuf.Timestamp';

const unreachable = (): never => {
  throw new Error('match conditions are compiled, not evaluated');
};

function declare(env: Environment): Environment {
  env.registerType(GVK, { fields: { group: 'string', version: 'string', kind: 'string' } });
  env.registerType(GVR, { fields: { group: 'string', version: 'string', resource: 'string' } });
  env.registerType(USER_INFO, { fields: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' } });
  env.registerType(REQUEST, {
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
  env.registerType('kubernetes.NamespaceSpec', { fields: { finalizers: 'list<string>' } });
  env.registerType('kubernetes.NamespaceCondition', { fields: { status: 'string', type: 'string', lastTransitionTime: TIMESTAMP, message: 'string', reason: 'string' } });
  env.registerType('kubernetes.NamespaceStatus', { fields: { conditions: 'list<kubernetes.NamespaceCondition>', phase: 'string' } });
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
  env.registerType(NAMESPACE, { fields: { metadata: 'kubernetes.NamespaceMetadata', spec: 'kubernetes.NamespaceSpec', status: 'kubernetes.NamespaceStatus' } });
  // the authorization library (k8s.io/apiserver/pkg/cel/library/authz.go, with the 1.32 selectors);
  // cel-go declares `authorizer.requestResource` as a variable of its own, a field says the same here
  env.registerType(DECISION, { fields: {} });
  env.registerType(PATH_CHECK, { fields: {} });
  env.registerType(RESOURCE_CHECK, { fields: {} });
  env.registerType(GROUP_CHECK, { fields: {} });
  env.registerType(AUTHORIZER, { fields: { requestResource: RESOURCE_CHECK } });
  for (const signature of [
    `${AUTHORIZER}.path(string): ${PATH_CHECK}`,
    `${AUTHORIZER}.group(string): ${GROUP_CHECK}`,
    `${AUTHORIZER}.serviceAccount(string, string): ${AUTHORIZER}`,
    `${GROUP_CHECK}.resource(string): ${RESOURCE_CHECK}`,
    `${RESOURCE_CHECK}.subresource(string): ${RESOURCE_CHECK}`,
    `${RESOURCE_CHECK}.namespace(string): ${RESOURCE_CHECK}`,
    `${RESOURCE_CHECK}.name(string): ${RESOURCE_CHECK}`,
    `${RESOURCE_CHECK}.fieldSelector(string): ${RESOURCE_CHECK}`,
    `${RESOURCE_CHECK}.labelSelector(string): ${RESOURCE_CHECK}`,
    `${PATH_CHECK}.check(string): ${DECISION}`,
    `${RESOURCE_CHECK}.check(string): ${DECISION}`,
    `${DECISION}.allowed(): bool`,
    `${DECISION}.denied(): bool`,
    `${DECISION}.reason(): string`,
    `${DECISION}.errored(): bool`,
    `${DECISION}.error(): string`,
  ]) {
    env.registerFunction(signature, unreachable);
  }
  env.registerVariable('object', 'dyn');
  env.registerVariable('oldObject', 'dyn');
  env.registerVariable('request', REQUEST);
  env.registerVariable('namespaceObject', NAMESPACE);
  env.registerVariable('authorizer', AUTHORIZER);
  return env;
}

let environment: Environment | undefined;

/** cel-go's spelling of a type (`map(string, int)`, `null_type`) from cel-js's (`map<string, int>`, `null`). */
function celGoTypeName(type: string): string {
  return type === 'null' ? 'null_type' : type.replaceAll('<', '(').replaceAll('>', ')');
}

/**
 * Compiles a match condition's (trimmed) expression as kube-apiserver does
 * when it validates a webhook configuration; returns the error detail of the
 * `Invalid value` (`compilation failed: ERROR: <input>: …`,
 * `must evaluate to bool but got dyn`), `undefined` when it compiles to a
 * bool. The compiler's own words follow `ERROR: <input>:` where cel-go would
 * give a position and its wording.
 */
export function matchConditionCompileError(expression: string): string | undefined {
  environment ??= declare(baseEnvironment().clone());
  let checked: TypeCheckResult | { valid: false; error: unknown };
  try {
    checked = environment.check(expression);
  } catch (err) {
    checked = { valid: false, error: err };
  }
  if (!checked.valid) {
    const reason = (checked.error instanceof Error ? checked.error.message : String(checked.error)).split('\n')[0]!.trim();
    return `compilation failed: ERROR: <input>: ${reason}`;
  }
  const type = checked.type ?? 'dyn';
  return type === 'bool' ? undefined : `must evaluate to bool but got ${celGoTypeName(type)}`;
}
