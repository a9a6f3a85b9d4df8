import { formatFieldError } from '@kcp-ts/apimachinery';
import { describe, expect, it } from 'vitest';
import type { Obj } from '../registry/types';
import { labelSelectorString, paramKindCell, paramRefCell } from './admission-policies';
import {
  defaultValidatingAdmissionPolicy,
  defaultValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicyStatus,
  validateValidatingAdmissionPolicyUpdate,
} from './admission-policy-validation';

const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS_1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const AT_LEAST_ONE = 'validations or auditAnnotations must contain at least one item';

const RULE = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' };
const MATCH = { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [RULE] };

const object = (spec: unknown, name = 'policy.example.com'): Obj => ({ metadata: { name }, spec }) as Obj;
/** A defaulted policy that passes validation, with `overrides` on its spec. */
const policy = (overrides: Record<string, unknown> = {}, name?: string): Obj =>
  object({ failurePolicy: 'Fail', matchConstraints: MATCH, validations: [{ expression: 'true' }], ...overrides }, name);
/** A binding that passes validation, with `overrides` on its spec. */
const binding = (overrides: Record<string, unknown> = {}): Obj => object({ policyName: 'policy.example.com', validationActions: ['Deny'], ...overrides }, 'binding');

const messages = (errors: ReturnType<typeof validateValidatingAdmissionPolicy>) => errors.map((e) => formatFieldError(e));

describe('defaults', () => {
  it('give a policy failurePolicy Fail, also without a spec, and match constraints their policy, selectors and rule scopes', () => {
    const empty = { metadata: { name: 'p' } } as Obj;
    defaultValidatingAdmissionPolicy(empty);
    expect(empty['spec']).toEqual({ failurePolicy: 'Fail' });

    const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
    const p = object({ matchConstraints: { resourceRules: [rule, { ...rule, scope: 'Namespaced' }], excludeResourceRules: [rule] }, failurePolicy: null });
    defaultValidatingAdmissionPolicy(p);
    expect(p['spec']).toEqual({
      failurePolicy: 'Fail',
      matchConstraints: {
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        resourceRules: [{ ...rule, scope: '*' }, { ...rule, scope: 'Namespaced' }],
        excludeResourceRules: [{ ...rule, scope: '*' }],
      },
    });
  });

  it('keep what is set, even when invalid', () => {
    const spec = { failurePolicy: 'Never', matchConstraints: { matchPolicy: 'Exact', namespaceSelector: { matchLabels: { a: 'b' } }, objectSelector: {} } };
    const p = object(structuredClone(spec));
    defaultValidatingAdmissionPolicy(p);
    expect(p['spec']).toEqual(spec);
  });

  it('give a binding match resource defaults only when it has match resources, and paramRef nothing', () => {
    const b = binding({ matchResources: { resourceRules: [{ operations: ['*'] }] }, paramRef: { name: 'p' } });
    defaultValidatingAdmissionPolicyBinding(b);
    expect(b['spec']).toMatchObject({
      matchResources: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [{ operations: ['*'], scope: '*' }] },
      paramRef: { name: 'p' },
    });
    const plain = binding();
    defaultValidatingAdmissionPolicyBinding(plain);
    expect(plain).toEqual(binding());
  });
});

describe('validateValidatingAdmissionPolicy', () => {
  it('accepts a complete policy', () => {
    expect(
      messages(
        validateValidatingAdmissionPolicy(
          policy({
            paramKind: { apiVersion: 'example.com/v1', kind: 'ReplicaLimit' },
            matchConditions: [{ name: 'example.com/not-system', expression: "params.spec.enabled && request.namespace != 'kube-system'" }],
            variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
            validations: [{ expression: 'variables.replicas <= params.spec.max', messageExpression: "'too many: ' + string(variables.replicas)", reason: 'Forbidden' }],
            auditAnnotations: [{ key: 'replicas', valueExpression: 'string(variables.replicas)' }],
          }),
        ),
      ),
    ).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[], string?]>([
    [
      'no match constraints, validations or audit annotations; a failure policy out of its set',
      { failurePolicy: 'Never', matchConstraints: undefined, validations: undefined },
      [
        'spec.failurePolicy: Unsupported value: "Never": supported values: "Fail", "Ignore"',
        'spec.matchConstraints: Required value',
        `spec.validations: Required value: ${AT_LEAST_ONE}`,
        `spec.auditAnnotations: Required value: ${AT_LEAST_ONE}`,
      ],
    ],
    [
      'no failure policy (what defaulting fills in) and empty lists',
      { failurePolicy: null, validations: [], auditAnnotations: [] },
      ['spec.failurePolicy: Required value', `spec.validations: Required value: ${AT_LEAST_ONE}`, `spec.auditAnnotations: Required value: ${AT_LEAST_ONE}`],
    ],
    [
      'a paramKind with too many slashes and a kind that is no DNS label',
      { paramKind: { apiVersion: 'a/b/c', kind: 'My_Kind' } },
      [
        'spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
        `spec.paramKind.kind: Invalid value: "My_Kind": may have mixed case, but should otherwise match: ${DNS_1035}`,
      ],
    ],
    [
      'a paramKind with a bad group, no version and no kind',
      { paramKind: { apiVersion: 'Example.com/' } },
      [
        `spec.paramKind.apiVersion: Invalid value: "Example.com": ${DNS_SUBDOMAIN}`,
        'spec.paramKind.apiVersion: Invalid value: "Example.com/": version must be specified',
        'spec.paramKind.kind: Required value',
      ],
    ],
    [
      'a paramKind with a bad version, and an empty one',
      { paramKind: { apiVersion: 'v1Beta1', kind: 'ConfigMap' }, variables: [] },
      [`spec.paramKind.apiVersion: Invalid value: "v1Beta1": ${DNS_1035}`],
    ],
    ['an empty paramKind', { paramKind: {} }, ['spec.paramKind.apiVersion: Required value', 'spec.paramKind.kind: Required value']],
    [
      'match constraints without resource rules, their defaults or valid selectors, with bad exclude rules',
      {
        matchConstraints: {
          matchPolicy: 'Fuzzy',
          namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Has' }] },
          excludeResourceRules: [
            { resourceNames: ['a/b', 'x', 'x', '..'], operations: ['PATCH'], apiGroups: ['*', 'apps'], apiVersions: ['v1'], resources: ['pods'], scope: 'Everywhere' },
            { operations: [], apiGroups: [''], apiVersions: ['', 'v1'], resources: ['*/*', 'pods'] },
          ],
        },
      },
      [
        'spec.matchConstraints.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
        'spec.matchConstraints.namespaceSelector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator',
        'spec.matchConstraints.objectSelector: Required value',
        `spec.matchConstraints.excludeResourceRules[0].resourceNames[0]: Invalid value: "a/b": may not contain '/'`,
        'spec.matchConstraints.excludeResourceRules[0].resourceNames[2]: Duplicate value: "x"',
        `spec.matchConstraints.excludeResourceRules[0].resourceNames[3]: Invalid value: "..": may not be '..'`,
        'spec.matchConstraints.excludeResourceRules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
        `spec.matchConstraints.excludeResourceRules[0].apiGroups: Invalid value: ["*","apps"]: if '*' is present, must not specify other API groups`,
        'spec.matchConstraints.excludeResourceRules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
        'spec.matchConstraints.excludeResourceRules[1].operations: Required value',
        'spec.matchConstraints.excludeResourceRules[1].apiVersions[0]: Required value',
        `spec.matchConstraints.excludeResourceRules[1].resources: Invalid value: ["*/*","pods"]: if '*/*' is present, must not specify other resources`,
        'spec.matchConstraints.resourceRules: Required value',
      ],
    ],
    [
      'resource rules with wildcards mixed in and overlapping subresources',
      {
        matchConstraints: {
          ...MATCH,
          resourceRules: [{ operations: ['*', 'CREATE'], apiGroups: [], apiVersions: ['*', 'v1'], resources: ['deployments/*', 'deployments/status', '*', 'pods'] }],
        },
      },
      [
        `spec.matchConstraints.resourceRules[0].operations: Invalid value: ["*","CREATE"]: if '*' is present, must not specify other operations`,
        'spec.matchConstraints.resourceRules[0].apiGroups: Required value',
        `spec.matchConstraints.resourceRules[0].apiVersions: Invalid value: ["*","v1"]: if '*' is present, must not specify other API versions`,
        `spec.matchConstraints.resourceRules[0].resources[1]: Invalid value: "deployments/status": if 'deployments/*' is present, must not specify deployments/status`,
        `spec.matchConstraints.resourceRules[0].resources: Invalid value: ["deployments/*","deployments/status","*","pods"]: if '*' is present, must not specify other resources without subresources`,
      ],
    ],
    [
      'match conditions: empty expressions, bad and duplicate names, params without paramKind, more than 64',
      {
        matchConditions: [
          { name: 'a', expression: ' ' },
          { name: 'not a name!', expression: 'true' },
          { name: 'a', expression: "params.x == 'y'" },
          { name: '', expression: '1' },
          ...Array.from({ length: 61 }, (_, i) => ({ name: `c${i}`, expression: 'true' })),
        ],
      },
      [
        'spec.matchConditions: Too many: 65: must have at most 64 items',
        'spec.matchConditions[0].expression: Required value',
        `spec.matchConditions[1].name: Invalid value: "not a name!": ${QUALIFIED_NAME}`,
        `spec.matchConditions[2].expression: Invalid value: "params.x == 'y'": compilation failed: ERROR: <input>: Unknown variable: params`,
        'spec.matchConditions[2].name: Duplicate value: "a"',
        'spec.matchConditions[3].expression: Invalid value: "1": must evaluate to bool but got int',
        'spec.matchConditions[3].name: Required value',
      ],
    ],
    [
      'variables: missing and non-identifier names, empty and uncompilable expressions',
      {
        variables: [
          { name: ' ', expression: 'true' },
          { name: 'in', expression: '  ' },
          { name: '1x', expression: 'nope' },
          { name: 'ok' },
        ],
      },
      [
        'spec.variables[0].name: Required value: name is not specified',
        'spec.variables[1].name: Invalid value: "in": name is not a valid CEL identifier',
        'spec.variables[1].expression: Required value: expression is not specified',
        'spec.variables[2].name: Invalid value: "1x": name is not a valid CEL identifier',
        'spec.variables[2].expression: Invalid value: "nope": compilation failed: ERROR: <input>: Unknown variable: nope',
        'spec.variables[3].expression: Required value: expression is not specified',
      ],
    ],
    [
      'validations: empty expressions, blank or multi-line messages, reasons outside the set, wrong result types',
      {
        validations: [
          { expression: ' ', messageExpression: '  ', message: '   ', reason: 'Unauthorized' },
          { expression: '1', messageExpression: '42', message: 'first\nsecond' },
          { expression: 'true', message: ' one line \n', reason: 'Invalid' },
        ],
      },
      [
        'spec.validations[0].expression: Required value: expression is not specified',
        'spec.validations[0].messageExpression: Invalid value: "  ": must be non-empty if specified',
        'spec.validations[0].message: Invalid value: "   ": message must be non-empty if specified',
        'spec.validations[0].reason: Unsupported value: "Unauthorized": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
        'spec.validations[1].expression: Invalid value: "1": must evaluate to bool but got int',
        'spec.validations[1].messageExpression: Invalid value: "42": must evaluate to string but got int',
        'spec.validations[1].message: Invalid value: "first\\nsecond": message must not contain line breaks',
      ],
    ],
    [
      'audit annotations: keys that do not make a qualified name with the policy name, duplicate keys, empty and over-long expressions',
      {
        validations: [],
        auditAnnotations: [
          { key: 'bad key', valueExpression: "'x'" },
          { key: 'bad key', valueExpression: ' ' },
          { key: 'long', valueExpression: `'${'x'.repeat(5119)}'` },
          { key: 'int', valueExpression: ' 1 ' },
        ],
      },
      [
        `spec.auditAnnotations[0].key: Invalid value: "policy.example.com/bad key": ${QUALIFIED_NAME}`,
        `spec.auditAnnotations[1].key: Invalid value: "policy.example.com/bad key": ${QUALIFIED_NAME}`,
        'spec.auditAnnotations[1].valueExpression: Required value: valueExpression is not specified',
        'spec.auditAnnotations[1].key: Duplicate value: "bad key"',
        'spec.auditAnnotations[2].valueExpression: Required value: must not exceed 5120 bytes in length',
        'spec.auditAnnotations[3].valueExpression: Invalid value: " 1 ": must evaluate to one of [string null_type] but got int',
      ],
    ],
    [
      'an audit annotation of a policy without a name',
      { auditAnnotations: [{ key: 'k', valueExpression: "'v'" }] },
      ['spec.auditAnnotations[0].key: Invalid value: "k": requires metadata.name be non-empty'],
      '',
    ],
  ])('%s', (_, overrides, expected, name) => {
    const spec = Object.fromEntries(Object.entries({ ...policy()['spec'] as object, ...overrides }).filter(([, v]) => v !== undefined));
    expect(messages(validateValidatingAdmissionPolicy(object(spec, name ?? 'policy.example.com')))).toEqual(expected);
  });

  it('limits audit annotations to 20, showing them as the Go structs', () => {
    const auditAnnotations = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'v'" }));
    const [first] = messages(validateValidatingAdmissionPolicy(policy({ auditAnnotations })));
    const shown = JSON.stringify(auditAnnotations.map((a) => ({ Key: a.key, ValueExpression: a.valueExpression })));
    expect(first).toBe(`spec.auditAnnotations: Invalid value: ${shown}: must not have more than 20 auditAnnotations`);
  });
});

describe('validateValidatingAdmissionPolicyUpdate', () => {
  const stored = policy({ matchConditions: [{ name: 'legacy', expression: 'object.metadata' }] });

  it('does not validate match conditions again while neither they nor paramKind change', () => {
    expect(messages(validateValidatingAdmissionPolicyUpdate(policy({ ...stored['spec'] as object, validations: [{ expression: 'false' }] }), stored))).toEqual([]);
  });

  it.each([
    ['the conditions change', { matchConditions: [{ name: 'legacy', expression: 'object.spec' }] }, 'object.spec'],
    ['paramKind changes', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } }, 'object.metadata'],
  ])('validates them when %s', (_, overrides, expression) => {
    expect(messages(validateValidatingAdmissionPolicyUpdate(policy({ ...stored['spec'] as object, ...overrides }), stored))).toEqual([
      `spec.matchConditions[0].expression: Invalid value: "${expression}": must evaluate to bool but got dyn`,
    ]);
  });

  it('validates everything else as on create', () => {
    expect(messages(validateValidatingAdmissionPolicyUpdate(policy({ ...stored['spec'] as object, validations: [{ expression: '' }] }), stored))).toEqual([
      'spec.validations[0].expression: Required value: expression is not specified',
    ]);
  });
});

describe('validateValidatingAdmissionPolicyStatus', () => {
  const condition = { type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'Checked', message: '' };

  it('accepts type checking warnings and conditions', () => {
    const status = {
      observedGeneration: 2,
      typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: 'apps/v1, Kind=Deployment: ERROR: no such key' }] },
      conditions: [condition],
    };
    expect(validateValidatingAdmissionPolicyStatus({ metadata: {}, status } as Obj)).toEqual([]);
  });

  it('reports warnings without text or field reference, and conditions that are not meta/v1 conditions', () => {
    const status = {
      typeChecking: { expressionWarnings: [{}, { fieldRef: ' ', warning: 'w' }] },
      conditions: [condition, { ...condition, status: 'Maybe', reason: '1bad', observedGeneration: -1 }, { type: 'not a type!', status: 'False' }],
    };
    expect(messages(validateValidatingAdmissionPolicyStatus({ metadata: {}, status } as Obj))).toEqual([
      'status.typeChecking.expressionWarnings[0].warning: Required value',
      'status.typeChecking.expressionWarnings[0].fieldRef: Required value',
      'status.typeChecking.expressionWarnings[1].fieldRef: Required value',
      'status.conditions[1].type: Duplicate value: "Ready"',
      'status.conditions[1].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'status.conditions[1].observedGeneration: Invalid value: -1: must be greater than or equal to zero',
      `status.conditions[1].reason: Invalid value: "1bad": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'`,
      `status.conditions[2].type: Invalid value: "not a type!": ${QUALIFIED_NAME}`,
      'status.conditions[2].lastTransitionTime: Required value: must be set',
      'status.conditions[2].reason: Required value: must be set',
    ]);
  });
});

describe('validateValidatingAdmissionPolicyBinding', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a complete binding', { paramRef: { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Deny' }, matchResources: MATCH, validationActions: ['Warn', 'Audit'] }, []],
    ['match resources without resource rules', { matchResources: { matchPolicy: 'Exact', namespaceSelector: {}, objectSelector: { matchLabels: { a: 'b' } } } }, []],
    [
      'no policy name and no actions',
      { policyName: undefined, validationActions: [] },
      ['spec.policyName: Required value', 'spec.validationActions: Required value: at least one validation action is required'],
    ],
    [
      'a policy name that is no DNS subdomain; actions unknown, repeated, and Deny with Warn',
      { policyName: 'Policy_1', validationActions: ['Deny', 'Warn', 'Deny', 'Block'] },
      [
        `spec.policyName: Invalid value: "Policy_1": ${DNS_SUBDOMAIN}`,
        'spec.validationActions[2]: Duplicate value: "Deny"',
        'spec.validationActions[3]: Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"',
        'spec.validationActions: Invalid value: ["Deny","Warn","Deny","Block"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ],
    ],
    [
      'a paramRef with both name and selector, a bad name and selector, no action',
      { paramRef: { name: 'a/b', selector: { matchExpressions: [{ key: 'k', operator: 'In' }] } } },
      [
        `spec.paramRef.name: Invalid value: "a/b": may not contain '/'`,
        'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
        "spec.paramRef.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
        'spec.paramRef.parameterNotFoundAction: Required value',
      ],
    ],
    [
      'a paramRef with neither name nor selector, and an unknown action',
      { paramRef: { namespace: 'ns', parameterNotFoundAction: 'Ignore' } },
      [
        'spec.paramRef: Required value: one of name or selector must be specified',
        'spec.paramRef.parameterNotFoundAction: Unsupported value: "Ignore": supported values: "Deny", "Allow"',
      ],
    ],
    [
      'match resources, reported under upstream\'s misspelt "matchResouces"',
      { matchResources: { resourceRules: [{ operations: ['GET'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] } },
      [
        'spec.matchResouces.matchPolicy: Required value',
        'spec.matchResouces.namespaceSelector: Required value',
        'spec.matchResouces.objectSelector: Required value',
        'spec.matchResouces.resourceRules[0].operations[0]: Unsupported value: "GET": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      ],
    ],
  ])('%s', (_, overrides, expected) => {
    const spec = Object.fromEntries(Object.entries({ ...binding()['spec'] as object, ...overrides }).filter(([, v]) => v !== undefined));
    expect(messages(validateValidatingAdmissionPolicyBinding(object(spec, 'binding')))).toEqual(expected);
  });
});

describe('table cells', () => {
  it.each([
    ['no paramKind', undefined, '<unset>'],
    ['a core paramKind', { apiVersion: 'v1', kind: 'ConfigMap' }, 'v1/ConfigMap'],
    ['a group paramKind', { apiVersion: 'example.com/v1', kind: 'Limit' }, 'example.com/v1/Limit'],
  ])('ParamKind of %s', (_, paramKind, cell) => {
    expect(paramKindCell(object(paramKind === undefined ? {} : { paramKind }))).toBe(cell);
  });

  it.each([
    ['no paramRef', undefined, '<unset>'],
    ['a name and namespace', { name: 'limits', namespace: 'ns' }, 'ns/limits'],
    ['a name without namespace', { name: 'limits' }, '*/limits'],
    ['an empty selector', { selector: {} }, '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}'],
    ['neither', { namespace: 'ns' }, '<unset>'],
  ])('ParamRef of %s', (_, paramRef, cell) => {
    expect(paramRefCell(object(paramRef === undefined ? {} : { paramRef }))).toBe(cell);
  });

  it('prints a selector as its gogo-protobuf String(), labels sorted', () => {
    expect(
      labelSelectorString({
        matchLabels: { z: '1', a: 'x y' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'tier', operator: 'Exists' },
        ],
      }),
    ).toBe(
      '&LabelSelector{MatchLabels:map[string]string{a: x y,z: 1,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[prod staging],},LabelSelectorRequirement{Key:tier,Operator:Exists,Values:[],},},}',
    );
  });
});
