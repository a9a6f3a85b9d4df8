import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cause, type TestServer, eventually, expectStatus, invalidStatus, revisionOf, startBadInputServer } from './bad-input-helpers';

/**
 * admissionregistration.k8s.io/v1 webhook configurations: the defaults of
 * k8s.io/api, and kube-apiserver 1.32's validation with its exact messages
 * and field paths, on create and (lenient for what the stored object already
 * got wrong) on update. A rejected write writes nothing.
 */
let t: TestServer;
const C = '/clusters/webhooks';
const GROUP = 'admissionregistration.k8s.io';
const MUTATING = `${C}/apis/${GROUP}/v1/mutatingwebhookconfigurations`;
const VALIDATING = `${C}/apis/${GROUP}/v1/validatingwebhookconfigurations`;
const MERGE = { 'content-type': 'application/merge-patch+json' };

const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS_1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const URL_FORM = '; desired format: https://host[/path]';

/** A webhook that passes validation, with `overrides` on top. */
const webhook = (overrides: Record<string, unknown> = {}) => ({
  name: 'pods.webhook.example.com',
  clientConfig: { url: 'https://webhook.example.com/admit' },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...overrides,
});

const invalid = (kind: string, name: string, causes: Cause[]) => invalidStatus(GROUP, kind, name, causes);

beforeAll(async () => {
  t = await startBadInputServer();
});
afterAll(async () => {
  await t.stop();
});

describe('defaults', () => {
  it('fill in policies, selectors, timeout, rule scope and service port, also on a dry run, and keep what is set', async () => {
    const body = {
      metadata: { name: 'defaulted' },
      webhooks: [
        webhook({
          clientConfig: { service: { name: 'hook', namespace: 'system' } },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        }),
        webhook({ name: 'set.webhook.example.com', failurePolicy: 'Ignore', timeoutSeconds: 3, reinvocationPolicy: 'IfNeeded', objectSelector: { matchLabels: { a: 'b' } } }),
      ],
    };
    const defaults = { failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10 };
    const expected = [
      {
        ...webhook(),
        ...defaults,
        reinvocationPolicy: 'Never',
        clientConfig: { service: { name: 'hook', namespace: 'system', port: 443 } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
      },
      { ...webhook(), ...defaults, name: 'set.webhook.example.com', failurePolicy: 'Ignore', timeoutSeconds: 3, reinvocationPolicy: 'IfNeeded', objectSelector: { matchLabels: { a: 'b' } } },
    ];

    const before = await revisionOf(t);
    const dryRun = await t.request('POST', `${MUTATING}?dryRun=All`, body);
    expect(dryRun.status).toBe(201);
    expect(dryRun.json().webhooks).toEqual(expected);
    expect(await revisionOf(t)).toBe(before);

    expect((await t.request('POST', MUTATING, body)).status).toBe(201);
    expect((await t.request('GET', `${MUTATING}/defaulted`)).json().webhooks).toEqual(expected);

    // a validating webhook has no reinvocation policy
    const validating = await t.request('POST', VALIDATING, { metadata: { name: 'defaulted' }, webhooks: [webhook()] });
    expect(validating.json().webhooks).toEqual([{ ...webhook(), ...defaults }]);
  });
});

interface Case {
  name: string;
  url: string;
  kind: string;
  webhooks: unknown[];
  causes: Cause[];
}

const cases: Case[] = [
  {
    name: 'webhooks without their required fields, or with names that are not fully qualified',
    url: VALIDATING,
    kind: 'ValidatingWebhookConfiguration',
    webhooks: [{ name: 'hook' }, {}, webhook({ name: 'Pods.Example.com' })],
    causes: [
      ['FieldValueInvalid', 'webhooks[0].name', 'Invalid value: "hook": should be a domain with at least three segments separated by dots'],
      ['FieldValueRequired', 'webhooks[0].sideEffects', 'Required value: must specify one of None, NoneOnDryRun'],
      ['FieldValueRequired', 'webhooks[0].clientConfig', 'Required value: exactly one of url or service is required'],
      ['FieldValueRequired', 'webhooks[0].admissionReviewVersions', 'Required value: must specify one of v1, v1beta1'],
      ['FieldValueRequired', 'webhooks[1].name', 'Required value'],
      ['FieldValueRequired', 'webhooks[1].sideEffects', 'Required value: must specify one of None, NoneOnDryRun'],
      ['FieldValueRequired', 'webhooks[1].clientConfig', 'Required value: exactly one of url or service is required'],
      ['FieldValueRequired', 'webhooks[1].admissionReviewVersions', 'Required value: must specify one of v1, v1beta1'],
      ['FieldValueInvalid', 'webhooks[2].name', `Invalid value: "Pods.Example.com": ${DNS_SUBDOMAIN}`],
    ],
  },
  {
    name: 'values outside their enumerations, a timeout over 30 seconds, a duplicate webhook name',
    url: MUTATING,
    kind: 'MutatingWebhookConfiguration',
    webhooks: [
      webhook({ sideEffects: 'Maybe', failurePolicy: 'Never', matchPolicy: 'Fuzzy', reinvocationPolicy: 'Always', timeoutSeconds: 31 }),
      webhook({ sideEffects: 'Some', timeoutSeconds: 0 }),
    ],
    causes: [
      ['FieldValueNotSupported', 'webhooks[0].failurePolicy', 'Unsupported value: "Never": supported values: "Fail", "Ignore"'],
      ['FieldValueNotSupported', 'webhooks[0].matchPolicy', 'Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"'],
      ['FieldValueNotSupported', 'webhooks[0].sideEffects', 'Unsupported value: "Maybe": supported values: "None", "NoneOnDryRun"'],
      ['FieldValueInvalid', 'webhooks[0].timeoutSeconds', 'Invalid value: 31: the timeout value must be between 1 and 30 seconds'],
      ['FieldValueNotSupported', 'webhooks[0].reinvocationPolicy', 'Unsupported value: "Always": supported values: "IfNeeded", "Never"'],
      ['FieldValueNotSupported', 'webhooks[1].sideEffects', 'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'],
      ['FieldValueInvalid', 'webhooks[1].timeoutSeconds', 'Invalid value: 0: the timeout value must be between 1 and 30 seconds'],
      ['FieldValueDuplicate', 'webhooks[1].name', 'Duplicate value: "pods.webhook.example.com"'],
    ],
  },
  {
    name: 'URLs: not https, with user, query or fragment, unparsable, empty; a URL and a service',
    url: VALIDATING,
    kind: 'ValidatingWebhookConfiguration',
    webhooks: [
      webhook({ name: 'a.example.com', clientConfig: { url: 'http://user:pw@example.com/admit?debug=1#top' } }),
      webhook({ name: 'b.example.com', clientConfig: { url: 'https://exa mple.com/admit' } }),
      webhook({ name: 'c.example.com', clientConfig: { url: '' } }),
      webhook({ name: 'd.example.com', clientConfig: { url: 'https://example.com', service: { name: 's', namespace: 'ns' } } }),
    ],
    causes: [
      ['FieldValueInvalid', 'webhooks[0].clientConfig.url', `Invalid value: "http": 'https' is the only allowed URL scheme${URL_FORM}`],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.url', 'Invalid value: "user:pw": user information is not permitted in the URL'],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.url', 'Invalid value: "top": fragments are not permitted in the URL'],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.url', 'Invalid value: "debug=1": query parameters are not permitted in the URL'],
      [
        'FieldValueRequired',
        'webhooks[1].clientConfig.url',
        `Required value: url must be a valid URL: parse "https://exa mple.com/admit": invalid character " " in host name${URL_FORM}`,
      ],
      ['FieldValueInvalid', 'webhooks[2].clientConfig.url', `Invalid value: "": 'https' is the only allowed URL scheme${URL_FORM}`],
      ['FieldValueInvalid', 'webhooks[2].clientConfig.url', `Invalid value: "": host must be provided${URL_FORM}`],
      ['FieldValueRequired', 'webhooks[3].clientConfig', 'Required value: exactly one of url or service is required'],
    ],
  },
  {
    name: 'services: a missing name or namespace (reported swapped, as upstream does), port 0, bad paths',
    url: MUTATING,
    kind: 'MutatingWebhookConfiguration',
    webhooks: [
      webhook({ name: 'a.example.com', clientConfig: { service: { namespace: 'system', port: 0, path: 'hooks//Mutate/' } } }),
      webhook({ name: 'b.example.com', clientConfig: { service: { name: 'hook', path: '//' } } }),
    ],
    causes: [
      ['FieldValueRequired', 'webhooks[0].clientConfig.service.namespace', 'Required value: service namespace is required'],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.service.port', 'Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive'],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.service.path', `Invalid value: "hooks//Mutate/": must start with a '/'`],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.service.path', 'Invalid value: "hooks//Mutate/": segment[1] may not be empty'],
      ['FieldValueInvalid', 'webhooks[0].clientConfig.service.path', `Invalid value: "hooks//Mutate/": segment[2]: ${DNS_SUBDOMAIN}`],
      ['FieldValueRequired', 'webhooks[1].clientConfig.service.name', 'Required value: service name is required'],
      ['FieldValueInvalid', 'webhooks[1].clientConfig.service.path', 'Invalid value: "//": segment[0] may not be empty'],
    ],
  },
  {
    name: 'rules: wildcards mixed with other values, unknown operations and scopes, empty entries, overlapping subresources',
    url: VALIDATING,
    kind: 'ValidatingWebhookConfiguration',
    webhooks: [
      webhook({
        rules: [
          { operations: ['*', 'CREATE'], apiGroups: [], apiVersions: ['*', 'v1'], resources: ['*', 'pods'], scope: 'Everywhere' },
          { operations: ['PATCH'], apiGroups: ['apps', '*'], apiVersions: [''], resources: ['deployments/*', 'deployments/status', '*/scale', 'pods/scale', ''] },
          { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['*/*', 'pods'] },
          // as upstream, only the last resource without a subresource counts against `*`
          { operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', '*'] },
          { operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: [] },
        ],
      }),
    ],
    causes: [
      ['FieldValueInvalid', 'webhooks[0].rules[0].operations', `Invalid value: ["*","CREATE"]: if '*' is present, must not specify other operations`],
      ['FieldValueRequired', 'webhooks[0].rules[0].apiGroups', 'Required value'],
      ['FieldValueInvalid', 'webhooks[0].rules[0].apiVersions', `Invalid value: ["*","v1"]: if '*' is present, must not specify other API versions`],
      ['FieldValueInvalid', 'webhooks[0].rules[0].resources', `Invalid value: ["*","pods"]: if '*' is present, must not specify other resources without subresources`],
      ['FieldValueNotSupported', 'webhooks[0].rules[0].scope', 'Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"'],
      ['FieldValueNotSupported', 'webhooks[0].rules[1].operations[0]', 'Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"'],
      ['FieldValueInvalid', 'webhooks[0].rules[1].apiGroups', `Invalid value: ["apps","*"]: if '*' is present, must not specify other API groups`],
      ['FieldValueRequired', 'webhooks[0].rules[1].apiVersions[0]', 'Required value'],
      ['FieldValueInvalid', 'webhooks[0].rules[1].resources[1]', `Invalid value: "deployments/status": if 'deployments/*' is present, must not specify deployments/status`],
      ['FieldValueInvalid', 'webhooks[0].rules[1].resources[3]', `Invalid value: "pods/scale": if '*/scale' is present, must not specify pods/scale`],
      ['FieldValueRequired', 'webhooks[0].rules[1].resources[4]', 'Required value'],
      ['FieldValueInvalid', 'webhooks[0].rules[2].resources', `Invalid value: ["*/*","pods"]: if '*/*' is present, must not specify other resources`],
      ['FieldValueRequired', 'webhooks[0].rules[4].resources', 'Required value'],
    ],
  },
  {
    name: 'label selectors and AdmissionReview versions',
    url: MUTATING,
    kind: 'MutatingWebhookConfiguration',
    webhooks: [
      webhook({
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Has' }] },
        objectSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] },
        admissionReviewVersions: ['v2', 'V1', 'v2'],
      }),
    ],
    causes: [
      ['FieldValueInvalid', 'webhooks[0].namespaceSelector.matchExpressions[0].operator', 'Invalid value: "Has": not a valid selector operator'],
      ['FieldValueRequired', 'webhooks[0].objectSelector.matchExpressions[0].values', "Required value: must be specified when `operator` is 'In' or 'NotIn'"],
      ['FieldValueInvalid', 'webhooks[0].admissionReviewVersions[1]', `Invalid value: "V1": ${DNS_1035}`],
      ['FieldValueInvalid', 'webhooks[0].admissionReviewVersions[2]', 'Invalid value: "v2": duplicate version'],
      ['FieldValueInvalid', 'webhooks[0].admissionReviewVersions', 'Invalid value: ["v2","V1","v2"]: must include at least one of v1, v1beta1'],
    ],
  },
  {
    name: 'match conditions: names, empty and uncompilable expressions, a result other than bool, more than 64',
    url: VALIDATING,
    kind: 'ValidatingWebhookConfiguration',
    webhooks: [
      webhook({
        name: 'a.example.com',
        matchConditions: [
          { name: 'create', expression: "request.operation == 'CREATE'" },
          { name: 'authorized', expression: "authorizer.requestResource.check('get').allowed() && authorizer.group('apps').resource('deployments').namespace('ns').check('list').reason() == ''" },
          { name: 'create', expression: '  ' },
          { name: 'not a name!', expression: ' object.metadata ' },
          { name: '', expression: 'request.nope == 1' },
          { name: 'params', expression: "params.enabled == 'true'" },
        ],
      }),
      webhook({ name: 'b.example.com', matchConditions: Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, expression: 'true' })) }),
    ],
    causes: [
      ['FieldValueRequired', 'webhooks[0].matchConditions[2].expression', 'Required value'],
      ['FieldValueDuplicate', 'webhooks[0].matchConditions[2].name', 'Duplicate value: "create"'],
      ['FieldValueInvalid', 'webhooks[0].matchConditions[3].expression', 'Invalid value: "object.metadata": must evaluate to bool but got dyn'],
      ['FieldValueInvalid', 'webhooks[0].matchConditions[3].name', `Invalid value: "not a name!": ${QUALIFIED_NAME}`],
      ['FieldValueInvalid', 'webhooks[0].matchConditions[4].expression', 'Invalid value: "request.nope == 1": compilation failed: ERROR: <input>: No such key: nope'],
      ['FieldValueRequired', 'webhooks[0].matchConditions[4].name', 'Required value'],
      ['FieldValueInvalid', 'webhooks[0].matchConditions[5].expression', `Invalid value: "params.enabled == 'true'": compilation failed: ERROR: <input>: Unknown variable: params`],
      ['FieldValueTooMany', 'webhooks[1].matchConditions', 'Too many: 65: must have at most 64 items'],
    ],
  },
];

describe('validation on create', () => {
  it.each(cases)('$name', async ({ url, kind, webhooks, causes }) => {
    const before = await revisionOf(t);
    expectStatus(await t.request('POST', url, { metadata: { name: 'bad' }, webhooks }), invalid(kind, 'bad', causes));
    expectStatus(await t.request('POST', `${url}?dryRun=All`, { metadata: { name: 'bad' }, webhooks }), invalid(kind, 'bad', causes));
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', `${url}/bad`)).status).toBe(404);
  });
});

describe('update', () => {
  it('validates the new object; a body without the defaults changes nothing', async () => {
    const body = { metadata: { name: 'updated' }, webhooks: [webhook()] };
    const created = (await t.request('POST', MUTATING, body)).json();

    const same = await t.request('PUT', `${MUTATING}/updated`, body);
    expect(same.status).toBe(200);
    expect(same.json().metadata).toMatchObject({ generation: 1, resourceVersion: created.metadata.resourceVersion });

    const before = await revisionOf(t);
    expectStatus(
      await t.request('PUT', `${MUTATING}/updated`, { metadata: { name: 'updated' }, webhooks: [webhook({ sideEffects: 'Some', clientConfig: {} })] }),
      invalid('MutatingWebhookConfiguration', 'updated', [
        ['FieldValueNotSupported', 'webhooks[0].sideEffects', 'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'],
        ['FieldValueRequired', 'webhooks[0].clientConfig', 'Required value: exactly one of url or service is required'],
      ]),
    );
    expect(await revisionOf(t)).toBe(before);

    const changed = await t.request('PATCH', `${MUTATING}/updated`, { webhooks: [webhook({ timeoutSeconds: 5 })] }, MERGE);
    expect(changed.json()).toMatchObject({ metadata: { generation: 2 }, webhooks: [{ timeoutSeconds: 5, failurePolicy: 'Fail', reinvocationPolicy: 'Never' }] });
  });

  it('accepts what the stored object already got wrong, until its match conditions change', async () => {
    // stored by an older server: side effects Unknown, an AdmissionReview version this one does not know,
    // two webhooks of one name, an invalid label value, a match condition that no longer compiles
    const legacy = {
      apiVersion: `${GROUP}/v1`,
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'legacy', uid: 'legacy-uid', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', annotations: { 'kcp.io/cluster': 'webhooks' } },
      webhooks: [
        {
          ...webhook({ sideEffects: 'Unknown', admissionReviewVersions: ['v1alpha9'] }),
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['not valid'] }] },
          objectSelector: {},
          timeoutSeconds: 10,
          matchConditions: [{ name: 'old', expression: 'object.metadata' }],
        },
        { ...webhook(), failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10 },
      ],
    };
    await t.store.create(`/registry/${GROUP}/validatingwebhookconfigurations/webhooks/legacy`, new TextEncoder().encode(JSON.stringify(legacy)));
    await eventually(async () => (await t.request('GET', `${VALIDATING}/legacy`)).status === 200);

    const labelled = await t.request('PATCH', `${VALIDATING}/legacy`, { metadata: { labels: { team: 'a' } } }, MERGE);
    expect(labelled.status).toBe(200);
    expect(labelled.json().metadata.generation).toBe(1);

    const [first, second] = labelled.json().webhooks;
    const some = await t.request('PUT', `${VALIDATING}/legacy`, { ...labelled.json(), webhooks: [{ ...first, sideEffects: 'Some' }, second] });
    expect(some.status).toBe(200);
    expect(some.json().metadata.generation).toBe(2);

    const before = await revisionOf(t);
    expectStatus(
      await t.request('PUT', `${VALIDATING}/legacy`, {
        ...some.json(),
        webhooks: [{ ...first, sideEffects: 'Maybe', matchConditions: [{ name: 'old', expression: 'object.spec' }] }, second],
      }),
      invalid('ValidatingWebhookConfiguration', 'legacy', [
        ['FieldValueNotSupported', 'webhooks[0].sideEffects', 'Unsupported value: "Maybe": supported values: "None", "NoneOnDryRun", "Some", "Unknown"'],
        ['FieldValueInvalid', 'webhooks[0].matchConditions[0].expression', 'Invalid value: "object.spec": must evaluate to bool but got dyn'],
      ]),
    );
    expect(await revisionOf(t)).toBe(before);
  });
});
