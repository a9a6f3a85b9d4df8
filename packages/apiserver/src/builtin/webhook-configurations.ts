import {
  type FieldError,
  type FieldPath,
  fieldDuplicate,
  fieldInvalid,
  fieldNotSupported,
  fieldPath,
  fieldRequired,
  fieldTooMany,
  isDNS1035Label,
  isDNS1123Subdomain,
  jsonEqual,
} from '@kcp-ts/apimachinery';
import { type LabelSelector, isQualifiedName, validateLabelSelector } from '@kcp-ts/topology';
import type { Obj, Strategy } from '../registry/types';
import { parseGoURL } from './go-url';
import { matchConditionCompileError } from './match-condition-cel';
import { type Json, obj } from '../registry/json';

/*
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and
 * ValidatingWebhookConfiguration as kube-apiserver 1.32 treats them: the
 * defaults of k8s.io/api's SetDefaults_* and the validation of
 * pkg/apis/admissionregistration/validation, with its leniency on update for
 * what the stored object already got wrong.
 */

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objects = (v: unknown): Json[] => list(v).map(obj);
const strings = (v: unknown): string[] => list(v).map((s) => (typeof s === 'string' ? s : ''));
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

// upstream's sets, listed sorted as `sets.String.List()` gives them in messages
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const NO_SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun'];
const SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
/** The AdmissionReview versions this server (and the one before it) understands. */
const ACCEPTED_ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const MAX_MATCH_CONDITIONS = 64;
const URL_FORM = '; desired format: https://host[/path]';

// --- defaults ---------------------------------------------------------------

/**
 * Upstream's `SetObjectDefaults_{Mutating,Validating}WebhookConfiguration`:
 * per webhook `failurePolicy: Fail`, `matchPolicy: Equivalent`, empty
 * namespace and object selectors, `timeoutSeconds: 10` (mutating also
 * `reinvocationPolicy: Never`), per rule `scope: "*"`, and port 443 for a
 * service. Fields that are set, even to something invalid, are kept.
 */
export function defaultWebhookConfiguration(object: Obj, mutating: boolean): void {
  for (const hook of list(object['webhooks'])) {
    if (typeof hook !== 'object' || hook === null || Array.isArray(hook)) continue;
    const webhook = hook as Json;
    webhook['failurePolicy'] ??= 'Fail';
    webhook['matchPolicy'] ??= 'Equivalent';
    webhook['namespaceSelector'] ??= {};
    webhook['objectSelector'] ??= {};
    webhook['timeoutSeconds'] ??= 10;
    if (mutating) webhook['reinvocationPolicy'] ??= 'Never';
    for (const rule of list(webhook['rules'])) {
      if (typeof rule === 'object' && rule !== null && !Array.isArray(rule)) (rule as Json)['scope'] ??= '*';
    }
    const service = obj(webhook['clientConfig'])['service'];
    if (typeof service === 'object' && service !== null && !Array.isArray(service)) (service as Json)['port'] ??= 443;
  }
}

// --- validation -------------------------------------------------------------

/** Upstream's `validationOptions`: what create requires, and what update relaxes for an old object that lacked it. */
interface ValidationOptions {
  readonly requireNoSideEffects: boolean;
  readonly requireRecognizedAdmissionReviewVersion: boolean;
  readonly requireUniqueWebhookNames: boolean;
  readonly allowInvalidLabelValueInSelector: boolean;
  /** no webhook's matchConditions changed: they are not validated again */
  readonly ignoreMatchConditions: boolean;
}

const CREATE_OPTIONS: ValidationOptions = {
  requireNoSideEffects: true,
  requireRecognizedAdmissionReviewVersion: true,
  requireUniqueWebhookNames: true,
  allowInvalidLabelValueInSelector: false,
  ignoreMatchConditions: false,
};

/** `ValidateMutatingWebhookConfiguration` / `ValidateValidatingWebhookConfiguration` (metadata is the server's). */
export function validateWebhookConfiguration(object: Obj, mutating: boolean, options: ValidationOptions = CREATE_OPTIONS): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, hook] of objects(object['webhooks']).entries()) {
    const path = fieldPath('webhooks').index(i);
    errors.push(...validateWebhook(hook, mutating, options, path));
    errors.push(...validateAdmissionReviewVersions(hook['admissionReviewVersions'], options.requireRecognizedAdmissionReviewVersion, path.child('admissionReviewVersions')));
    const name = typeof hook['name'] === 'string' ? hook['name'] : '';
    if (options.requireUniqueWebhookNames && name !== '') {
      if (names.has(name)) errors.push(fieldDuplicate(path.child('name'), name));
      else names.add(name);
    }
  }
  return errors;
}

/**
 * The update variant: the same rules, except those the old object already
 * broke (side effects other than None/NoneOnDryRun, no recognized
 * AdmissionReview version, duplicate names, invalid label values in
 * selectors), and matchConditions are not checked again while no webhook's
 * conditions change.
 */
export function validateWebhookConfigurationUpdate(object: Obj, old: Obj, mutating: boolean): FieldError[] {
  const hooks = objects(object['webhooks']);
  const oldHooks = objects(old['webhooks']);
  const oldNames = oldHooks.map((h) => h['name']);
  return validateWebhookConfiguration(object, mutating, {
    requireNoSideEffects: oldHooks.every((h) => typeof h['sideEffects'] === 'string' && NO_SIDE_EFFECT_CLASSES.includes(h['sideEffects'])),
    requireRecognizedAdmissionReviewVersion: oldHooks.every((h) => {
      const versions = strings(h['admissionReviewVersions']);
      return versions.length === 0 || versions.some((v) => ACCEPTED_ADMISSION_REVIEW_VERSIONS.includes(v));
    }),
    requireUniqueWebhookNames: new Set(oldNames).size === oldNames.length,
    allowInvalidLabelValueInSelector: oldHooks.some((h) =>
      ['namespaceSelector', 'objectSelector'].some((f) => isSet(h[f]) && validateLabelSelector(h[f] as LabelSelector, f).length > 0),
    ),
    ignoreMatchConditions: hooks.length === oldHooks.length && hooks.every((h, i) => jsonEqual(h['matchConditions'] ?? [], oldHooks[i]!['matchConditions'] ?? [])),
  });
}

/** `validateMutatingWebhook` / `validateValidatingWebhook`, in upstream's order. */
function validateWebhook(hook: Json, mutating: boolean, options: ValidationOptions, path: FieldPath): FieldError[] {
  const errors = validateFullyQualifiedName(typeof hook['name'] === 'string' ? hook['name'] : '', path.child('name'));
  for (const [i, rule] of objects(hook['rules']).entries()) errors.push(...validateRuleWithOperations(rule, path.child('rules').index(i)));
  const failurePolicy = hook['failurePolicy'];
  if (isSet(failurePolicy) && !FAILURE_POLICIES.includes(failurePolicy as string)) {
    errors.push(fieldNotSupported(path.child('failurePolicy'), failurePolicy, FAILURE_POLICIES));
  }
  const matchPolicy = hook['matchPolicy'];
  if (isSet(matchPolicy) && !MATCH_POLICIES.includes(matchPolicy as string)) errors.push(fieldNotSupported(path.child('matchPolicy'), matchPolicy, MATCH_POLICIES));
  const allowedSideEffects = options.requireNoSideEffects ? NO_SIDE_EFFECT_CLASSES : SIDE_EFFECT_CLASSES;
  const sideEffects = hook['sideEffects'];
  if (!isSet(sideEffects)) errors.push(fieldRequired(path.child('sideEffects'), `must specify one of ${allowedSideEffects.join(', ')}`));
  else if (!allowedSideEffects.includes(sideEffects as string)) errors.push(fieldNotSupported(path.child('sideEffects'), sideEffects, allowedSideEffects));
  const timeout = hook['timeoutSeconds'];
  if (typeof timeout === 'number' && (timeout > 30 || timeout < 1)) {
    errors.push(fieldInvalid(path.child('timeoutSeconds'), timeout, 'the timeout value must be between 1 and 30 seconds'));
  }
  for (const field of ['namespaceSelector', 'objectSelector']) {
    if (!isSet(hook[field])) continue;
    errors.push(...validateLabelSelector(hook[field] as LabelSelector, String(path.child(field)), { allowInvalidLabelValueInSelector: options.allowInvalidLabelValueInSelector }));
  }
  const reinvocationPolicy = hook['reinvocationPolicy'];
  if (mutating && isSet(reinvocationPolicy) && !REINVOCATION_POLICIES.includes(reinvocationPolicy as string)) {
    errors.push(fieldNotSupported(path.child('reinvocationPolicy'), reinvocationPolicy, REINVOCATION_POLICIES));
  }
  errors.push(...validateClientConfig(obj(hook['clientConfig']), path.child('clientConfig')));
  if (!options.ignoreMatchConditions) errors.push(...validateMatchConditions(hook['matchConditions'], path.child('matchConditions'), webhookMatchConditionErrors));
  return errors;
}

/** `utilvalidation.IsFullyQualifiedName`: a DNS subdomain of at least three segments; one error at most. */
function validateFullyQualifiedName(name: string, path: FieldPath): FieldError[] {
  if (name === '') return [fieldRequired(path)];
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0) return [fieldInvalid(path, name, problems.join(','))];
  if (name.split('.').length < 3) return [fieldInvalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

/** Upstream's `validateRuleWithOperations` with subresources allowed: operations, groups, versions, resources and scope of one rule (shared with the admission policies). */
export function validateRuleWithOperations(rule: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const operations = strings(rule['operations']);
  if (operations.length === 0) errors.push(fieldRequired(path.child('operations')));
  if (operations.length > 1 && operations.includes('*')) {
    errors.push(fieldInvalid(path.child('operations'), operations, "if '*' is present, must not specify other operations"));
  }
  for (const [i, operation] of operations.entries()) {
    if (!OPERATIONS.includes(operation)) errors.push(fieldNotSupported(path.child('operations').index(i), operation, OPERATIONS));
  }
  const apiGroups = strings(rule['apiGroups']);
  if (apiGroups.length === 0) errors.push(fieldRequired(path.child('apiGroups')));
  if (apiGroups.length > 1 && apiGroups.includes('*')) {
    errors.push(fieldInvalid(path.child('apiGroups'), apiGroups, "if '*' is present, must not specify other API groups"));
  }
  // an empty group is the legacy core group; an empty version is not a version
  const apiVersions = strings(rule['apiVersions']);
  if (apiVersions.length === 0) errors.push(fieldRequired(path.child('apiVersions')));
  if (apiVersions.length > 1 && apiVersions.includes('*')) {
    errors.push(fieldInvalid(path.child('apiVersions'), apiVersions, "if '*' is present, must not specify other API versions"));
  }
  for (const [i, version] of apiVersions.entries()) if (version === '') errors.push(fieldRequired(path.child('apiVersions').index(i)));
  errors.push(...validateResources(strings(rule['resources']), path.child('resources')));
  const scope = rule['scope'];
  if (isSet(scope) && !SCOPES.includes(scope as string)) errors.push(fieldNotSupported(path.child('scope'), scope, SCOPES));
  return errors;
}

/** Resources with subresources: `*` alone or with `x/y` only, `*\/*` alone, no `x/y` next to `x/*` or `*\/y`. */
function validateResources(resources: string[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (resources.length === 0) errors.push(fieldRequired(path));
  const withWildcardSubresource = new Set<string>();
  const subresourcesOfWildcard = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  // as upstream: the last resource without a subresource decides (`["pods", "*"]` passes, `["*", "pods"]` does not)
  let resourceWithoutSubresource = false;
  for (const [i, entry] of resources.entries()) {
    if (entry === '') {
      errors.push(fieldRequired(path.index(i)));
      continue;
    }
    if (entry === '*/*') doubleWildcard = true;
    if (entry === '*') singleWildcard = true;
    const slash = entry.indexOf('/');
    if (slash < 0) {
      resourceWithoutSubresource = entry !== '*';
      continue;
    }
    const resource = entry.slice(0, slash);
    const subresource = entry.slice(slash + 1);
    if (withWildcardSubresource.has(resource)) errors.push(fieldInvalid(path.index(i), entry, `if '${resource}/*' is present, must not specify ${entry}`));
    if (subresourcesOfWildcard.has(subresource)) errors.push(fieldInvalid(path.index(i), entry, `if '*/${subresource}' is present, must not specify ${entry}`));
    if (subresource === '*') withWildcardSubresource.add(resource);
    if (resource === '*') subresourcesOfWildcard.add(subresource);
  }
  if (resources.length > 1 && doubleWildcard) errors.push(fieldInvalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && resourceWithoutSubresource) {
    errors.push(fieldInvalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  }
  return errors;
}

function validateAdmissionReviewVersions(value: unknown, requireRecognized: boolean, path: FieldPath): FieldError[] {
  const versions = strings(value);
  if (versions.length === 0) return [fieldRequired(path, `must specify one of ${ACCEPTED_ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, version] of versions.entries()) {
    if (seen.has(version)) {
      errors.push(fieldInvalid(path.index(i), version, 'duplicate version'));
      continue;
    }
    seen.add(version);
    for (const problem of isDNS1035Label(version)) errors.push(fieldInvalid(path.index(i), version, problem));
  }
  if (requireRecognized && !versions.some((v) => ACCEPTED_ADMISSION_REVIEW_VERSIONS.includes(v))) {
    errors.push(fieldInvalid(path, versions, `must include at least one of ${ACCEPTED_ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  }
  return errors;
}

function validateClientConfig(clientConfig: Json, path: FieldPath): FieldError[] {
  const url = clientConfig['url'];
  const service = clientConfig['service'];
  if (isSet(url) === isSet(service)) return [fieldRequired(path, 'exactly one of url or service is required')];
  if (typeof url === 'string') return validateWebhookURL(url, path.child('url'));
  const ref = obj(service);
  return validateWebhookService(ref, path.child('service'));
}

/** `webhook.ValidateWebhookURL` with https required. */
function validateWebhookURL(raw: string, path: FieldPath): FieldError[] {
  const parsed = parseGoURL(raw);
  if ('error' in parsed) return [fieldRequired(path, `url must be a valid URL: ${parsed.error}${URL_FORM}`)];
  const { url } = parsed;
  const errors: FieldError[] = [];
  if (url.scheme !== 'https') errors.push(fieldInvalid(path, url.scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  if (url.host === '') errors.push(fieldInvalid(path, url.host, `host must be provided${URL_FORM}`));
  if (url.user !== undefined) errors.push(fieldInvalid(path, url.user, 'user information is not permitted in the URL'));
  if (url.fragment !== '') errors.push(fieldInvalid(path, url.fragment, 'fragments are not permitted in the URL'));
  if (url.rawQuery !== '') errors.push(fieldInvalid(path, url.rawQuery, 'query parameters are not permitted in the URL'));
  return errors;
}

/**
 * `webhook.ValidateWebhookService`. Upstream passes the service's name where
 * the function expects the namespace and the other way round, so a missing
 * namespace is reported at `service.name` ("service name is required") and a
 * missing name at `service.namespace`; kept, since clients see exactly that.
 */
function validateWebhookService(service: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const name = typeof service['name'] === 'string' ? service['name'] : '';
  const namespace = typeof service['namespace'] === 'string' ? service['namespace'] : '';
  if (namespace === '') errors.push(fieldRequired(path.child('name'), 'service name is required'));
  if (name === '') errors.push(fieldRequired(path.child('namespace'), 'service namespace is required'));
  const port = typeof service['port'] === 'number' ? service['port'] : 0;
  if (port < 1 || port > 65535) errors.push(fieldInvalid(path.child('port'), port, 'port is not valid: must be between 1 and 65535, inclusive'));
  const urlPath = service['path'];
  if (typeof urlPath !== 'string' || urlPath === '' || urlPath === '/') return errors;
  if (urlPath === '//') return [...errors, fieldInvalid(path.child('path'), urlPath, 'segment[0] may not be empty')];
  if (!urlPath.startsWith('/')) errors.push(fieldInvalid(path.child('path'), urlPath, "must start with a '/'"));
  // as upstream, the first character is dropped whatever it is
  let rest = urlPath.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  for (const [i, segment] of rest.split('/').entries()) {
    if (segment === '') {
      errors.push(fieldInvalid(path.child('path'), urlPath, `segment[${i}] may not be empty`));
      continue;
    }
    for (const problem of isDNS1123Subdomain(segment)) errors.push(fieldInvalid(path.child('path'), urlPath, `segment[${i}]: ${problem}`));
  }
  return errors;
}

/**
 * Upstream's `validateMatchConditions`: at most 64, names qualified and
 * unique, expressions required; `compileErrors` gives the errors of an
 * expression at its path (`undefined`: it was empty), so that webhooks and
 * admission policies compile each in their own CEL environment.
 */
export function validateMatchConditions(value: unknown, path: FieldPath, compileErrors: (at: FieldPath, expression: string | undefined) => FieldError[]): FieldError[] {
  const conditions = objects(value);
  const errors: FieldError[] = [];
  if (conditions.length > MAX_MATCH_CONDITIONS) errors.push(fieldTooMany(path, conditions.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  for (const [i, condition] of conditions.entries()) {
    const at = path.index(i);
    const expression = (typeof condition['expression'] === 'string' ? condition['expression'] : '').trim();
    if (expression === '') errors.push(fieldRequired(at.child('expression')));
    errors.push(...compileErrors(at.child('expression'), expression === '' ? undefined : expression));
    const name = typeof condition['name'] === 'string' ? condition['name'] : '';
    if (name === '') errors.push(fieldRequired(at.child('name')));
    else for (const problem of isQualifiedName(name)) errors.push(fieldInvalid(at.child('name'), name, problem));
    if (name !== '') {
      if (names.has(name)) errors.push(fieldDuplicate(at.child('name'), name));
      else names.add(name);
    }
  }
  return errors;
}

/** A webhook's match condition compiled as kube-apiserver does for webhook configurations. */
function webhookMatchConditionErrors(at: FieldPath, expression: string | undefined): FieldError[] {
  const problem = expression === undefined ? undefined : matchConditionCompileError(expression);
  return problem === undefined ? [] : [fieldInvalid(at, expression, problem)];
}

// --- strategy ---------------------------------------------------------------

/**
 * The strategy of a webhook configuration kind: defaults on every write,
 * validation on create and update, and the generation, which moves when the
 * (defaulted) webhooks change. Upstream defaults while decoding, before the
 * comparison; a body that leaves out what defaulting fills in changes nothing.
 */
export function webhookConfigurationStrategy(mutating: boolean): Strategy {
  return {
    statusSubresource: false,
    tracksGeneration: true,
    defaults: (object) => defaultWebhookConfiguration(object, mutating),
    prepareForUpdate(object, old) {
      defaultWebhookConfiguration(object, mutating);
      const changed = !jsonEqual(object['webhooks'] ?? [], old['webhooks'] ?? []);
      object.metadata.generation = (old.metadata.generation ?? 0) + (changed ? 1 : 0);
    },
    validate: (object) => validateWebhookConfiguration(object, mutating),
    validateUpdate: (object, old) => validateWebhookConfigurationUpdate(object, old, mutating),
  };
}
