import {
  type FieldError,
  type FieldPath,
  Quantity,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldPath,
  fieldRequired,
  goFormatted,
  goQuote,
} from '@kcp-ts/apimachinery';
import { isQualifiedName } from '@kcp-ts/topology';
import { goQuantitySyntax } from './go-quantity';
import { type Json, obj, str } from '../registry/json';

/*
 * Validation of core/v1 ResourceQuota and LimitRange specs and statuses as
 * kube-apiserver 1.32 does it (pkg/apis/core/validation: ValidateResourceQuota,
 * ValidateResourceQuotaStatus, ValidateLimitRange, with the resource-name
 * helpers of pkg/apis/core/helper).
 *
 * The input has been decoded already: maps hold canonical quantity strings,
 * lists and strings have their Go types. Go walks maps in random order; here
 * map keys are visited sorted, so the error list is deterministic.
 *
 * Bad values print as Go prints them in a field error: a `resource.Quantity`,
 * typed slices and structs with `%#v` (`resource.Quantity{i:…}`,
 * `[]core.ResourceQuotaScope{"BestEffort"}`), plain and named strings quoted.
 */

const isList = (v: unknown): v is unknown[] => Array.isArray(v);
const sortedKeys = (v: unknown): string[] => Object.keys(obj(v)).sort();

// --- resource names (pkg/apis/core/helper) ----------------------------------

const HUGE_PAGES_PREFIX = 'hugepages-';
const REQUESTS_HUGE_PAGES_PREFIX = 'requests.hugepages-';
const DEFAULT_NAMESPACE_PREFIX = 'kubernetes.io/';
const REQUESTS_PREFIX = 'requests.';

/** Resources counted in whole units (upstream `integerResources`). */
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

/** Resources the quota system tracks (upstream `standardQuotaResources`). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  ...INTEGER_RESOURCES,
]);

/** Resources known to the system (upstream `standardResources`): the quota ones plus `storage`. */
const STANDARD_RESOURCES = new Set([...STANDARD_QUOTA_RESOURCES, 'storage']);

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** Scopes a quota may use (upstream `IsStandardResourceQuotaScope`). */
const STANDARD_QUOTA_SCOPES = new Set([
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
]);

const POD_COMPUTE_QUOTA_RESOURCES = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

const STANDARD_LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

/** Scopes a selector can only test for presence. */
const EXISTS_ONLY_SCOPES = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);

const isHugePageResourceName = (name: string): boolean => name.startsWith(HUGE_PAGES_PREFIX);
const isQuotaHugePageResourceName = (name: string): boolean =>
  name.startsWith(HUGE_PAGES_PREFIX) || name.startsWith(REQUESTS_HUGE_PAGES_PREFIX);

/** Upstream `IsNativeResource`: unqualified, or in the `kubernetes.io/` namespace. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes(DEFAULT_NAMESPACE_PREFIX);
}

/** Upstream `IsExtendedResourceName`: qualified outside kubernetes.io, usable as `requests.<name>`. */
function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(REQUESTS_PREFIX)) return false;
  return isQualifiedName(REQUESTS_PREFIX + name).length === 0;
}

/** Upstream `IsOvercommitAllowed`: a native resource other than huge pages. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

/**
 * Whether a resource is counted in whole units (upstream
 * `helper.IsIntegerResourceName`): object counts such as `pods` or
 * `services.nodeports`, and extended resources (`example.com/gpu`,
 * `count/configmaps`).
 */
export function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

/**
 * Whether the quota system tracks a resource name (upstream
 * `helper.IsStandardQuotaResourceName`): compute resources and their
 * `requests.`/`limits.` forms, the object counts, and huge pages.
 */
export function isStandardQuotaResourceName(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || isQuotaHugePageResourceName(name);
}

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isQuotaHugePageResourceName(name);
}

/** Upstream `IsResourceQuotaScopeValidForResource`. */
function isScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return resource === 'pods' || POD_COMPUTE_QUOTA_RESOURCES.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}

const unqualified = (name: string): boolean => !name.includes('/');

/** Upstream `validateResourceName`. */
function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const problems = isQualifiedName(name);
  if (problems.length > 0) return problems.map((msg) => fieldInvalid(path, name, msg));
  if (unqualified(name) && !isStandardResourceName(name)) {
    return [fieldInvalid(path, name, 'must be a standard resource type or fully qualified')];
  }
  return [];
}

/** Upstream `ValidateResourceQuotaResourceName`. */
function validateQuotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errors = validateResourceName(name, path);
  if (unqualified(name) && !isStandardQuotaResourceName(name)) {
    errors.push(fieldInvalid(path, name, 'must be a standard resource for quota'));
  }
  return errors;
}

/** Upstream `validateContainerResourceName`. */
function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errors = validateResourceName(name, path);
  if (unqualified(name)) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      errors.push(fieldInvalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errors.push(fieldInvalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errors;
}

// --- quantities --------------------------------------------------------------

/** A decoded quantity; `undefined` for anything decoding would have rejected. */
function quantityOf(value: unknown): Quantity | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return Quantity.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The entries of a `ResourceList` by sorted name; a value that is not a
 * quantity (which decoding rejects before validation) is `undefined`, so
 * only its name is checked.
 */
function resourceList(value: unknown): [string, Quantity | undefined][] {
  const list = obj(value);
  return sortedKeys(list).map((name) => [name, quantityOf(list[name])]);
}

/** A quantity as a bad value: Go prints the `resource.Quantity` struct with `%#v` (its `String()` has a pointer receiver). */
const quantityValue = (q: Quantity) => goFormatted(goQuantitySyntax(q.toString()));

const ONE = Quantity.parse('1');
/** `resource.MaxMilliValue`: the largest value whose milli-value fits an int64. */
const MAX_MILLI_VALUE = 9_223_372_036_854_775n;

/** Upstream `ValidateResourceQuantityValue`: not negative, and whole for integer resources. */
function validateQuantityValue(name: string, quantity: Quantity, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (quantity.sign() < 0) errors.push(fieldInvalid(path, quantity.toString(), 'must be greater than or equal to 0'));
  if (isIntegerResourceName(name) && quantity.milliValue() % 1000n !== 0n) {
    errors.push(fieldInvalid(path, quantityValue(quantity), 'must be an integer'));
  }
  return errors;
}

/** The names and values of one quota `ResourceList` (spec.hard, status.hard, status.used). */
function validateQuotaResourceList(list: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, quantity] of resourceList(list)) {
    const resourcePath = path.key(name);
    errors.push(...validateQuotaResourceName(name, resourcePath));
    if (quantity) errors.push(...validateQuantityValue(name, quantity, resourcePath));
  }
  return errors;
}

// --- Go renderings of typed values ----------------------------------------------

/** Go's `%#v` of a `[]string`-kind slice of `elemType`; `null` (Go's nil) prints `(nil)`. */
function goSlice(elemType: string, value: unknown): string {
  if (!isList(value)) return `[]${elemType}(nil)`;
  return `[]${elemType}{${value.map((v) => goQuote(str(v))).join(', ')}}`;
}

/** `%#v` of `spec.scopes` (`[]core.ResourceQuotaScope`). */
export const scopesValue = (scopes: unknown) => goFormatted(goSlice('core.ResourceQuotaScope', scopes));

/** `%#v` of the `core.ScopeSelector` a non-nil `*core.ScopeSelector` points at. */
function scopeSelectorValue(selector: Json) {
  const expressions = selector['matchExpressions'];
  const type = 'core.ScopedResourceSelectorRequirement';
  const items = isList(expressions)
    ? `[]${type}{${expressions
        .map(obj)
        .map(
          (req) =>
            `${type}{ScopeName:${goQuote(str(req['scopeName']))}, Operator:${goQuote(str(req['operator']))}, Values:${goSlice('string', req['values'])}}`,
        )
        .join(', ')}}`
    : `[]${type}(nil)`;
  return goFormatted(`core.ScopeSelector{MatchExpressions:${items}}`);
}

// --- ResourceQuota -------------------------------------------------------------

const CONFLICTING_SCOPE_PAIRS = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
] as const;

/** Upstream `validateResourceQuotaScopes`. */
function validateScopes(spec: Json, path: FieldPath): FieldError[] {
  const scopes = spec['scopes'];
  if (!isList(scopes) || scopes.length === 0) return [];
  const errors: FieldError[] = [];
  const hard = sortedKeys(spec['hard']);
  const scopesPath = path.child('scopes');
  const seen = new Set<string>();
  for (const entry of scopes) {
    const scope = str(entry);
    if (!STANDARD_QUOTA_SCOPES.has(scope)) errors.push(fieldInvalid(scopesPath, scopesValue(scopes), 'unsupported scope'));
    for (const resource of hard) {
      if (isStandardQuotaResourceName(resource) && !isScopeValidForResource(scope, resource)) {
        errors.push(fieldInvalid(scopesPath, scopesValue(scopes), 'unsupported scope applied to resource'));
      }
    }
    seen.add(scope);
  }
  for (const [a, b] of CONFLICTING_SCOPE_PAIRS) {
    if (seen.has(a) && seen.has(b)) errors.push(fieldInvalid(scopesPath, scopesValue(scopes), 'conflicting scopes'));
  }
  return errors;
}

/** Upstream `validateScopeSelector` / `validateScopedResourceSelectorRequirement`. */
function validateScopeSelector(spec: Json, path: FieldPath): FieldError[] {
  const raw = spec['scopeSelector'];
  if (raw === undefined || raw === null) return [];
  const selector = obj(raw);
  const errors: FieldError[] = [];
  const hard = sortedKeys(spec['hard']);
  const expressionsPath = path.child('scopeSelector', 'matchExpressions');
  const seen = new Set<string>();
  const expressions = selector['matchExpressions'];
  for (const req of (isList(expressions) ? expressions : []).map(obj)) {
    const scopeName = str(req['scopeName']);
    const operator = str(req['operator']);
    const values = isList(req['values']) ? req['values'] : [];
    if (!STANDARD_QUOTA_SCOPES.has(scopeName)) {
      errors.push(fieldInvalid(expressionsPath.child('scopeName'), scopeName, 'unsupported scope'));
    }
    for (const resource of hard) {
      if (isStandardQuotaResourceName(resource) && !isScopeValidForResource(scopeName, resource)) {
        errors.push(fieldInvalid(expressionsPath, scopeSelectorValue(selector), 'unsupported scope applied to resource'));
      }
    }
    if (EXISTS_ONLY_SCOPES.has(scopeName) && operator !== 'Exists') {
      errors.push(
        fieldInvalid(
          expressionsPath.child('operator'),
          operator,
          "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(
            fieldRequired(
              expressionsPath.child('values'),
              "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) {
          errors.push(
            fieldInvalid(
              expressionsPath.child('values'),
              goFormatted(goSlice('string', values)),
              "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            ),
          );
        }
        break;
      default:
        errors.push(fieldInvalid(expressionsPath.child('operator'), operator, 'not a valid selector operator'));
    }
    seen.add(scopeName);
  }
  for (const [a, b] of CONFLICTING_SCOPE_PAIRS) {
    // upstream reports spec.scopes here, not the selector
    if (seen.has(a) && seen.has(b)) errors.push(fieldInvalid(expressionsPath, scopesValue(spec['scopes']), 'conflicting scopes'));
  }
  return errors;
}

/**
 * Upstream `ValidateResourceQuotaSpec` for a decoded core/v1
 * `ResourceQuotaSpec`: every `hard` entry has a quota resource name and a
 * non-negative (for counted resources whole) quantity, `scopes` are known,
 * apply to the limited resources and do not conflict, and the
 * `scopeSelector` expressions are well formed. Paths start at `spec`.
 */
export function validateResourceQuotaSpec(spec: unknown): FieldError[] {
  const s = obj(spec);
  const path = fieldPath('spec');
  return [
    ...validateQuotaResourceList(s['hard'], path.child('hard')),
    ...validateScopes(s, path),
    ...validateScopeSelector(s, path),
  ];
}

/**
 * Upstream `ValidateResourceQuotaStatus`: the names and quantities of
 * `status.hard` and `status.used`, checked as in the spec.
 */
export function validateResourceQuotaStatus(status: unknown): FieldError[] {
  const s = obj(status);
  const path = fieldPath('status');
  return [...validateQuotaResourceList(s['hard'], path.child('hard')), ...validateQuotaResourceList(s['used'], path.child('used'))];
}

// --- LimitRange ----------------------------------------------------------------

/** Upstream `validateLimitRangeTypeName`. */
function validateLimitType(type: string, path: FieldPath): FieldError[] {
  const problems = isQualifiedName(type);
  if (problems.length > 0) return problems.map((msg) => fieldInvalid(path, type, msg));
  if (unqualified(type) && !STANDARD_LIMIT_TYPES.has(type)) {
    return [fieldInvalid(path, type, 'must be a standard limit type or fully qualified')];
  }
  return [];
}

/** Upstream `validateLimitRangeResourceName`: container rules for Pod and Container, general rules otherwise. */
function validateLimitResourceName(type: string, name: string, path: FieldPath): FieldError[] {
  return type === 'Pod' || type === 'Container' ? validateContainerResourceName(name, path) : validateResourceName(name, path);
}

/** Go's `%f` of a float64 that is finite and below 1e21. */
const goFloat = (value: number): string => value.toFixed(6);

/** Checks how the bounds of one resource of one limit relate to each other. */
function validateLimitBounds(
  name: string,
  bounds: {
    min: Quantity | undefined;
    max: Quantity | undefined;
    def: Quantity | undefined;
    defaultRequest: Quantity | undefined;
    ratio: Quantity | undefined;
  },
  path: FieldPath,
): FieldError[] {
  const { min, max, def, defaultRequest, ratio } = bounds;
  const errors: FieldError[] = [];
  const at = (field: string) => path.child(field).key(name);
  if (min && max && min.cmp(max) > 0) {
    errors.push(fieldInvalid(at('min'), quantityValue(min), `min value ${min.toString()} is greater than max value ${max.toString()}`));
  }
  if (defaultRequest && min && min.cmp(defaultRequest) > 0) {
    errors.push(
      fieldInvalid(at('defaultRequest'), quantityValue(defaultRequest), `min value ${min.toString()} is greater than default request value ${defaultRequest.toString()}`),
    );
  }
  if (defaultRequest && max && defaultRequest.cmp(max) > 0) {
    errors.push(
      fieldInvalid(at('defaultRequest'), quantityValue(defaultRequest), `default request value ${defaultRequest.toString()} is greater than max value ${max.toString()}`),
    );
  }
  if (defaultRequest && def && defaultRequest.cmp(def) > 0) {
    errors.push(
      fieldInvalid(
        at('defaultRequest'),
        quantityValue(defaultRequest),
        `default request value ${defaultRequest.toString()} is greater than default limit value ${def.toString()}`,
      ),
    );
  }
  // upstream reports min (not default) as the value here
  if (def && min && min.cmp(def) > 0) {
    errors.push(fieldInvalid(at('default'), quantityValue(min), `min value ${min.toString()} is greater than default value ${def.toString()}`));
  }
  // and max (not default) here
  if (def && max && def.cmp(max) > 0) {
    errors.push(fieldInvalid(at('default'), quantityValue(max), `default value ${def.toString()} is greater than max value ${max.toString()}`));
  }
  if (ratio && ratio.cmp(ONE) < 0) {
    errors.push(fieldInvalid(at('maxLimitRequestRatio'), quantityValue(ratio), `ratio ${ratio.toString()} is less than 1`));
  }
  if (ratio && min && max) {
    let ratioValue = Number(ratio.value());
    let minValue = min.value();
    let maxValue = max.value();
    if (ratio.value() < MAX_MILLI_VALUE && minValue < MAX_MILLI_VALUE && maxValue < MAX_MILLI_VALUE) {
      ratioValue = Number(ratio.milliValue()) / 1000;
      minValue = min.milliValue();
      maxValue = max.milliValue();
    }
    const ratioLimit = Number(maxValue) / Number(minValue);
    if (ratioValue > ratioLimit) {
      errors.push(
        fieldInvalid(at('maxLimitRequestRatio'), quantityValue(ratio), `ratio ${ratio.toString()} is greater than max/min = ${goFloat(ratioLimit)}`),
      );
    }
  }
  // resources that cannot be overcommitted (extended resources, huge pages) need limit == request
  if (!isOvercommitAllowed(name) && def && defaultRequest && def.cmp(defaultRequest) !== 0) {
    errors.push(
      fieldInvalid(
        at('defaultRequest'),
        quantityValue(defaultRequest),
        `default value ${def.toString()} must equal to defaultRequest value ${defaultRequest.toString()} in ${name}`,
      ),
    );
  }
  return errors;
}

/** Upstream `ValidateLimitRange` for one entry of `spec.limits`. */
function validateLimit(limit: Json, type: string, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const collect = (field: string): Map<string, Quantity> => {
    const quantities = new Map<string, Quantity>();
    for (const [name, quantity] of resourceList(limit[field])) {
      errors.push(...validateLimitResourceName(type, name, path.child(field).key(name)));
      names.add(name);
      if (quantity) quantities.set(name, quantity);
    }
    return quantities;
  };
  const max = collect('max');
  const min = collect('min');
  let defaults = new Map<string, Quantity>();
  let defaultRequests = new Map<string, Quantity>();
  if (type === 'Pod') {
    if (Object.keys(obj(limit['default'])).length > 0) {
      errors.push(fieldForbidden(path.child('default'), "may not be specified when `type` is 'Pod'"));
    }
    if (Object.keys(obj(limit['defaultRequest'])).length > 0) {
      errors.push(fieldForbidden(path.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    }
  } else {
    defaults = collect('default');
    defaultRequests = collect('defaultRequest');
  }
  if (type === 'PersistentVolumeClaim' && !Object.hasOwn(obj(limit['min']), 'storage') && !Object.hasOwn(obj(limit['max']), 'storage')) {
    // upstream's path really ends in `.limits`
    errors.push(fieldRequired(path.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
  }
  const ratios = collect('maxLimitRequestRatio');
  for (const name of [...names].sort()) {
    errors.push(
      ...validateLimitBounds(
        name,
        { min: min.get(name), max: max.get(name), def: defaults.get(name), defaultRequest: defaultRequests.get(name), ratio: ratios.get(name) },
        path,
      ),
    );
  }
  return errors;
}

/**
 * Upstream `ValidateLimitRange` (without metadata) for a decoded core/v1
 * `LimitRangeSpec`: each entry of `spec.limits` has a known or qualified
 * type, used once; resource names suit the type; a Pod entry sets no
 * defaults; a PersistentVolumeClaim entry bounds storage; and per resource
 * min <= defaultRequest <= default <= max, 1 <= maxLimitRequestRatio <= max/min,
 * with default == defaultRequest for resources that cannot be overcommitted.
 * Paths start at `spec`.
 */
export function validateLimitRangeSpec(spec: unknown): FieldError[] {
  const limits = obj(spec)['limits'];
  const errors: FieldError[] = [];
  const path = fieldPath('spec', 'limits');
  const seenTypes = new Set<string>();
  (isList(limits) ? limits : []).forEach((entry, i) => {
    const limit = obj(entry);
    const type = str(limit['type']);
    const itemPath = path.index(i);
    errors.push(...validateLimitType(type, itemPath.child('type')));
    if (seenTypes.has(type)) errors.push(fieldDuplicate(itemPath.child('type'), type));
    seenTypes.add(type);
    errors.push(...validateLimit(limit, type, itemPath));
  });
  return errors;
}
