import { fieldPath } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { describe, expect, it } from 'vitest';
import type { AuthorizationAttributes, Decision } from '../../auth/types';
import { CelAuthorizer } from './admission-cel';
import { compilePolicy } from './policy-cel';
import { type PolicyInput, evaluatePolicy } from './policy-evaluator';

function input(overrides: Partial<PolicyInput> = {}, asked: AuthorizationAttributes[] = []): PolicyInput {
  const authorize = (attributes: AuthorizationAttributes): Decision => {
    asked.push(attributes);
    return attributes.isResourceRequest && attributes.resource === 'secrets' ? { decision: 'allow', reason: 'rbac' } : { decision: 'noOpinion', reason: '' };
  };
  return {
    object: { metadata: { name: 'cm' }, data: { a: '1', n: 3n } },
    oldObject: null,
    request: {
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['devs'] },
    },
    namespaceObject: null,
    params: null,
    authorizer: new CelAuthorizer(authorize, { username: 'alice', groups: ['devs'] }, 'root' as ClusterName, {
      group: '',
      resource: 'configmaps',
      subresource: '',
      namespace: 'team',
      name: 'cm',
    }),
    ...overrides,
  };
}

const evaluate = (spec: Record<string, unknown>, failurePolicy = 'Fail', given: PolicyInput = input()) =>
  evaluatePolicy(compilePolicy(spec, fieldPath('spec')), given, failurePolicy);

describe('evaluatePolicy', () => {
  it('admits, denies with the message chosen as upstream, and reports errors by failure policy', async () => {
    const result = await evaluate(
      {
        validations: [
          { expression: "object.data.a == '1'" },
          { expression: 'false', message: '  static  ' },
          { expression: ' false ' },
          {
            expression: 'false',
            messageExpression: "'   '",
            message: 'fallback',
          },
          {
            expression: 'false',
            messageExpression: 'string(object.data.long)',
            reason: 'Forbidden',
          },
          {
            expression: 'false',
            messageExpression: 'string(object.data.a) + " is wrong"',
            reason: 'RequestEntityTooLarge',
          },
          { expression: 'object.data.b == 1' },
          { expression: 'nope == 1' },
        ],
      },
      'Fail',
      input({ object: { data: { a: '1', long: 'x'.repeat(6000) } } }),
    );
    expect(result.decisions).toEqual([
      { action: 'admit', evaluation: 'admit', message: '', reason: '' },
      {
        action: 'deny',
        evaluation: 'deny',
        message: 'static',
        reason: 'Invalid',
      },
      {
        action: 'deny',
        evaluation: 'deny',
        message: 'failed expression: false',
        reason: 'Invalid',
      },
      {
        action: 'deny',
        evaluation: 'deny',
        message: 'fallback',
        reason: 'Invalid',
      },
      {
        action: 'deny',
        evaluation: 'deny',
        message: 'failed expression: false',
        reason: 'Forbidden',
      },
      {
        action: 'deny',
        evaluation: 'deny',
        message: '1 is wrong',
        reason: 'RequestEntityTooLarge',
      },
      {
        action: 'deny',
        evaluation: 'error',
        message: "expression 'object.data.b == 1' resulted in error: no such key: b",
        reason: '',
      },
      {
        action: 'deny',
        evaluation: 'error',
        message: 'compilation error: compilation failed: ERROR: <input>: Unknown variable: nope',
        reason: '',
      },
    ]);
    const ignored = await evaluate({ validations: [{ expression: 'object.data.b == 1' }] }, 'Ignore');
    expect(ignored.decisions).toEqual([
      {
        action: 'admit',
        evaluation: 'error',
        message: "expression 'object.data.b == 1' resulted in error: no such key: b",
        reason: '',
      },
    ]);
  });

  it('matchConditions: a false one wins over errors; errors alone are aggregated and follow the failure policy', async () => {
    const validations = [{ expression: 'false' }];
    expect(
      (
        await evaluate({
          matchConditions: [
            { name: 'e', expression: 'object.x == 1' },
            { name: 'f', expression: 'false' },
          ],
          validations,
        })
      ).decisions,
    ).toEqual([]);
    expect(
      (
        await evaluate({
          matchConditions: [
            { name: 'e', expression: 'object.x == 1' },
            { name: 'g', expression: 'object.y == 1' },
          ],
          validations,
        })
      ).decisions,
    ).toEqual([
      {
        action: 'deny',
        evaluation: 'error',
        message: "[expression 'object.x == 1' resulted in error: no such key: x, expression 'object.y == 1' resulted in error: no such key: y]",
        reason: '',
      },
    ]);
    expect(
      (
        await evaluate({
          matchConditions: [{ name: 't', expression: 'true' }],
          validations,
        })
      ).decisions,
    ).toHaveLength(1);
  });

  it('variables: evaluated once, only when read, their errors those of their readers', async () => {
    const asked: AuthorizationAttributes[] = [];
    const result = await evaluate(
      {
        variables: [
          {
            name: 'secrets',
            expression: "authorizer.group('').resource('secrets').namespace('team').check('list')",
          },
          { name: 'broken', expression: 'object.nope' },
          {
            name: 'unused',
            expression: "authorizer.path('/never').check('get').allowed()",
          },
          { name: 'n', expression: 'object.data.n + 1' },
        ],
        validations: [
          {
            expression: 'variables.secrets.allowed() && variables.secrets.reason() == "rbac"',
          },
          { expression: 'variables.secrets.allowed() && variables.n == 4' },
          { expression: 'variables.broken == 1' },
          {
            expression: "!authorizer.requestResource.check('create').allowed()",
          },
        ],
      },
      'Fail',
      input({}, asked),
    );
    expect(result.decisions.map((d) => d.message)).toEqual(['', '', "expression 'variables.broken == 1' resulted in error: no such key: nope", '']);
    expect(asked).toEqual([
      expect.objectContaining({
        verb: 'list',
        resource: 'secrets',
        namespace: 'team',
        apiVersion: '*',
      }),
      expect.objectContaining({
        verb: 'create',
        resource: 'configmaps',
        namespace: 'team',
        name: 'cm',
      }),
    ]);
  });

  it('a runaway expression stops at the per-call cost limit', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => BigInt(i));
    const result = await evaluate(
      {
        validations: [{ expression: 'object.list.all(x, object.list.all(y, x + y >= 0))' }],
      },
      'Fail',
      input({ object: { list: big } }),
    );
    expect(result.decisions).toEqual([
      {
        action: 'deny',
        evaluation: 'error',
        message: "expression 'object.list.all(x, object.list.all(y, x + y >= 0))' resulted in error: operation cancelled: actual cost limit exceeded",
        reason: '',
      },
    ]);
  });

  it('audit annotations: values, exclusions, and errors by failure policy', async () => {
    const spec = {
      auditAnnotations: [
        { key: 'a', valueExpression: "' value '" },
        { key: 'b', valueExpression: 'null' },
        { key: 'c', valueExpression: "''" },
        { key: 'd', valueExpression: 'string(object.missing)' },
      ],
    };
    expect((await evaluate(spec)).auditAnnotations).toEqual([
      { key: 'a', action: 'publish', value: 'value' },
      { key: 'b', action: 'exclude' },
      { key: 'c', action: 'exclude' },
      {
        key: 'd',
        action: 'error',
        error: "expression 'string(object.missing)' resulted in error: no such key: missing",
      },
    ]);
    expect((await evaluate(spec, 'Ignore')).auditAnnotations[3]).toEqual({
      key: 'd',
      action: 'exclude',
      error: "expression 'string(object.missing)' resulted in error: no such key: missing",
    });
  });

  it('the authorizer library: service accounts, paths, errors and decisions as upstream', async () => {
    const asked: AuthorizationAttributes[] = [];
    const result = await evaluate(
      {
        validations: [
          { expression: "authorizer.serviceAccount('team', 'builder').group('').resource('secrets').check('get').reason() == 'rbac'" },
          { expression: "!authorizer.path('/healthz').check('get').allowed() && !authorizer.path('/healthz').check('get').errored()" },
          { expression: "authorizer.path(' ').check('get').allowed()" },
          { expression: "authorizer.group('apps').resource('').check('get').allowed()" },
          { expression: "authorizer.serviceAccount('Team', 'builder').path('/x').check('get').allowed()" },
          { expression: "authorizer.serviceAccount('team', 'Builder!').path('/x').check('get').allowed()" },
          { expression: "authorizer.group('apps').resource('deployments').subresource('scale').labelSelector('a=b').check('update').error() == ''" },
        ],
      },
      'Fail',
      input({}, asked),
    );
    expect(result.decisions.map((d) => d.message)).toEqual([
      '',
      '',
      "expression 'authorizer.path(' ').check('get').allowed()' resulted in error: path must not be empty",
      "expression 'authorizer.group('apps').resource('').check('get').allowed()' resulted in error: resource must not be empty",
      "expression 'authorizer.serviceAccount('Team', 'builder').path('/x').check('get').allowed()' resulted in error: Invalid service account namespace",
      "expression 'authorizer.serviceAccount('team', 'Builder!').path('/x').check('get').allowed()' resulted in error: Invalid service account name",
      '',
    ]);
    expect(asked).toEqual([
      {
        isResourceRequest: true,
        user: { username: 'system:serviceaccount:team:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:team'] },
        cluster: 'root',
        verb: 'get',
        apiGroup: '',
        apiVersion: '*',
        resource: 'secrets',
        subresource: '',
        namespace: '',
        name: '',
      },
      { isResourceRequest: false, user: { username: 'alice', groups: ['devs'] }, cluster: 'root', verb: 'get', path: '/healthz' },
      { isResourceRequest: false, user: { username: 'alice', groups: ['devs'] }, cluster: 'root', verb: 'get', path: '/healthz' },
      expect.objectContaining({ verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
    ]);
  });
});
