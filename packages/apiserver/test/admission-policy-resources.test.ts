import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cause, TOKENS, type TestServer, eventually, grantBob, expectStatus, invalidStatus, revisionAfterPolicyStatus, revisionOf, startBadInputServer } from './bad-input-helpers';

/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (with /status)
 * and ValidatingAdmissionPolicyBinding as kube-apiserver 1.32 serves them:
 * discovery, defaults, validation with upstream's paths and messages (CEL
 * compile errors included), generation and status handling, kubectl's
 * tables, and the OpenAPI v3 schemas. A refused write writes nothing.
 */
let t: TestServer;
const C = '/clusters/policies';
const GROUP = 'admissionregistration.k8s.io';
const POLICIES = `${C}/apis/${GROUP}/v1/validatingadmissionpolicies`;
const BINDINGS = `${C}/apis/${GROUP}/v1/validatingadmissionpolicybindings`;
const MERGE = { 'content-type': 'application/merge-patch+json' };
const STRATEGIC = { 'content-type': 'application/strategic-merge-patch+json' };
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const DEFAULTED_MATCH = { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} };
const RULE = { operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };

const policy = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  spec: { matchConstraints: { resourceRules: [RULE] }, validations: [{ expression: 'object.spec.replicas <= 5' }], ...spec },
});
const binding = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName: 'replicas', validationActions: ['Deny'], ...spec },
});

const invalid = (kind: string, name: string, causes: Cause[]) => invalidStatus(GROUP, kind, name, causes);

beforeAll(async () => {
  t = await startBadInputServer();
});
afterAll(async () => {
  await t.stop();
});

describe('discovery', () => {
  it('lists both kinds, cluster-scoped, in the api-extensions category, the policy with a status subresource', async () => {
    const list = (await t.request('GET', `${C}/apis/${GROUP}/v1`)).json();
    const byName = Object.fromEntries(list.resources.map((r: any) => [r.name, r]));
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    expect(byName['validatingadmissionpolicies']).toMatchObject({
      singularName: 'validatingadmissionpolicy',
      namespaced: false,
      kind: 'ValidatingAdmissionPolicy',
      verbs,
      categories: ['api-extensions'],
    });
    expect(byName['validatingadmissionpolicies/status']).toMatchObject({ namespaced: false, kind: 'ValidatingAdmissionPolicy', verbs: ['get', 'patch', 'update'] });
    expect(byName['validatingadmissionpolicybindings']).toMatchObject({
      singularName: 'validatingadmissionpolicybinding',
      namespaced: false,
      kind: 'ValidatingAdmissionPolicyBinding',
      verbs,
      categories: ['api-extensions'],
    });
    expect(byName['validatingadmissionpolicybindings/status']).toBeUndefined();
  });
});

describe('OpenAPI v3', () => {
  it('describes the kinds and the types they use, with their merge extensions, for kubectl explain', async () => {
    const doc = (await t.request('GET', `${C}/openapi/v3/apis/${GROUP}/v1`)).json();
    const schemas = doc.components.schemas;
    const A = 'io.k8s.api.admissionregistration.v1.';
    expect(schemas[`${A}ValidatingAdmissionPolicy`]['x-kubernetes-group-version-kind']).toEqual([{ group: GROUP, kind: 'ValidatingAdmissionPolicy', version: 'v1' }]);
    expect(schemas[`${A}ValidatingAdmissionPolicyBinding`]['x-kubernetes-group-version-kind']).toEqual([
      { group: GROUP, kind: 'ValidatingAdmissionPolicyBinding', version: 'v1' },
    ]);
    // kubectl explain validatingadmissionpolicy.spec.validations: spec → ValidatingAdmissionPolicySpec → validations → Validation
    const spec = schemas[`${A}ValidatingAdmissionPolicy`].properties.spec;
    expect(spec.allOf).toEqual([{ $ref: `#/components/schemas/${A}ValidatingAdmissionPolicySpec` }]);
    const validations = schemas[`${A}ValidatingAdmissionPolicySpec`].properties.validations;
    expect(validations).toMatchObject({ type: 'array', items: { $ref: `#/components/schemas/${A}Validation` }, 'x-kubernetes-list-type': 'atomic' });
    expect(schemas[`${A}Validation`]).toMatchObject({ required: ['expression'], properties: { expression: { type: 'string' }, messageExpression: { type: 'string' } } });
    expect(schemas[`${A}ValidatingAdmissionPolicySpec`].properties.matchConditions).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(schemas[`${A}ValidatingAdmissionPolicyBindingSpec`].properties.validationActions['x-kubernetes-list-type']).toBe('set');
    for (const name of ['ParamKind', 'ParamRef', 'MatchResources', 'NamedRuleWithOperations', 'Variable']) expect(schemas[`${A}${name}`]['x-kubernetes-map-type'], name).toBe('atomic');
    expect(schemas[`${A}ValidatingAdmissionPolicyStatus`].properties.conditions.items).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Condition' });
    for (const path of ['validatingadmissionpolicies', 'validatingadmissionpolicies/{name}', 'validatingadmissionpolicies/{name}/status', 'validatingadmissionpolicybindings/{name}']) {
      expect(doc.paths[`/apis/${GROUP}/v1/${path}`], path).toBeDefined();
    }
  });
});

describe('defaults', () => {
  it('fill in the failure policy, match policy, selectors and rule scopes, also on a dry run, and keep what is set', async () => {
    const body = policy('defaulted', {
      matchConstraints: { resourceRules: [RULE], excludeResourceRules: [{ ...RULE, scope: 'Namespaced', resourceNames: ['system'] }] },
    });
    const expected = {
      failurePolicy: 'Fail',
      matchConstraints: { ...DEFAULTED_MATCH, resourceRules: [{ ...RULE, scope: '*' }], excludeResourceRules: [{ ...RULE, scope: 'Namespaced', resourceNames: ['system'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    };
    const before = await revisionAfterPolicyStatus(t);
    const dryRun = await t.request('POST', `${POLICIES}?dryRun=All`, body);
    expect(dryRun.status).toBe(201);
    expect(dryRun.json().spec).toEqual(expected);
    expect(await revisionOf(t)).toBe(before);

    const created = await t.request('POST', POLICIES, { ...body, status: { observedGeneration: 7 } });
    expect(created.status).toBe(201);
    // status is written through /status only: a create starts with the zero status
    expect(created.json().status).toEqual({});
    expect(created.json().metadata.generation).toBe(1);
    expect((await t.request('GET', `${POLICIES}/defaulted`)).json().spec).toEqual(expected);

    const bound = await t.request('POST', BINDINGS, binding('defaulted', { matchResources: { resourceRules: [RULE] }, paramRef: { name: 'p', parameterNotFoundAction: 'Allow' } }));
    expect(bound.status).toBe(201);
    expect(bound.json().spec).toEqual({
      policyName: 'replicas',
      validationActions: ['Deny'],
      matchResources: { ...DEFAULTED_MATCH, resourceRules: [{ ...RULE, scope: '*' }] },
      paramRef: { name: 'p', parameterNotFoundAction: 'Allow' },
    });
    const plain = await t.request('POST', BINDINGS, binding('plain'));
    expect(plain.json().spec).toEqual({ policyName: 'replicas', validationActions: ['Deny'] });
  });
});

interface Case {
  name: string;
  url: string;
  kind: string;
  body: Record<string, unknown>;
  causes: Cause[];
}

const cases: Case[] = [
  {
    name: 'a policy without match constraints or validations',
    url: POLICIES,
    kind: 'ValidatingAdmissionPolicy',
    body: { metadata: { name: 'bad' }, spec: { failurePolicy: 'Never' } },
    causes: [
      ['FieldValueNotSupported', 'spec.failurePolicy', 'Unsupported value: "Never": supported values: "Fail", "Ignore"'],
      ['FieldValueRequired', 'spec.matchConstraints', 'Required value'],
      ['FieldValueRequired', 'spec.validations', 'Required value: validations or auditAnnotations must contain at least one item'],
      ['FieldValueRequired', 'spec.auditAnnotations', 'Required value: validations or auditAnnotations must contain at least one item'],
    ],
  },
  {
    name: 'a policy with a bad paramKind, no resource rules, and expressions that do not compile',
    url: POLICIES,
    kind: 'ValidatingAdmissionPolicy',
    body: policy('bad', {
      paramKind: { apiVersion: 'example.com/v1/x', kind: 'Limit' },
      matchConstraints: { excludeResourceRules: [{ ...RULE, operations: ['PATCH'] }] },
      matchConditions: [{ name: 'uses params', expression: "params.x == 'y'" }],
      variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
      validations: [{ expression: 'variables.replicas', message: 'a\nb', reason: 'Teapot' }],
      auditAnnotations: [{ key: 'replicas', valueExpression: '1' }],
    }),
    causes: [
      ['FieldValueInvalid', 'spec.paramKind.apiVersion', 'Invalid value: "example.com/v1/x": unexpected GroupVersion string: example.com/v1/x'],
      [
        'FieldValueNotSupported',
        'spec.matchConstraints.excludeResourceRules[0].operations[0]',
        'Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      ],
      ['FieldValueRequired', 'spec.matchConstraints.resourceRules', 'Required value'],
      [
        'FieldValueInvalid',
        'spec.matchConditions[0].name',
        `Invalid value: "uses params": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
      ['FieldValueInvalid', 'spec.validations[0].expression', 'Invalid value: "variables.replicas": must evaluate to bool but got dyn'],
      ['FieldValueInvalid', 'spec.validations[0].message', 'Invalid value: "a\\nb": message must not contain line breaks'],
      ['FieldValueNotSupported', 'spec.validations[0].reason', 'Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"'],
      ['FieldValueInvalid', 'spec.auditAnnotations[0].valueExpression', 'Invalid value: "1": must evaluate to one of [string null_type] but got int'],
    ],
  },
  {
    name: 'a binding without policy name or actions',
    url: BINDINGS,
    kind: 'ValidatingAdmissionPolicyBinding',
    body: { metadata: { name: 'bad' }, spec: {} },
    causes: [
      ['FieldValueRequired', 'spec.policyName', 'Required value'],
      ['FieldValueRequired', 'spec.validationActions', 'Required value: at least one validation action is required'],
    ],
  },
  {
    name: 'a binding with a paramRef of name and selector, Deny with Warn, and a bad match rule',
    url: BINDINGS,
    kind: 'ValidatingAdmissionPolicyBinding',
    body: binding('bad', {
      paramRef: { name: 'limits', selector: {} },
      matchResources: { resourceRules: [{ ...RULE, resources: [] }] },
      validationActions: ['Deny', 'Warn'],
    }),
    causes: [
      ['FieldValueForbidden', 'spec.paramRef.name', 'Forbidden: name and selector are mutually exclusive'],
      ['FieldValueForbidden', 'spec.paramRef.selector', 'Forbidden: name and selector are mutually exclusive'],
      ['FieldValueRequired', 'spec.paramRef.parameterNotFoundAction', 'Required value'],
      ['FieldValueRequired', 'spec.matchResouces.resourceRules[0].resources', 'Required value'],
      [
        'FieldValueInvalid',
        'spec.validationActions',
        'Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ],
    ],
  },
];

describe('validation on create', () => {
  it.each(cases)('$name', async ({ url, kind, body, causes }) => {
    const before = await revisionAfterPolicyStatus(t);
    expectStatus(await t.request('POST', url, body), invalid(kind, 'bad', causes));
    expectStatus(await t.request('POST', `${url}?dryRun=All`, body), invalid(kind, 'bad', causes));
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', `${url}/bad`)).status).toBe(404);
  });
});

describe('update', () => {
  it('moves the generation on spec changes only; a body without the defaults changes nothing; refused updates write nothing', async () => {
    const created = (await t.request('POST', POLICIES, policy('updated'))).json();
    const same = await t.request('PUT', `${POLICIES}/updated`, { ...policy('updated'), metadata: { name: 'updated', resourceVersion: created.metadata.resourceVersion } });
    expect(same.status).toBe(200);
    expect(same.json().metadata).toMatchObject({ generation: 1, resourceVersion: created.metadata.resourceVersion });

    const labelled = await t.request('PATCH', `${POLICIES}/updated`, { metadata: { labels: { team: 'a' } } }, MERGE);
    expect(labelled.json().metadata.generation).toBe(1);

    const changed = await t.request('PATCH', `${POLICIES}/updated`, { spec: { failurePolicy: 'Ignore' } }, MERGE);
    expect(changed.json()).toMatchObject({ metadata: { generation: 2 }, spec: { failurePolicy: 'Ignore', matchConstraints: DEFAULTED_MATCH } });

    const before = await revisionAfterPolicyStatus(t);
    expectStatus(
      await t.request('PATCH', `${POLICIES}/updated`, { spec: { validations: [{ expression: '' }] } }, MERGE),
      invalid('ValidatingAdmissionPolicy', 'updated', [['FieldValueRequired', 'spec.validations[0].expression', 'Required value: expression is not specified']]),
    );
    expect(await revisionOf(t)).toBe(before);
  });

  it('merges match conditions by name with a strategic merge patch; a binding moves its generation too', async () => {
    await t.request('POST', POLICIES, policy('merged', { matchConditions: [{ name: 'a', expression: 'true' }] }));
    const patched = await t.request('PATCH', `${POLICIES}/merged`, { spec: { matchConditions: [{ name: 'b', expression: "request.operation == 'CREATE'" }] } }, STRATEGIC);
    expect(patched.status).toBe(200);
    // merged by name, not replaced
    expect(patched.json().spec.matchConditions).toEqual([
      { name: 'b', expression: "request.operation == 'CREATE'" },
      { name: 'a', expression: 'true' },
    ]);

    await t.request('POST', BINDINGS, binding('moved'));
    const moved = await t.request('PATCH', `${BINDINGS}/moved`, { spec: { validationActions: ['Warn', 'Audit'] } }, MERGE);
    expect(moved.json()).toMatchObject({ metadata: { generation: 2 }, spec: { validationActions: ['Warn', 'Audit'] } });
  });

  it('applies server-side: match conditions and variables are maps keyed by name, validations atomic', async () => {
    const APPLY = { 'content-type': 'application/apply-patch+yaml' };
    const apply = (manager: string, spec: Record<string, unknown>) =>
      t.request('PATCH', `${POLICIES}/applied?fieldManager=${manager}&fieldValidation=Strict`, { apiVersion: `${GROUP}/v1`, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'applied' }, spec }, APPLY);
    const first = await apply('owner', {
      matchConstraints: { resourceRules: [RULE] },
      matchConditions: [{ name: 'a', expression: 'true' }],
      variables: [{ name: 'x', expression: '1' }],
      validations: [{ expression: 'variables.x == 1' }],
    });
    expect(first.status).toBe(201);
    const second = await apply('other', { matchConditions: [{ name: 'b', expression: 'true' }], variables: [{ name: 'y', expression: '2' }] });
    expect(second.status).toBe(200);
    expect(second.json().spec.matchConditions.map((c: any) => c.name)).toEqual(['a', 'b']);
    expect(second.json().spec.variables.map((v: any) => v.name)).toEqual(['x', 'y']);
    // another manager's validations conflict: the list is atomic, owned as a whole
    const conflict = await apply('other', { validations: [{ expression: 'true' }] });
    expect(conflict.status).toBe(409);
    expect(conflict.json().message).toContain('.spec.validations');
  });

  it('does not check stored match conditions again until they or paramKind change', async () => {
    // stored by an older server: a match condition that does not compile to bool
    const legacy = {
      ...policy('legacy', {
        failurePolicy: 'Fail',
        matchConstraints: { ...DEFAULTED_MATCH, resourceRules: [{ ...RULE, scope: '*' }] },
        matchConditions: [{ name: 'old', expression: 'object.metadata' }],
      }),
      metadata: { name: 'legacy', uid: 'legacy-uid', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', annotations: { 'kcp.io/cluster': 'policies' } },
    };
    await t.store.create(`/registry/${GROUP}/validatingadmissionpolicies/policies/legacy`, new TextEncoder().encode(JSON.stringify(legacy)));
    await eventually(async () => (await t.request('GET', `${POLICIES}/legacy`)).status === 200);

    const changed = await t.request('PATCH', `${POLICIES}/legacy`, { spec: { validations: [{ expression: 'true' }] } }, MERGE);
    expect(changed.status).toBe(200);
    expect(changed.json().metadata.generation).toBe(2);

    const before = await revisionAfterPolicyStatus(t);
    expectStatus(
      await t.request('PATCH', `${POLICIES}/legacy`, { spec: { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } } }, MERGE),
      invalid('ValidatingAdmissionPolicy', 'legacy', [
        ['FieldValueInvalid', 'spec.matchConditions[0].expression', 'Invalid value: "object.metadata": must evaluate to bool but got dyn'],
      ]),
    );
    expect(await revisionOf(t)).toBe(before);
  });
});

describe('status', () => {
  it('is written through /status only, which changes nothing else and does not move the generation', async () => {
    await t.request('POST', POLICIES, policy('checked'));
    // the status controller writes first: wait for it, so the write below neither conflicts nor is raced
    const observed = (generation: number) => async () => (await t.request('GET', `${POLICIES}/checked`)).json().status?.observedGeneration === generation;
    await eventually(observed(1), 4_000);
    const status = {
      observedGeneration: 1,
      typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: 'apps/v1, Kind=Deployment: ERROR: <input>:1:8: undefined field' }] },
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'TypeChecked', message: '' }],
    };
    const current = (await t.request('GET', `${POLICIES}/checked`)).json();
    const written = await t.request('PUT', `${POLICIES}/checked/status`, {
      ...current,
      metadata: { ...current.metadata, labels: { ignored: 'yes' } },
      spec: { ...current.spec, failurePolicy: 'Ignore' },
      status,
    });
    expect(written.status).toBe(200);
    expect(written.json()).toMatchObject({ metadata: { generation: 1 }, spec: { failurePolicy: 'Fail' }, status });
    expect(written.json().metadata.labels).toBeUndefined();

    // writes of the object keep the status
    const spec = await t.request('PATCH', `${POLICIES}/checked`, { spec: { failurePolicy: 'Ignore' }, status: { observedGeneration: 9 } }, MERGE);
    expect(spec.json()).toMatchObject({ metadata: { generation: 2 }, spec: { failurePolicy: 'Ignore' }, status });
    // the controller observes generation 2 (and keeps the conditions)
    await eventually(observed(2), 4_000);
    expect((await t.request('GET', `${POLICIES}/checked`)).json().status.conditions).toEqual(status.conditions);

    const before = await revisionAfterPolicyStatus(t);
    expectStatus(
      await t.request(
        'PATCH',
        `${POLICIES}/checked/status`,
        { status: { typeChecking: { expressionWarnings: [{ fieldRef: '' }] }, conditions: [{ type: 'Ready', status: 'Yes', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'R' }] } },
        MERGE,
      ),
      invalid('ValidatingAdmissionPolicy', 'checked', [
        ['FieldValueRequired', 'status.typeChecking.expressionWarnings[0].warning', 'Required value'],
        ['FieldValueRequired', 'status.typeChecking.expressionWarnings[0].fieldRef', 'Required value'],
        ['FieldValueNotSupported', 'status.conditions[0].status', 'Unsupported value: "Yes": supported values: "False", "True", "Unknown"'],
      ]),
    );
    expect(await revisionOf(t)).toBe(before);
  });
});

describe('tables (kubectl get)', () => {
  it('print policies with their validation count and paramKind, bindings with their policy and paramRef', async () => {
    await t.request('POST', POLICIES, policy('tabled', { paramKind: { apiVersion: 'example.com/v1', kind: 'Limit' }, validations: [{ expression: 'true' }, { expression: 'true' }] }));
    await t.request('POST', POLICIES, policy('tabled-plain'));
    const policies = (await t.request('GET', POLICIES, undefined, { accept: TABLE })).json();
    expect(policies.columnDefinitions.map((c: any) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'Validations:integer', 'ParamKind:string', 'Age:string']);
    const rows = Object.fromEntries(policies.rows.map((r: any) => [r.cells[0], r.cells.slice(1, 3)]));
    expect(rows['tabled']).toEqual([2, 'example.com/v1/Limit']);
    expect(rows['tabled-plain']).toEqual([1, '<unset>']);

    await t.request('POST', BINDINGS, binding('by-name', { policyName: 'tabled', paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }));
    await t.request('POST', BINDINGS, binding('without-params'));
    await t.request('POST', BINDINGS, binding('by-selector', { paramRef: { selector: { matchLabels: { team: 'a' } }, namespace: 'ns', parameterNotFoundAction: 'Allow' } }));
    const bindings = (await t.request('GET', BINDINGS, undefined, { accept: TABLE })).json();
    expect(bindings.columnDefinitions.map((c: any) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'PolicyName:string', 'ParamRef:string', 'Age:string']);
    const cells = Object.fromEntries(bindings.rows.map((r: any) => [r.cells[0], r.cells.slice(1, 3)]));
    expect(cells['by-name']).toEqual(['tabled', '*/limits']);
    expect(cells['by-selector']).toEqual(['replicas', '&LabelSelector{MatchLabels:map[string]string{team: a,},MatchExpressions:[]LabelSelectorRequirement{},}']);
    expect(cells['without-params']).toEqual(['replicas', '<unset>']);
  });
});

describe('access to params (upstream authz.go)', () => {
  it('needs get on every object of a paramKind to write a policy, and get on the referenced object to write a binding', async () => {
    const grant = (name: string, rules: unknown[]) => grantBob(t, 'policies', name, rules);

    // bob may write policies and bindings, and read one configmap by name
    await grant('policy-writer', [{ apiGroups: [GROUP], resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'], verbs: ['*'] }]);
    await grant('limits-reader', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['limits'], verbs: ['get'] }]);
    const asBob = (url: string, body: unknown) => t.request('POST', url, body, {}, TOKENS.bob);
    const paramKind = { apiVersion: 'v1', kind: 'ConfigMap' };
    let refused: Awaited<ReturnType<typeof asBob>> | undefined;
    await eventually(async () => (refused = await asBob(POLICIES, policy('with-params', { paramKind }))).status === 422);
    const before = await revisionAfterPolicyStatus(t);
    expectStatus(
      await asBob(POLICIES, policy('with-params', { paramKind })),
      invalid('ValidatingAdmissionPolicy', 'with-params', [
        [
          'FieldValueForbidden',
          'spec.paramKind',
          'Forbidden: user &{bob  [devs system:authenticated] map[]} must have "get" permission on all objects of the referenced paramKind (kind=ConfigMap, apiVersion=v1)',
        ],
      ]),
    );
    expect(refused!.json().details.causes[0].field).toBe('spec.paramKind');
    expect(await revisionOf(t)).toBe(before);
    // a policy without params needs nothing more; the admin (system:masters) is never asked
    expect((await asBob(POLICIES, policy('bob-plain'))).status).toBe(201);
    expect((await t.request('POST', POLICIES, policy('with-params', { paramKind }))).status).toBe(201);

    // a binding reading `limits` is allowed, one reading another configmap (or every one) is not
    const ref = (name: string) => ({ policyName: 'with-params', paramRef: { name, namespace: 'default', parameterNotFoundAction: 'Deny' } });
    expect((await asBob(BINDINGS, binding('reads-limits', ref('limits')))).status).toBe(201);
    const before2 = await revisionAfterPolicyStatus(t);
    expectStatus(
      await asBob(BINDINGS, binding('reads-other', ref('other'))),
      invalid('ValidatingAdmissionPolicyBinding', 'reads-other', [
        ['FieldValueForbidden', 'spec.paramRef', 'Forbidden: user &{bob  [devs system:authenticated] map[]} does not have "get" permission on the object referenced by paramRef'],
      ]),
    );
    expect(await revisionOf(t)).toBe(before2);
    // once bob may read every configmap, he may write the policy too
    await grant('configmaps-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    await eventually(async () => (await asBob(BINDINGS, binding('reads-other', ref('other')))).status === 201);
    await eventually(async () => (await asBob(POLICIES, policy('bob-params', { paramKind }))).status === 201);
  });
});
