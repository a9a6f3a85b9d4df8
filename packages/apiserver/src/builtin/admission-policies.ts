import { jsonEqual } from '@kcp-ts/apimachinery';
import { type Json, obj, str } from '../registry/json';
import type { Obj, ResourceDefinition, Strategy } from '../registry/types';
import { columns } from '../rest/table';
import {
  defaultValidatingAdmissionPolicy,
  defaultValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicyStatus,
  validateValidatingAdmissionPolicyUpdate,
} from './admission-policy-validation';
import { STATUS_SUBRESOURCE, defineBuiltin } from './define';

/*
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (with /status)
 * and ValidatingAdmissionPolicyBinding, stored as kube-apiserver 1.32's
 * registry strategies treat them. The admission plugin that enforces them
 * lives in admission/policy.
 */

const GROUP = 'admissionregistration.k8s.io';

/**
 * The generation moves when the (defaulted) spec changes. Upstream defaults
 * while decoding, before the comparison: a body that leaves out what
 * defaulting fills in changes nothing.
 */
function bumpGenerationOnSpecChange(object: Obj, old: Obj, defaults: (o: Obj) => void): void {
  defaults(object);
  const changed = !jsonEqual(object['spec'] ?? null, old['spec'] ?? null);
  object.metadata.generation = (old.metadata.generation ?? 0) + (changed ? 1 : 0);
}

/**
 * The policy: defaults on every write, status only through `/status` (a
 * create starts with an empty one, as Go serializes the zero struct; writes
 * of the object keep it), spec changes move the generation, validation of
 * the spec on create and update and of the status on `/status`.
 */
const policyStrategy: Strategy = {
  statusSubresource: true,
  tracksGeneration: true,
  prepareForCreate: (object) => {
    object['status'] = {};
  },
  defaults: defaultValidatingAdmissionPolicy,
  prepareForUpdate: (object, old) => bumpGenerationOnSpecChange(object, old, defaultValidatingAdmissionPolicy),
  validate: (object) => validateValidatingAdmissionPolicy(object),
  validateUpdate: (object, old, context) =>
    context.subresource === 'status' ? validateValidatingAdmissionPolicyStatus(object) : validateValidatingAdmissionPolicyUpdate(object, old),
};

/** The binding: defaults, generation on spec changes, the same validation on create and update. */
const bindingStrategy: Strategy = {
  statusSubresource: false,
  tracksGeneration: true,
  defaults: defaultValidatingAdmissionPolicyBinding,
  prepareForUpdate: (object, old) => bumpGenerationOnSpecChange(object, old, defaultValidatingAdmissionPolicyBinding),
  validate: (object) => validateValidatingAdmissionPolicyBinding(object),
  validateUpdate: (object) => validateValidatingAdmissionPolicyBinding(object),
};

/** kubectl's ParamKind cell: `<apiVersion>/<kind>`, `<unset>` without a paramKind. */
export function paramKindCell(policy: Obj): string {
  const paramKind = obj(policy['spec'])['paramKind'];
  if (typeof paramKind !== 'object' || paramKind === null) return '<unset>';
  const kind = obj(paramKind);
  return `${str(kind['apiVersion'])}/${str(kind['kind'])}`;
}

/** Go's `%v` of a `[]string`: `[a b]`. */
const goStringSlice = (v: unknown): string => `[${(Array.isArray(v) ? v : []).map((s) => (typeof s === 'string' ? s : '')).join(' ')}]`;

/**
 * The gogo-protobuf `String()` of a meta/v1 LabelSelector, which kubectl
 * prints for a selector paramRef:
 * `&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]LabelSelectorRequirement{…},}`
 * (labels sorted by key).
 */
export function labelSelectorString(selector: Json): string {
  const labels = obj(selector['matchLabels']);
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}: ${str(labels[k])},`)
    .join('');
  const requirements = (Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : [])
    .map(obj)
    .map((r) => `LabelSelectorRequirement{Key:${str(r['key'])},Operator:${str(r['operator'])},Values:${goStringSlice(r['values'])},},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${pairs}},MatchExpressions:[]LabelSelectorRequirement{${requirements}},}`;
}

/**
 * kubectl's ParamRef cell: `<namespace>/<name>`, `*\/<name>` without a
 * namespace, the selector's Go string for a selector, `<unset>` without a
 * paramRef (or with neither).
 */
export function paramRefCell(binding: Obj): string {
  const paramRef = obj(binding['spec'])['paramRef'];
  if (typeof paramRef !== 'object' || paramRef === null) return '<unset>';
  const ref = obj(paramRef);
  const name = str(ref['name']);
  if (name !== '') return `${str(ref['namespace']) || '*'}/${name}`;
  const selector = ref['selector'];
  return typeof selector === 'object' && selector !== null ? labelSelectorString(obj(selector)) : '<unset>';
}

const validatingAdmissionPolicies = defineBuiltin({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicies',
  kind: 'ValidatingAdmissionPolicy',
  singular: 'validatingadmissionpolicy',
  namespaced: false,
  categories: ['api-extensions'],
  subresources: { status: STATUS_SUBRESOURCE },
  strategy: policyStrategy,
  table: {
    columns: [
      columns.name,
      {
        name: 'Validations',
        type: 'integer',
        description: 'Validations indicates the number of validation rules defined in this configuration',
        cell: (o) => {
          const validations = obj(o['spec'])['validations'];
          return Array.isArray(validations) ? validations.length : 0;
        },
      },
      { name: 'ParamKind', type: 'string', description: 'ParamKind specifies the kind of resources used to parameterize this policy', cell: paramKindCell },
      columns.age,
    ],
  },
});

const validatingAdmissionPolicyBindings = defineBuiltin({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicybindings',
  kind: 'ValidatingAdmissionPolicyBinding',
  singular: 'validatingadmissionpolicybinding',
  namespaced: false,
  categories: ['api-extensions'],
  strategy: bindingStrategy,
  table: {
    columns: [
      columns.name,
      {
        name: 'PolicyName',
        type: 'string',
        description: 'PolicyName indicates the policy definition which the policy binding binded to',
        cell: (o) => str(obj(o['spec'])['policyName']),
      },
      { name: 'ParamRef', type: 'string', description: 'ParamRef indicates the param resource which sets the configration param', cell: paramRefCell },
      columns.age,
    ],
  },
});

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding. */
export const admissionPolicyResources: readonly ResourceDefinition[] = [validatingAdmissionPolicies, validatingAdmissionPolicyBindings];
