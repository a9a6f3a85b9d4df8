import {
  type FieldError,
  type FieldPath,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldPath,
  fieldRequired,
  fieldTooLong,
  isDNS1035Label,
  isDNS1123Subdomain,
  jsonEqual,
  validatePathSegmentName,
} from '@kcp-ts/apimachinery';
import { type LabelSelector, isQualifiedName, validateLabelSelector } from '@kcp-ts/topology';
import { policyExpressionErrors } from '../admission/policy/policy-cel';
import { isJsonPathError, parseJsonPath } from '../crd/jsonpath';
import { type Json, obj, str } from '../registry/json';
import { validateMatchConditions, validateRuleWithOperations } from './webhook-configurations';
import type { Obj } from '../registry/types';

/*
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and
 * ValidatingAdmissionPolicyBinding as kube-apiserver 1.32 treats them: the
 * defaults of SetObjectDefaults_ValidatingAdmissionPolicy(Binding) and the
 * validation of pkg/apis/admissionregistration/validation, in upstream's
 * order, with its field paths and messages. The compile errors of the CEL
 * expressions come from the policy admission plugin's compiler
 * (`policyExpressionErrors`), placed where upstream reports them.
 */

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objects = (v: unknown): Json[] => list(v).map(obj);
const strings = (v: unknown): string[] => list(v).map((s) => (typeof s === 'string' ? s : ''));
const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// upstream's sets, listed sorted as `sets.String.List()` gives them in messages
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
/** The reasons validation accepts; upstream's API documentation also names Unauthorized, its validation does not. */
const VALIDATION_REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];
/** Not sorted: upstream lists them as written. */
const PARAMETER_NOT_FOUND_ACTIONS = ['Deny', 'Allow'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_BYTES = 5 * 1024;
const MAX_CONDITION_REASON_BYTES = 1024;
const MAX_CONDITION_MESSAGE_BYTES = 32 * 1024;
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const CONDITION_REASON_MESSAGE =
  "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package',
  'namespace', 'return', 'var', 'void', 'while',
]); // prettier-ignore
/** CEL's newline characters (upstream `[\n\r]+`). */
const NEWLINE = /[\n\r]/;

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

// --- defaults ---------------------------------------------------------------

/** `SetDefaults_MatchResources` and, per rule, `SetDefaults_Rule`. */
function defaultMatchResources(match: Json): void {
  match['matchPolicy'] ??= 'Equivalent';
  match['namespaceSelector'] ??= {};
  match['objectSelector'] ??= {};
  for (const field of ['resourceRules', 'excludeResourceRules']) {
    for (const rule of list(match[field])) if (isObject(rule)) rule['scope'] ??= '*';
  }
}

/**
 * Upstream's `SetObjectDefaults_ValidatingAdmissionPolicy`:
 * `spec.failurePolicy: Fail` (also when the spec is missing, as decoding
 * into the Go struct gives one), and for `spec.matchConstraints`
 * `matchPolicy: Equivalent`, empty namespace and object selectors and
 * `scope: "*"` on every rule. What is set, even wrongly, is kept.
 */
export function defaultValidatingAdmissionPolicy(object: Obj): void {
  if (!isSet(object['spec'])) object['spec'] = {};
  const spec = object['spec'];
  if (!isObject(spec)) return;
  spec['failurePolicy'] ??= 'Fail';
  if (isObject(spec['matchConstraints'])) defaultMatchResources(spec['matchConstraints']);
}

/**
 * Upstream's `SetObjectDefaults_ValidatingAdmissionPolicyBinding`: the
 * defaults of `spec.matchResources` when it is set. `paramRef` gets none in
 * v1 (`parameterNotFoundAction` is required instead).
 */
export function defaultValidatingAdmissionPolicyBinding(object: Obj): void {
  const match = obj(object['spec'])['matchResources'];
  if (isObject(match)) defaultMatchResources(match);
}

// --- shared pieces ----------------------------------------------------------

/** `validateNamedRuleWithOperations`: resource names usable as path segments and unique, then the rule. */
function validateNamedRuleWithOperations(rule: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, name] of strings(rule['resourceNames']).entries()) {
    const at = path.child('resourceNames').index(i);
    for (const problem of validatePathSegmentName(name, false)) errors.push(fieldInvalid(at, name, problem));
    if (seen.has(name)) errors.push(fieldDuplicate(at, name));
    else seen.add(name);
  }
  errors.push(...validateRuleWithOperations(rule, path));
  return errors;
}

/** `validateMatchResources`: match policy and both selectors required (defaults fill them in), selectors strict, every rule. */
function validateMatchResources(match: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const matchPolicy = match['matchPolicy'];
  if (!isSet(matchPolicy)) errors.push(fieldRequired(path.child('matchPolicy')));
  else if (!MATCH_POLICIES.includes(matchPolicy as string)) errors.push(fieldNotSupported(path.child('matchPolicy'), matchPolicy, MATCH_POLICIES));
  for (const field of ['namespaceSelector', 'objectSelector']) {
    if (!isSet(match[field])) errors.push(fieldRequired(path.child(field)));
    else errors.push(...validateLabelSelector(match[field] as LabelSelector, String(path.child(field))));
  }
  for (const field of ['resourceRules', 'excludeResourceRules']) {
    for (const [i, rule] of objects(match[field]).entries()) errors.push(...validateNamedRuleWithOperations(rule, path.child(field).index(i)));
  }
  return errors;
}

// --- policy -----------------------------------------------------------------

/** Upstream's `parseGroupVersion` (stricter than schema.ParseGroupVersion about extra slashes). */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | { error: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { error: `unexpected GroupVersion string: ${apiVersion}` };
}

/** `validateParamKind`: apiVersion a group/version as an APIService names them, kind a DNS-1035 label in any case. */
function validateParamKind(paramKind: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const apiVersion = str(paramKind['apiVersion']);
  const at = path.child('apiVersion');
  if (apiVersion === '') {
    errors.push(fieldRequired(at));
  } else {
    const parsed = parseGroupVersion(apiVersion);
    if ('error' in parsed) {
      errors.push(fieldInvalid(at, apiVersion, parsed.error));
    } else {
      if (parsed.group !== '') {
        const problems = isDNS1123Subdomain(parsed.group);
        if (problems.length > 0) errors.push(fieldInvalid(at, parsed.group, problems.join(',')));
      }
      if (parsed.version === '') {
        errors.push(fieldInvalid(at, apiVersion, 'version must be specified'));
      } else {
        const problems = isDNS1035Label(parsed.version);
        if (problems.length > 0) errors.push(fieldInvalid(at, parsed.version, problems.join(',')));
      }
    }
  }
  const kind = str(paramKind['kind']);
  if (kind === '') {
    errors.push(fieldRequired(path.child('kind')));
  } else {
    const problems = isDNS1035Label(kind.toLowerCase());
    if (problems.length > 0) errors.push(fieldInvalid(path.child('kind'), kind, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
  }
  return errors;
}

/** The compile errors of a spec's expressions, by field; each taken (once) where upstream would compile that expression. */
class CompileErrors {
  private readonly byField = new Map<string, FieldError[]>();
  private readonly settled = new Set<string>();

  constructor(errors: readonly FieldError[]) {
    for (const error of errors) {
      const at = this.byField.get(error.field);
      if (at) at.push(error);
      else this.byField.set(error.field, [error]);
    }
  }

  /** The errors of the expression at `path` (it passed the structural checks). */
  take(path: FieldPath): FieldError[] {
    const field = String(path);
    this.settled.add(field);
    return this.byField.get(field) ?? [];
  }

  /** The expression at `path` is not compiled (empty, too long, or not checked again): its errors are dropped. */
  skip(path: FieldPath): void {
    this.settled.add(String(path));
  }

  /** Errors at fields this validation never reached (none with the compiler's current paths); reported rather than lost. */
  rest(): FieldError[] {
    return [...this.byField].filter(([field]) => !this.settled.has(field)).flatMap(([, errors]) => errors);
  }
}

/** Options of {@link validateValidatingAdmissionPolicy}. */
export interface PolicyValidationOptions {
  /** matchConditions and paramKind are unchanged on update: the conditions are not validated again (upstream `ignoreMatchConditions`) */
  readonly ignoreMatchConditions?: boolean;
}


/** Upstream `isCELIdentifier`. */
function isCELIdentifier(name: string): boolean {
  return CEL_IDENTIFIER.test(name) && !CEL_RESERVED.has(name);
}

function validateVariable(variable: Json, path: FieldPath, compiled: CompileErrors): FieldError[] {
  const errors: FieldError[] = [];
  const name = str(variable['name']);
  if (name.trim() === '') errors.push(fieldRequired(path.child('name'), 'name is not specified'));
  else if (!isCELIdentifier(name)) errors.push(fieldInvalid(path.child('name'), name, 'name is not a valid CEL identifier'));
  if (str(variable['expression']).trim() === '') {
    errors.push(fieldRequired(path.child('expression'), 'expression is not specified'));
    compiled.skip(path.child('expression'));
  } else {
    errors.push(...compiled.take(path.child('expression')));
  }
  return errors;
}

function validateValidation(validation: Json, path: FieldPath, compiled: CompileErrors): FieldError[] {
  const errors: FieldError[] = [];
  const expression = str(validation['expression']);
  const messageExpression = str(validation['messageExpression']);
  const message = str(validation['message']);
  if (expression.trim() === '') {
    errors.push(fieldRequired(path.child('expression'), 'expression is not specified'));
    compiled.skip(path.child('expression'));
  } else {
    errors.push(...compiled.take(path.child('expression')));
  }
  if (messageExpression.trim() === '') {
    if (messageExpression !== '') errors.push(fieldInvalid(path.child('messageExpression'), messageExpression, 'must be non-empty if specified'));
    compiled.skip(path.child('messageExpression'));
  } else {
    errors.push(...compiled.take(path.child('messageExpression')));
  }
  if (message !== '' && message.trim() === '') errors.push(fieldInvalid(path.child('message'), message, 'message must be non-empty if specified'));
  else if (NEWLINE.test(message.trim())) errors.push(fieldInvalid(path.child('message'), message, 'message must not contain line breaks'));
  const reason = validation['reason'];
  if (isSet(reason) && !VALIDATION_REASONS.includes(reason as string)) errors.push(fieldNotSupported(path.child('reason'), reason, VALIDATION_REASONS));
  return errors;
}

function validateAuditAnnotation(annotation: Json, policyName: string, path: FieldPath, compiled: CompileErrors): FieldError[] {
  const errors: FieldError[] = [];
  const key = str(annotation['key']);
  if (policyName !== '') {
    const qualified = `${policyName}/${key}`;
    for (const problem of isQualifiedName(qualified)) errors.push(fieldInvalid(path.child('key'), qualified, problem));
  } else {
    errors.push(fieldInvalid(path.child('key'), key, 'requires metadata.name be non-empty'));
  }
  const at = path.child('valueExpression');
  const trimmed = str(annotation['valueExpression']).trim();
  if (trimmed === '') {
    errors.push(fieldRequired(at, 'valueExpression is not specified'));
    compiled.skip(at);
  } else if (byteLength(trimmed) > MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_BYTES) {
    errors.push(fieldRequired(at, `must not exceed ${MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_BYTES} bytes in length`));
    compiled.skip(at);
  } else {
    errors.push(...compiled.take(at));
  }
  return errors;
}

/**
 * `ValidateValidatingAdmissionPolicy` (metadata is the server's): failure
 * policy, paramKind, matchConstraints (required, with at least one resource
 * rule), matchConditions, variables, then validations and audit
 * annotations (at least one of the two), each expression's compile errors
 * where upstream reports them. With `ignoreMatchConditions` (an update that
 * changes neither matchConditions nor paramKind) the conditions are not
 * checked again.
 */
export function validateValidatingAdmissionPolicy(object: Obj, options: PolicyValidationOptions = {}): FieldError[] {
  const specPath = fieldPath('spec');
  const spec = obj(object['spec']);
  const compiled = new CompileErrors(policyExpressionErrors(spec, specPath));
  const errors: FieldError[] = [];
  const failurePolicy = spec['failurePolicy'];
  if (!isSet(failurePolicy)) errors.push(fieldRequired(specPath.child('failurePolicy')));
  else if (!FAILURE_POLICIES.includes(failurePolicy as string)) errors.push(fieldNotSupported(specPath.child('failurePolicy'), failurePolicy, FAILURE_POLICIES));
  if (isSet(spec['paramKind'])) errors.push(...validateParamKind(obj(spec['paramKind']), specPath.child('paramKind')));
  const matchConstraints = spec['matchConstraints'];
  if (!isSet(matchConstraints)) {
    errors.push(fieldRequired(specPath.child('matchConstraints')));
  } else {
    const match = obj(matchConstraints);
    errors.push(...validateMatchResources(match, specPath.child('matchConstraints')));
    // at least one resource rule, to give the expressions type information
    if (list(match['resourceRules']).length === 0) errors.push(fieldRequired(specPath.child('matchConstraints', 'resourceRules')));
  }
  if (options.ignoreMatchConditions) {
    for (const i of list(spec['matchConditions']).keys()) compiled.skip(specPath.child('matchConditions').index(i).child('expression'));
  } else {
    errors.push(
      ...validateMatchConditions(spec['matchConditions'], specPath.child('matchConditions'), (at, expression) => {
        if (expression !== undefined) return compiled.take(at);
        compiled.skip(at);
        return [];
      }),
    );
  }
  for (const [i, variable] of objects(spec['variables']).entries()) errors.push(...validateVariable(variable, specPath.child('variables').index(i), compiled));
  const validations = objects(spec['validations']);
  const auditAnnotations = objects(spec['auditAnnotations']);
  if (validations.length === 0 && auditAnnotations.length === 0) {
    const detail = 'validations or auditAnnotations must contain at least one item';
    errors.push(fieldRequired(specPath.child('validations'), detail), fieldRequired(specPath.child('auditAnnotations'), detail));
  } else {
    for (const [i, validation] of validations.entries()) errors.push(...validateValidation(validation, specPath.child('validations').index(i), compiled));
    const at = specPath.child('auditAnnotations');
    if (auditAnnotations.length > MAX_AUDIT_ANNOTATIONS) {
      // the bad value is the internal Go structs, whose fields have no JSON names
      const value = auditAnnotations.map((a) => ({ Key: str(a['key']), ValueExpression: str(a['valueExpression']) }));
      errors.push(fieldInvalid(at, value, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
    }
    const keys = new Set<string>();
    for (const [i, annotation] of auditAnnotations.entries()) {
      errors.push(...validateAuditAnnotation(annotation, object.metadata.name ?? '', at.index(i), compiled));
      const key = str(annotation['key']);
      if (keys.has(key)) errors.push(fieldDuplicate(at.index(i).child('key'), key));
      keys.add(key);
    }
  }
  return [...errors, ...compiled.rest()];
}

/**
 * `ValidateValidatingAdmissionPolicyUpdate`: the create rules, except that
 * matchConditions are not validated again while neither they nor paramKind
 * change (upstream `ignoreValidatingAdmissionPolicyMatchConditions`).
 */
export function validateValidatingAdmissionPolicyUpdate(object: Obj, old: Obj): FieldError[] {
  const spec = obj(object['spec']);
  const oldSpec = obj(old['spec']);
  const ignoreMatchConditions =
    jsonEqual(spec['paramKind'] ?? null, oldSpec['paramKind'] ?? null) && jsonEqual(spec['matchConditions'] ?? [], oldSpec['matchConditions'] ?? []);
  return validateValidatingAdmissionPolicy(object, { ignoreMatchConditions });
}

/** meta/v1 `ValidateCondition` of one condition at `path`. */
function validateCondition(condition: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const type = str(condition['type']);
  for (const problem of isQualifiedName(type)) errors.push(fieldInvalid(path.child('type'), type, problem));
  const status = str(condition['status']);
  if (!CONDITION_STATUSES.includes(status)) errors.push(fieldNotSupported(path.child('status'), status, CONDITION_STATUSES));
  const observedGeneration = condition['observedGeneration'];
  if (typeof observedGeneration === 'number' && observedGeneration < 0) {
    errors.push(fieldInvalid(path.child('observedGeneration'), observedGeneration, 'must be greater than or equal to zero'));
  }
  if (str(condition['lastTransitionTime']) === '') errors.push(fieldRequired(path.child('lastTransitionTime'), 'must be set'));
  const reason = str(condition['reason']);
  if (reason === '') {
    errors.push(fieldRequired(path.child('reason'), 'must be set'));
  } else {
    if (!CONDITION_REASON.test(reason)) errors.push(fieldInvalid(path.child('reason'), reason, CONDITION_REASON_MESSAGE));
    if (byteLength(reason) > MAX_CONDITION_REASON_BYTES) errors.push(fieldTooLong(path.child('reason'), MAX_CONDITION_REASON_BYTES));
  }
  if (byteLength(str(condition['message'])) > MAX_CONDITION_MESSAGE_BYTES) errors.push(fieldTooLong(path.child('message'), MAX_CONDITION_MESSAGE_BYTES));
  return errors;
}

/**
 * `ValidateValidatingAdmissionPolicyStatusUpdate`: every expression warning
 * has a warning and a field reference that parses as JSONPath, and the
 * conditions are meta/v1 conditions with unique types.
 */
export function validateValidatingAdmissionPolicyStatus(object: Obj): FieldError[] {
  const statusPath = fieldPath('status');
  const status = obj(object['status']);
  const errors: FieldError[] = [];
  const warningsPath = statusPath.child('typeChecking', 'expressionWarnings');
  for (const [i, warning] of objects(obj(status['typeChecking'])['expressionWarnings']).entries()) {
    const at = warningsPath.index(i);
    if (str(warning['warning']) === '') errors.push(fieldRequired(at.child('warning')));
    const fieldRef = str(warning['fieldRef']).trim();
    if (fieldRef === '') {
      errors.push(fieldRequired(at.child('fieldRef')));
      continue;
    }
    try {
      parseJsonPath(`{${fieldRef}}`);
    } catch (err) {
      if (!isJsonPathError(err)) throw err;
      errors.push(fieldInvalid(at.child('fieldRef'), fieldRef, `invalid JSONPath: ${err.message}`));
    }
  }
  const types = new Set<string>();
  for (const [i, condition] of objects(status['conditions']).entries()) {
    const at = statusPath.child('conditions').index(i);
    const type = str(condition['type']);
    if (types.has(type)) errors.push(fieldDuplicate(at.child('type'), type));
    else types.add(type);
    errors.push(...validateCondition(condition, at));
  }
  return errors;
}

// --- binding ----------------------------------------------------------------

/** `validateParamRef`: exactly one of name and selector, a valid selector, parameterNotFoundAction Allow or Deny. */
function validateParamRef(paramRef: Json, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const name = str(paramRef['name']);
  const selector = paramRef['selector'];
  if (name !== '') {
    for (const problem of validatePathSegmentName(name, false)) errors.push(fieldInvalid(path.child('name'), name, problem));
    if (isSet(selector)) errors.push(fieldForbidden(path.child('name'), 'name and selector are mutually exclusive'));
  }
  if (isSet(selector)) {
    errors.push(...validateLabelSelector(selector as LabelSelector, String(path.child('selector'))));
    if (name !== '') errors.push(fieldForbidden(path.child('selector'), 'name and selector are mutually exclusive'));
  }
  if (name === '' && !isSet(selector)) errors.push(fieldRequired(path, 'one of name or selector must be specified'));
  const action = paramRef['parameterNotFoundAction'];
  if (!isSet(action) || action === '') errors.push(fieldRequired(path.child('parameterNotFoundAction')));
  else if (!PARAMETER_NOT_FOUND_ACTIONS.includes(action as string)) {
    errors.push(fieldNotSupported(path.child('parameterNotFoundAction'), action, PARAMETER_NOT_FOUND_ACTIONS));
  }
  return errors;
}

/** `validateValidationActions`: known, unique, not Deny with Warn, at least one. */
function validateValidationActions(value: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const actions = strings(value);
  const seen = new Set<string>();
  for (const [i, action] of actions.entries()) {
    if (!VALIDATION_ACTIONS.includes(action)) errors.push(fieldNotSupported(path.index(i), action, VALIDATION_ACTIONS));
    if (seen.has(action)) errors.push(fieldDuplicate(path.index(i), action));
    seen.add(action);
  }
  if (seen.has('Deny') && seen.has('Warn')) {
    errors.push(
      fieldInvalid(path, actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'),
    );
  }
  if (seen.size === 0) errors.push(fieldRequired(path, 'at least one validation action is required'));
  return errors;
}

/**
 * `ValidateValidatingAdmissionPolicyBinding` (the same on update):
 * policyName a DNS subdomain, paramRef, matchResources (resource rules not
 * required; reported under upstream's misspelt `spec.matchResouces`), and
 * validationActions. Bindings hold no CEL.
 */
export function validateValidatingAdmissionPolicyBinding(object: Obj): FieldError[] {
  const specPath = fieldPath('spec');
  const spec = obj(object['spec']);
  const errors: FieldError[] = [];
  const policyName = str(spec['policyName']);
  if (policyName === '') errors.push(fieldRequired(specPath.child('policyName')));
  else for (const problem of isDNS1123Subdomain(policyName)) errors.push(fieldInvalid(specPath.child('policyName'), policyName, problem));
  if (isSet(spec['paramRef'])) errors.push(...validateParamRef(obj(spec['paramRef']), specPath.child('paramRef')));
  // sic: upstream reports the binding's matchResources as `spec.matchResouces`
  if (isSet(spec['matchResources'])) errors.push(...validateMatchResources(obj(spec['matchResources']), specPath.child('matchResouces')));
  errors.push(...validateValidationActions(spec['validationActions'], specPath.child('validationActions')));
  return errors;
}
