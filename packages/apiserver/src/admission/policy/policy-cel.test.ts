import { fieldPath, formatFieldError } from '@kcp-ts/apimachinery';
import { describe, expect, it } from 'vitest';
import { policyExpressionErrors } from './policy-cel';

const errorsOf = (spec: Record<string, unknown>) => policyExpressionErrors(spec, fieldPath('spec')).map((e) => formatFieldError(e));

describe('policyExpressionErrors', () => {
  it('accepts a policy whose expressions compile to the types they must have', () => {
    expect(
      errorsOf({
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConditions: [
          {
            name: 'c',
            expression: "request.operation == 'CREATE' && params.data.x == 'y'",
          },
        ],
        variables: [
          { name: 'replicas', expression: 'object.spec.replicas' },
          { name: 'big', expression: 'variables.replicas > 3' },
          { name: 'user', expression: 'request.userInfo' },
          {
            name: 'ok',
            expression: "authorizer.group('apps').resource('deployments').check('create').allowed()",
          },
        ],
        validations: [
          {
            expression: '!variables.big && variables.user.username != "" && variables.ok',
            messageExpression: "'too many: ' + string(variables.replicas)",
          },
          {
            expression: "namespaceObject.metadata.name == 'x' || oldObject == null",
            messageExpression: 'string(params.data.message)',
          },
          { expression: "object.metadata.name.matches('^a.*$')" },
        ],
        auditAnnotations: [
          { key: 'a', valueExpression: "'x'" },
          { key: 'b', valueExpression: 'null' },
        ],
      }),
    ).toEqual([]);
  });

  it.each([
    [
      'a validation that is not bool',
      { validations: [{ expression: '1 + 1' }] },
      ['spec.validations[0].expression: Invalid value: "1 + 1": must evaluate to bool but got int'],
    ],
    [
      'a validation that does not parse (untrimmed value shown)',
      { validations: [{ expression: ' object.( ' }] },
      [expect.stringMatching(/^spec\.validations\[0\]\.expression: Invalid value: " object\.\( ": compilation failed: ERROR: <input>: /)],
    ],
    [
      'params without paramKind',
      {
        validations: [{ expression: "params.x == 'y'" }],
        matchConditions: [{ name: 'm', expression: ' params.x == 1 ' }],
      },
      [
        'spec.matchConditions[0].expression: Invalid value: "params.x == 1": compilation failed: ERROR: <input>: Unknown variable: params',
        'spec.validations[0].expression: Invalid value: "params.x == \'y\'": compilation failed: ERROR: <input>: Unknown variable: params',
      ],
    ],
    [
      'a message expression that is not a string, or uses the authorizer',
      {
        validations: [
          { expression: 'true', messageExpression: '42' },
          {
            expression: 'true',
            messageExpression: "authorizer.path('/x').check('get').reason()",
          },
        ],
      },
      [
        'spec.validations[0].messageExpression: Invalid value: "42": must evaluate to string but got int',
        "spec.validations[1].messageExpression: Invalid value: \"authorizer.path('/x').check('get').reason()\": compilation failed: ERROR: <input>: Unknown variable: authorizer",
      ],
    ],
    [
      'an audit annotation neither string nor null',
      { auditAnnotations: [{ key: 'a', valueExpression: ' 1 ' }] },
      ['spec.auditAnnotations[0].valueExpression: Invalid value: " 1 ": must evaluate to one of [string null_type] but got int'],
    ],
    [
      'variables: only earlier ones are visible, typed as they compiled; none without variables',
      {
        variables: [
          { name: 'a', expression: 'variables.b' },
          { name: 'b', expression: "'x'" },
          { name: 'c', expression: 'variables.b + 1' },
        ],
        validations: [{ expression: 'variables.b == "x"' }],
        matchConditions: [{ name: 'm', expression: 'variables.b == "x"' }],
      },
      [
        'spec.matchConditions[0].expression: Invalid value: "variables.b == \\"x\\"": compilation failed: ERROR: <input>: Unknown variable: variables',
        'spec.variables[0].expression: Invalid value: "variables.b": compilation failed: ERROR: <input>: No such key: b',
        expect.stringMatching(/^spec\.variables\[2\]\.expression: Invalid value: "variables\.b \+ 1": compilation failed: ERROR: <input>: .*string.*int/),
      ],
    ],
    [
      'a variable that does not compile is dyn afterwards',
      {
        variables: [{ name: 'a', expression: 'nope' }],
        validations: [{ expression: 'variables.a == 1' }],
      },
      ['spec.variables[0].expression: Invalid value: "nope": compilation failed: ERROR: <input>: Unknown variable: nope'],
    ],
    [
      'empty expressions are left to the spec validation',
      {
        validations: [{ expression: '  ' }],
        variables: [{ name: 'a', expression: '' }],
        auditAnnotations: [{ key: 'a', valueExpression: '' }],
      },
      [],
    ],
  ])('%s', (_, spec, expected) => {
    expect(errorsOf(spec)).toEqual(expected);
  });
});
