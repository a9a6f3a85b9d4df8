import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, type TestServer, configMap, eventually, expectStatus, failure, revisionAfterPolicyStatus, revisionOf, startBadInputServer } from './bad-input-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startBadInputServer();
});
afterAll(async () => {
  await t.stop();
});

const ADMISSION = 'apis/admissionregistration.k8s.io/v1';
const ns = (cluster: string, name: string, labels: Record<string, string> = {}) =>
  t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels },
  });
const configmaps = (cluster: string, namespace: string) => `/clusters/${cluster}/api/v1/namespaces/${namespace}/configmaps`;

const CONFIGMAPS = {
  operations: ['CREATE', 'UPDATE'],
  apiGroups: [''],
  apiVersions: ['v1'],
  resources: ['configmaps'],
};

function policy(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [CONFIGMAPS] },
      ...spec,
    },
  };
}

function binding(name: string, policyName: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName, validationActions: ['Deny'], ...spec },
  };
}

/** Creates the policies and bindings of `cluster`, then waits until `probe` says they are enforced. */
async function install(cluster: string, objects: { policies?: object[]; bindings?: object[] }, probe: () => Promise<boolean>): Promise<void> {
  for (const p of objects.policies ?? []) {
    const created = await t.request('POST', `/clusters/${cluster}/${ADMISSION}/validatingadmissionpolicies`, p);
    expect(created.status, JSON.stringify(created.json())).toBe(201);
  }
  for (const b of objects.bindings ?? []) {
    const created = await t.request('POST', `/clusters/${cluster}/${ADMISSION}/validatingadmissionpolicybindings`, b);
    expect(created.status, JSON.stringify(created.json())).toBe(201);
  }
  await eventually(probe, 4_000);
}

/** A dry-run create of a ConfigMap answers `status`. */
const dryRunAnswers = (cluster: string, namespace: string, cm: object, status: number) => async () =>
  (await t.request('POST', `${configmaps(cluster, namespace)}?dryRun=All`, cm)).status === status;

/** The Status of a refusal by a policy, as kube-apiserver builds it. */
function refusal(code: number, reason: string, resource: { group?: string; resource: string; name: string }, message: string) {
  const qualified = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
  return failure(code, reason, `${qualified} "${resource.name}" is forbidden: ${message}`, {
    name: resource.name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.resource,
    causes: [{ message }],
  });
}

/** The 422 a policy's denial of a ConfigMap gets (no `reason` set). */
const invalidConfigMap = (name: string, message: string) => refusal(422, 'Invalid', { resource: 'configmaps', name }, message);

/** Asserts that `write` is refused with `status` and writes nothing. */
async function expectRefused(write: () => Promise<Awaited<ReturnType<TestServer['request']>>>, status: Record<string, unknown>): Promise<void> {
  const before = await revisionAfterPolicyStatus(t);
  expectStatus(await write(), status);
  expect(await revisionOf(t)).toBe(before);
}

describe('ValidatingAdmissionPolicy: validations', () => {
  it('denies with the message, the messageExpression or the default message; 422 Invalid unless a reason says otherwise', async () => {
    // policy name, its validation of data key `key`, and the refusal it gives a ConfigMap with that key
    const cases: Array<[name: string, key: string, validation: Record<string, string>, code: number, reason: string, message: string]> = [
      ['with-message', 'a', { message: 'a is not allowed' }, 422, 'Invalid', 'a is not allowed'],
      ['with-expression', 'b', { message: 'unused', messageExpression: "'b is ' + object.data.b" }, 422, 'Invalid', 'b is 1'],
      ['with-default', 'c', { expression: " !('c' in object.data) " }, 422, 'Invalid', "failed expression: !('c' in object.data)"],
      ['forbidden', 'd', { reason: 'Forbidden', message: 'd is forbidden' }, 403, 'Forbidden', 'd is forbidden'],
      ['too-large', 'e', { reason: 'RequestEntityTooLarge' }, 413, 'RequestEntityTooLarge', "failed expression: !('e' in object.data)"],
      // a message with a line break, or a messageExpression that fails, falls back to the message
      ['multi-line', 'f', { messageExpression: "'multi\\nline'", message: 'f' }, 422, 'Invalid', 'f'],
      ['not-a-string', 'g', { messageExpression: 'string(object.data.nope)', message: 'g' }, 422, 'Invalid', 'g'],
    ];
    await ns('vap1', 'team');
    await install(
      'vap1',
      {
        policies: cases.map(([name, key, validation]) => policy(name, { validations: [{ expression: `!('${key}' in object.data)`, ...validation }] })),
        bindings: cases.map(([name]) => binding(`${name}-binding`, name)),
      },
      dryRunAnswers('vap1', 'team', configMap('probe', { a: '1' }), 422),
    );
    const create = (data: Record<string, string>) => () => t.request('POST', configmaps('vap1', 'team'), configMap('cm', data));
    for (const [name, key, , code, reason, message] of cases) {
      await expectRefused(
        create({ [key]: '1' }),
        refusal(code, reason, { resource: 'configmaps', name: 'cm' }, `ValidatingAdmissionPolicy '${name}' with binding '${name}-binding' denied request: ${message}`),
      );
    }
    // the first denial (policies by name) is the one reported
    await expectRefused(
      create({ a: '1', b: '2' }),
      invalidConfigMap('cm', "ValidatingAdmissionPolicy 'with-expression' with binding 'with-expression-binding' denied request: b is 2"),
    );
    expect((await t.request('POST', configmaps('vap1', 'team'), configMap('cm', { ok: '1' }))).status).toBe(201);
    // validation sees the generated name (upstream generates it before validating admission)
    const generated = await t.request('POST', configmaps('vap1', 'team'), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'gen-' },
      data: { a: '1' },
    });
    expect(generated.status).toBe(422);
    expect(generated.json().message).toMatch(
      /^configmaps "gen-[a-z0-9]{5}" is forbidden: ValidatingAdmissionPolicy 'with-message' with binding 'with-message-binding' denied request: a is not allowed$/,
    );
  });

  it('warns instead with the Warn action and lets the write through; Audit alone does not refuse', async () => {
    await ns('vap2', 'team');
    await install(
      'vap2',
      {
        policies: [
          policy('no-a', {
            validations: [
              {
                expression: "!('a' in object.data)",
                message: 'a is not allowed',
              },
            ],
          }),
        ],
        bindings: [binding('warn', 'no-a', { validationActions: ['Warn', 'Audit'] }), binding('audit', 'no-a', { validationActions: ['Audit'] })],
      },
      async () => {
        const r = await t.request('POST', `${configmaps('vap2', 'team')}?dryRun=All`, configMap('probe', { a: '1' }));
        return r.headers['warning'] !== undefined;
      },
    );
    const created = await t.request('POST', configmaps('vap2', 'team'), configMap('cm', { a: '1' }));
    expect(created.status).toBe(201);
    expect(created.headers['warning']).toEqual([`299 - "Validation failed for ValidatingAdmissionPolicy 'no-a' with binding 'warn': a is not allowed"`]);
    expect((await t.request('GET', `${configmaps('vap2', 'team')}/cm`)).status).toBe(200);
  });

  it('runs on updates with oldObject and on deletes (object null, the name unknown)', async () => {
    await ns('vap3', 'team');
    expect((await t.request('POST', configmaps('vap3', 'team'), configMap('cm', { k: 'v' }, { labels: { locked: 'true' } }))).status).toBe(201);
    await install(
      'vap3',
      {
        policies: [
          policy('immutable-when-locked', {
            matchConstraints: {
              resourceRules: [{ ...CONFIGMAPS, operations: ['UPDATE', 'DELETE'] }],
            },
            validations: [
              {
                expression:
                  "request.operation == 'DELETE' ? object == null && oldObject.metadata.name == 'cm' && !has(oldObject.metadata.labels) : oldObject.data == object.data",
                messageExpression: "request.operation == 'DELETE' ? 'cannot delete ' + oldObject.metadata.name : 'data was ' + oldObject.data.k",
              },
            ],
          }),
        ],
        bindings: [binding('immutable-binding', 'immutable-when-locked')],
      },
      async () =>
        (await t.request('PUT', `${configmaps('vap3', 'team')}/cm?dryRun=All`, configMap('cm', { k: 'changed' }, { labels: { locked: 'true' } }))).status ===
        422,
    );
    await expectRefused(
      () => t.request('PUT', `${configmaps('vap3', 'team')}/cm`, configMap('cm', { k: 'changed' }, { labels: { locked: 'true' } })),
      invalidConfigMap('cm', "ValidatingAdmissionPolicy 'immutable-when-locked' with binding 'immutable-binding' denied request: data was v"),
    );
    await expectRefused(
      () => t.request('DELETE', `${configmaps('vap3', 'team')}/cm`),
      invalidConfigMap('cm', "ValidatingAdmissionPolicy 'immutable-when-locked' with binding 'immutable-binding' denied request: cannot delete cm"),
    );
    // an update that keeps the data passes
    expect((await t.request('PUT', `${configmaps('vap3', 'team')}/cm`, configMap('cm', { k: 'v' }))).status).toBe(200);
    expect((await t.request('DELETE', `${configmaps('vap3', 'team')}/cm`)).status).toBe(200);
  });

  it('applies only in its own logical cluster, and not to policies and bindings themselves', async () => {
    await ns('vap4', 'team');
    await ns('vap4-other', 'team');
    await install(
      'vap4',
      {
        policies: [
          policy('deny-all', {
            matchConstraints: {
              resourceRules: [
                {
                  operations: ['*'],
                  apiGroups: ['*'],
                  apiVersions: ['*'],
                  resources: ['*'],
                },
              ],
            },
            validations: [{ expression: 'false', message: 'nothing goes' }],
          }),
        ],
        bindings: [binding('deny-all-binding', 'deny-all')],
      },
      dryRunAnswers('vap4', 'team', configMap('probe'), 422),
    );
    expect((await t.request('POST', configmaps('vap4-other', 'team'), configMap('cm'))).status).toBe(201);
    // policies and bindings stay writable: no lock-out
    const cleanup = await t.request('DELETE', `/clusters/vap4/${ADMISSION}/validatingadmissionpolicybindings/deny-all-binding`);
    expect(cleanup.status).toBe(200);
    await eventually(dryRunAnswers('vap4', 'team', configMap('probe'), 201), 4_000);
  });
  it('follows changes: an updated policy applies its new expressions, a binding of a missing policy does nothing', async () => {
    await ns('vap12', 'team');
    await install(
      'vap12',
      {
        policies: [policy('limit', { validations: [{ expression: "!('a' in object.data)", message: 'no a' }] })],
        bindings: [binding('limit-binding', 'limit'), binding('orphan', 'does-not-exist')],
      },
      dryRunAnswers('vap12', 'team', configMap('probe', { a: '1' }), 422),
    );
    const current = (await t.request('GET', `/clusters/vap12/${ADMISSION}/validatingadmissionpolicies/limit`)).json();
    current.spec.validations = [{ expression: "!('b' in object.data)", message: 'no b' }];
    expect((await t.request('PUT', `/clusters/vap12/${ADMISSION}/validatingadmissionpolicies/limit`, current)).status).toBe(200);
    await eventually(dryRunAnswers('vap12', 'team', configMap('probe', { a: '1' }), 201), 4_000);
    await expectRefused(
      () => t.request('POST', configmaps('vap12', 'team'), configMap('cm', { b: '1' })),
      invalidConfigMap('cm', "ValidatingAdmissionPolicy 'limit' with binding 'limit-binding' denied request: no b"),
    );
    expect((await t.request('DELETE', `/clusters/vap12/${ADMISSION}/validatingadmissionpolicies/limit`)).status).toBe(200);
    await eventually(dryRunAnswers('vap12', 'team', configMap('probe', { b: '1' }), 201), 4_000);
  });
});

describe('ValidatingAdmissionPolicy: matching', () => {
  it('narrows by the binding’s matchResources, namespace and object selectors, excluded rules and resource names', async () => {
    await ns('vap5', 'prod', { env: 'prod' });
    await ns('vap5', 'dev', { env: 'dev' });
    await install(
      'vap5',
      {
        policies: [
          policy('no-data', {
            matchConstraints: {
              resourceRules: [{ ...CONFIGMAPS, operations: ['CREATE'] }],
              excludeResourceRules: [{ ...CONFIGMAPS, resourceNames: ['excluded'] }],
              objectSelector: {
                matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }],
              },
            },
            validations: [
              {
                expression: "!has(object.data) || size(object.data) == 0 || object.metadata.name == 'probe-ok'",
                message: 'no data here',
              },
            ],
          }),
          policy('only-named', {
            matchConstraints: {
              resourceRules: [{ ...CONFIGMAPS, resourceNames: ['special'] }],
            },
            validations: [{ expression: 'false', message: 'special is special' }],
          }),
        ],
        bindings: [
          binding('prod-only', 'no-data', {
            matchResources: {
              namespaceSelector: { matchLabels: { env: 'prod' } },
            },
          }),
          binding('only-named-binding', 'only-named'),
        ],
      },
      dryRunAnswers('vap5', 'prod', configMap('probe'), 422),
    );
    const refusedIn = (name: string) =>
      refusal(422, 'Invalid', { resource: 'configmaps', name }, "ValidatingAdmissionPolicy 'no-data' with binding 'prod-only' denied request: no data here");
    await expectRefused(() => t.request('POST', configmaps('vap5', 'prod'), configMap('cm')), refusedIn('cm'));
    // the binding's namespace selector leaves dev out
    expect((await t.request('POST', configmaps('vap5', 'dev'), configMap('cm'))).status).toBe(201);
    // the object selector: objects labelled skip are not matched
    expect((await t.request('POST', configmaps('vap5', 'prod'), configMap('skipped', { k: 'v' }, { labels: { skip: 'yes' } }))).status).toBe(201);
    // excluded by name
    expect((await t.request('POST', configmaps('vap5', 'prod'), configMap('excluded'))).status).toBe(201);
    // updates are not in the policy's operations
    expect((await t.request('PUT', `${configmaps('vap5', 'prod')}/skipped`, configMap('skipped', { k: 'w' }))).status).toBe(200);
    // resourceNames: only the named object
    await expectRefused(
      () => t.request('POST', configmaps('vap5', 'dev'), configMap('special')),
      invalidConfigMap('special', "ValidatingAdmissionPolicy 'only-named' with binding 'only-named-binding' denied request: special is special"),
    );
  });

  it('matches namespaces by their own labels, subresources by res/sub, and cluster-scoped objects whatever the namespace selector', async () => {
    await install(
      'vap6',
      {
        policies: [
          policy('namespaces', {
            matchConstraints: {
              resourceRules: [
                {
                  operations: ['CREATE', 'UPDATE'],
                  apiGroups: [''],
                  apiVersions: ['v1'],
                  resources: ['namespaces', 'namespaces/finalize'],
                },
              ],
              namespaceSelector: { matchLabels: { guarded: 'true' } },
            },
            validations: [
              {
                expression: "!has(request.subResource) && object.metadata.name.startsWith('ok-')",
                messageExpression: "'refused ' + request.resource.resource + (has(request.subResource) ? '/' + request.subResource : '')",
              },
            ],
          }),
          policy('cluster-roles', {
            matchConstraints: {
              resourceRules: [
                {
                  operations: ['CREATE'],
                  apiGroups: ['rbac.authorization.k8s.io'],
                  apiVersions: ['*'],
                  resources: ['*'],
                  scope: 'Cluster',
                },
              ],
              namespaceSelector: { matchLabels: { never: 'matches' } },
            },
            validations: [
              {
                expression: "object.kind != 'ClusterRole'",
                message: 'no cluster roles',
              },
            ],
          }),
        ],
        bindings: [binding('namespaces-binding', 'namespaces'), binding('cluster-roles-binding', 'cluster-roles')],
      },
      async () =>
        (
          await t.request('POST', '/clusters/vap6/api/v1/namespaces?dryRun=All', {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'probe', labels: { guarded: 'true' } },
          })
        ).status === 422,
    );
    await expectRefused(
      () => ns('vap6', 'guarded', { guarded: 'true' }),
      refusal(
        422,
        'Invalid',
        { resource: 'namespaces', name: 'guarded' },
        "ValidatingAdmissionPolicy 'namespaces' with binding 'namespaces-binding' denied request: refused namespaces",
      ),
    );
    expect((await ns('vap6', 'unguarded')).status).toBe(201);
    expect((await ns('vap6', 'ok-guarded', { guarded: 'true' })).status).toBe(201);
    const finalize = await t.request('PUT', '/clusters/vap6/api/v1/namespaces/ok-guarded/finalize', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ok-guarded', labels: { guarded: 'true' } },
      spec: { finalizers: [] },
    });
    expectStatus(
      finalize,
      refusal(
        422,
        'Invalid',
        { resource: 'namespaces', name: 'ok-guarded' },
        "ValidatingAdmissionPolicy 'namespaces' with binding 'namespaces-binding' denied request: refused namespaces/finalize",
      ),
    );
    await expectRefused(
      () =>
        t.request('POST', '/clusters/vap6/apis/rbac.authorization.k8s.io/v1/clusterroles', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [],
        }),
      refusal(
        422,
        'Invalid',
        {
          group: 'rbac.authorization.k8s.io',
          resource: 'clusterroles',
          name: 'r',
        },
        "ValidatingAdmissionPolicy 'cluster-roles' with binding 'cluster-roles-binding' denied request: no cluster roles",
      ),
    );
    // scope Cluster: a namespaced Role is not matched
    expect(
      (
        await t.request('POST', '/clusters/vap6/apis/rbac.authorization.k8s.io/v1/namespaces/unguarded/roles', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r' },
          rules: [],
        })
      ).status,
    ).toBe(201);
  });
});

describe('ValidatingAdmissionPolicy: params', () => {
  const limits = (name: string, max: string, labels: Record<string, string> = {}) => configMap(name, { max }, { labels });
  const paramPolicy = (name: string, failurePolicy = 'Fail') =>
    policy(name, {
      failurePolicy,
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: {
        resourceRules: [{ ...CONFIGMAPS, resourceNames: ['data'] }],
      },
      validations: [
        {
          expression: 'size(object.data) <= int(params.data.max)',
          messageExpression: "'at most ' + params.data.max + ' keys (' + params.metadata.name + ')'",
        },
      ],
    });

  it('reads a param by name (in the request’s namespace unless the binding names one) and once per param of a selector', async () => {
    await ns('vap7', 'team');
    await ns('vap7', 'config');
    await t.request('POST', configmaps('vap7', 'team'), limits('limits', '1'));
    await t.request('POST', configmaps('vap7', 'config'), limits('strict', '0', { tier: 'strict' }));
    await t.request('POST', configmaps('vap7', 'config'), limits('loose', '5', { tier: 'loose' }));
    await t.request('POST', configmaps('vap7', 'config'), limits('looser', '3', { tier: 'loose' }));
    await install(
      'vap7',
      {
        policies: [paramPolicy('by-name'), paramPolicy('by-selector')],
        bindings: [
          binding('local', 'by-name', {
            paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' },
          }),
          binding('selected', 'by-selector', {
            paramRef: {
              namespace: 'config',
              selector: { matchLabels: { tier: 'loose' } },
              parameterNotFoundAction: 'Deny',
            },
          }),
        ],
      },
      dryRunAnswers('vap7', 'team', configMap('data', { a: '1', b: '2' }), 422),
    );
    await expectRefused(
      () => t.request('POST', configmaps('vap7', 'team'), configMap('data', { a: '1', b: '2' })),
      invalidConfigMap('data', "ValidatingAdmissionPolicy 'by-name' with binding 'local' denied request: at most 1 keys (limits)"),
    );
    // in namespace config there is no `limits`: Deny
    await expectRefused(
      () => t.request('POST', configmaps('vap7', 'config'), configMap('data', { a: '1', b: '2', c: '3', d: '4' })),
      invalidConfigMap('data', "ValidatingAdmissionPolicy 'by-name' with binding 'local' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"),
    );
    // the selector's params: loose (5) lets 4 keys through, looser (3) does not
    await t.request('POST', configmaps('vap7', 'team'), limits('limits', '9'));
    await t.request('PUT', `${configmaps('vap7', 'team')}/limits`, limits('limits', '9'));
    await eventually(dryRunAnswers('vap7', 'team', configMap('data', { a: '1', b: '2' }), 201), 4_000);
    await expectRefused(
      () => t.request('POST', configmaps('vap7', 'team'), configMap('data', { a: '1', b: '2', c: '3', d: '4' })),
      invalidConfigMap('data', "ValidatingAdmissionPolicy 'by-selector' with binding 'selected' denied request: at most 3 keys (looser)"),
    );
    expect((await t.request('POST', configmaps('vap7', 'team'), configMap('data', { a: '1', b: '2', c: '3' }))).status).toBe(201);
  });

  it('missing params: Allow skips, Deny refuses; an unknown paramKind refuses by failurePolicy', async () => {
    await ns('vap8', 'team');
    await install(
      'vap8',
      {
        policies: [
          paramPolicy('allowing'),
          paramPolicy('denying'),
          policy('unknown-kind', {
            paramKind: { apiVersion: 'example.com/v1', kind: 'Limits' },
            validations: [{ expression: 'true' }],
          }),
          policy('unknown-kind-ignored', {
            failurePolicy: 'Ignore',
            paramKind: { apiVersion: 'example.com/v1', kind: 'Limits' },
            validations: [{ expression: 'true' }],
          }),
        ],
        bindings: [
          binding('allow', 'allowing', {
            paramRef: { name: 'missing', parameterNotFoundAction: 'Allow' },
          }),
          binding('deny', 'denying', {
            paramRef: {
              selector: { matchLabels: { none: 'x' } },
              parameterNotFoundAction: 'Deny',
            },
          }),
          binding('unknown', 'unknown-kind', {
            paramRef: { name: 'x', parameterNotFoundAction: 'Allow' },
          }),
          binding('unknown-ignored', 'unknown-kind-ignored', {
            paramRef: { name: 'x', parameterNotFoundAction: 'Allow' },
          }),
        ],
      },
      dryRunAnswers('vap8', 'team', configMap('data'), 422),
    );
    await expectRefused(
      () => t.request('POST', configmaps('vap8', 'team'), configMap('data')),
      invalidConfigMap('data', "ValidatingAdmissionPolicy 'denying' with binding 'deny' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"),
    );
    const deleted = await t.request('DELETE', `/clusters/vap8/${ADMISSION}/validatingadmissionpolicybindings/deny`);
    expect(deleted.status).toBe(200);
    await eventually(async () => {
      const r = await t.request('POST', `${configmaps('vap8', 'team')}?dryRun=All`, configMap('data'));
      return r.json().message?.includes('unknown-kind') === true;
    }, 4_000);
    await expectRefused(
      () => t.request('POST', configmaps('vap8', 'team'), configMap('data')),
      invalidConfigMap('data', "ValidatingAdmissionPolicy 'unknown-kind' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Limits'"),
    );
  });
});

describe('ValidatingAdmissionPolicy: expressions', () => {
  it('evaluation errors follow failurePolicy: Fail refuses, Ignore admits', async () => {
    await ns('vap9', 'team');
    await install(
      'vap9',
      {
        policies: [
          policy('failing', {
            validations: [{ expression: "object.data.missing == 'x'" }],
          }),
          policy('ignoring', {
            failurePolicy: 'Ignore',
            validations: [{ expression: "object.data.absent == 'x'" }],
          }),
        ],
        bindings: [binding('failing-binding', 'failing'), binding('ignoring-binding', 'ignoring')],
      },
      dryRunAnswers('vap9', 'team', configMap('probe'), 422),
    );
    await expectRefused(
      () => t.request('POST', configmaps('vap9', 'team'), configMap('cm')),
      invalidConfigMap('cm', "ValidatingAdmissionPolicy 'failing' with binding 'failing-binding' denied request: expression 'object.data.missing == 'x'' resulted in error: no such key: missing"),
    );
    expect((await t.request('POST', configmaps('vap9', 'team'), configMap('cm', { missing: 'x' }))).status).toBe(201);
  });

  it('variables, matchConditions, request, namespaceObject and the authorizer', async () => {
    await ns('vap10', 'team', { owner: 'bob' });
    // bob may create configmaps in team, and list secrets there; alice may not
    await t.request('POST', '/clusters/vap10/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'writer' },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      ],
    });
    for (const user of ['alice', 'bob']) {
      await t.request('POST', '/clusters/vap10/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: user },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: user === 'bob' ? 'writer' : 'nothing',
        },
        subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
      });
    }
    await t.request('POST', '/clusters/vap10/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'nothing' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }],
    });
    await install(
      'vap10',
      {
        policies: [
          policy('owner-rules', {
            matchConditions: [
              {
                name: 'not-admin',
                expression: "!('system:masters' in request.userInfo.groups)",
              },
              {
                name: 'labelled',
                expression: "has(object.metadata.labels) && 'checked' in object.metadata.labels",
              },
            ],
            variables: [
              {
                name: 'owner',
                expression: "namespaceObject.metadata.labels['owner']",
              },
              {
                name: 'isOwner',
                expression: 'request.userInfo.username == variables.owner',
              },
              {
                name: 'canListSecrets',
                expression: "authorizer.group('').resource('secrets').namespace(request.namespace).check('list').allowed()",
              },
            ],
            validations: [
              {
                expression: 'variables.isOwner',
                messageExpression: "'only ' + variables.owner + ' may write here, not ' + request.userInfo.username",
                reason: 'Forbidden',
              },
              {
                expression: 'variables.canListSecrets && authorizer.requestResource.check(request.operation.lowerAscii()).allowed()',
                message: 'owner cannot list secrets',
              },
            ],
          }),
        ],
        bindings: [binding('owner-rules-binding', 'owner-rules')],
      },
      async () =>
        (
          await t.request('POST', `${configmaps('vap10', 'team')}?dryRun=All`, configMap('probe', { k: 'v' }, { labels: { checked: 'yes' } }), {}, TOKENS.alice)
        ).status === 403,
    );
    const create =
      (name: string, token: string, labels: Record<string, string> = { checked: 'yes' }) =>
      () =>
        t.request('POST', configmaps('vap10', 'team'), configMap(name, { k: 'v' }, { labels }), {}, token);
    await expectRefused(
      create('by-alice', TOKENS.alice),
      refusal(
        403,
        'Forbidden',
        { resource: 'configmaps', name: 'by-alice' },
        "ValidatingAdmissionPolicy 'owner-rules' with binding 'owner-rules-binding' denied request: only bob may write here, not alice",
      ),
    );
    // a matchCondition that is false: the policy does not apply
    expect((await create('unchecked', TOKENS.alice, {})()).status).toBe(201);
    // admins are left out by the first matchCondition
    expect((await create('by-admin', TOKENS.admin)()).status).toBe(201);
    expect((await create('by-bob', TOKENS.bob)()).status).toBe(201);
    // bob loses the right to list secrets: the authorizer check fails
    await t.request('PUT', '/clusters/vap10/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles/writer', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'writer' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }],
    });
    await eventually(async () => (await create('probe-bob', TOKENS.bob)()).status === 422, 4_000);
    await expectRefused(
      create('by-bob-2', TOKENS.bob),
      invalidConfigMap('by-bob-2', "ValidatingAdmissionPolicy 'owner-rules' with binding 'owner-rules-binding' denied request: owner cannot list secrets"),
    );
  });
});

describe('ValidatingAdmissionPolicy: custom resources', () => {
  const crd = (plural: string, kind: string, scope: string, subresources: Record<string, unknown> = {}) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope,
      names: { plural, kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });

  it('takes params from a custom resource and sees /scale writes as Scale', async () => {
    const cluster = 'vap11';
    await ns(cluster, 'team');
    for (const body of [
      crd('gadgets', 'Gadget', 'Namespaced', { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } }),
      crd('limits', 'Limit', 'Cluster'),
    ]) {
      expect((await t.request('POST', `/clusters/${cluster}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, body)).status).toBe(201);
    }
    const gadgets = `/clusters/${cluster}/apis/example.com/v1/namespaces/team/gadgets`;
    const limits = `/clusters/${cluster}/apis/example.com/v1/limits`;
    await eventually(async () => (await t.request('GET', limits)).status === 200 && (await t.request('GET', gadgets)).status === 200, 4_000);
    expect((await t.request('POST', limits, { apiVersion: 'example.com/v1', kind: 'Limit', metadata: { name: 'default' }, spec: { max: 3 } })).status).toBe(
      201,
    );
    expect((await t.request('POST', gadgets, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { replicas: 1 } })).status).toBe(
      201,
    );
    const scaleTo = (replicas: number) => () =>
      t.request('PATCH', `${gadgets}/g/scale`, { spec: { replicas } }, { 'content-type': 'application/merge-patch+json' });
    await install(
      cluster,
      {
        policies: [
          policy('max-scale', {
            paramKind: { apiVersion: 'example.com/v1', kind: 'Limit' },
            matchConstraints: { resourceRules: [{ operations: ['UPDATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['gadgets/scale'] }] },
            validations: [
              {
                expression:
                  "object.kind == 'Scale' && request.kind.kind == 'Scale' && request.subResource == 'scale' && object.spec.replicas <= params.spec.max",
                messageExpression: "'at most ' + string(params.spec.max) + ' replicas, not ' + string(object.spec.replicas)",
              },
            ],
          }),
          policy('misconfigured', {
            paramKind: { apiVersion: 'example.com/v1', kind: 'Limit' },
            matchConstraints: { resourceRules: [{ operations: ['UPDATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['gadgets'] }] },
            validations: [{ expression: 'true' }],
          }),
        ],
        bindings: [
          binding('max-scale-binding', 'max-scale', { paramRef: { name: 'default', parameterNotFoundAction: 'Deny' } }),
          binding('misconfigured-binding', 'misconfigured', { paramRef: { name: 'default', namespace: 'team', parameterNotFoundAction: 'Allow' } }),
        ],
      },
      async () =>
        (await t.request('PATCH', `${gadgets}/g/scale?dryRun=All`, { spec: { replicas: 9 } }, { 'content-type': 'application/merge-patch+json' })).status ===
        422,
    );
    await expectRefused(
      scaleTo(9),
      refusal(
        422,
        'Invalid',
        { group: 'example.com', resource: 'gadgets', name: 'g' },
        "ValidatingAdmissionPolicy 'max-scale' with binding 'max-scale-binding' denied request: at most 3 replicas, not 9",
      ),
    );
    expect((await scaleTo(3)()).status).toBe(200);
    // a namespace in the paramRef of a cluster-scoped paramKind is a configuration error
    await expectRefused(
      () => t.request('PATCH', `${gadgets}/g`, { spec: { replicas: 2 } }, { 'content-type': 'application/merge-patch+json' }),
      refusal(
        422,
        'Invalid',
        { group: 'example.com', resource: 'gadgets', name: 'g' },
        "ValidatingAdmissionPolicy 'misconfigured' with binding 'misconfigured-binding' denied request: failed to configure binding: paramRef.namespace must not be provided for a cluster-scoped `paramKind`",
      ),
    );
  });
});
