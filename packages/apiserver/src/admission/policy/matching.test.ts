import { describe, expect, it } from 'vitest';
import { type MatchRequest, type MatchResources, type NamedRule, matchResources, ruleMatches } from './matching';

function request(overrides: Partial<MatchRequest> = {}): MatchRequest {
  return {
    operation: 'CREATE',
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    subresource: '',
    namespace: 'team',
    name: 'web',
    object: { metadata: { labels: { app: 'web' } } },
    oldObject: undefined,
    namespaceLabels: () => ({ env: 'prod' }),
    ...overrides,
  };
}

const rule = (overrides: Partial<NamedRule> = {}): NamedRule => ({
  operations: ['*'],
  apiGroups: ['*'],
  apiVersions: ['*'],
  resources: ['*'],
  ...overrides,
});

describe('ruleMatches', () => {
  it.each<[string, NamedRule, Partial<MatchRequest>, boolean]>([
    ['everything', rule(), {}, true],
    ['the operation', rule({ operations: ['UPDATE'] }), {}, false],
    ['one of the operations', rule({ operations: ['UPDATE', 'CREATE'] }), {}, true],
    ['the group', rule({ apiGroups: [''] }), {}, false],
    ['the version', rule({ apiVersions: ['v1beta1'] }), {}, false],
    ['the resource', rule({ resources: ['deployments'] }), {}, true],
    ['another resource', rule({ resources: ['pods'] }), {}, false],
    ['`*` leaves subresources out', rule({ resources: ['*'] }), { subresource: 'scale' }, false],
    ['`*/*` takes them', rule({ resources: ['*/*'] }), { subresource: 'scale' }, true],
    ['`*/*` takes main resources too', rule({ resources: ['*/*'] }), {}, true],
    ['res/sub', rule({ resources: ['deployments/scale'] }), { subresource: 'scale' }, true],
    ['res/sub is not the main resource', rule({ resources: ['deployments/scale'] }), {}, false],
    ['res/*', rule({ resources: ['deployments/*'] }), { subresource: 'status' }, true],
    ['*/sub', rule({ resources: ['*/status'] }), { subresource: 'status' }, true],
    ['*/sub another subresource', rule({ resources: ['*/status'] }), { subresource: 'scale' }, false],
    ['scope Namespaced, namespaced object', rule({ scope: 'Namespaced' }), {}, true],
    ['scope Namespaced, cluster-scoped object', rule({ scope: 'Namespaced' }), { namespace: '' }, false],
    ['scope Namespaced, a namespace', rule({ scope: 'Namespaced' }), { group: '', resource: 'namespaces', namespace: 'team' }, false],
    ['scope Cluster, a namespace', rule({ scope: 'Cluster' }), { group: '', resource: 'namespaces', namespace: 'team' }, true],
    ['scope Cluster, cluster-scoped object', rule({ scope: 'Cluster' }), { namespace: '' }, true],
    ['scope Cluster, namespaced object', rule({ scope: 'Cluster' }), {}, false],
    ['scope *', rule({ scope: '*' }), { namespace: '' }, true],
    ['no resources at all', rule({ resources: [] }), {}, false],
  ])('%s', (_, r, overrides, expected) => {
    expect(ruleMatches(r, request(overrides))).toBe(expected);
  });
});

describe('matchResources', () => {
  const everything: MatchResources = {
    resourceRules: [rule()],
    namespaceSelector: {},
    objectSelector: {},
  };

  it.each<[string, MatchResources, Partial<MatchRequest>, { matches: boolean; error?: string }]>([
    ['all rules, empty selectors', everything, {}, { matches: true }],
    ['no resource rules: everything (binding narrowing)', { namespaceSelector: {}, objectSelector: {} }, {}, { matches: true }],
    ['resourceNames: the name', { resourceRules: [rule({ resourceNames: ['web'] })] }, {}, { matches: true }],
    ['resourceNames: another name', { resourceRules: [rule({ resourceNames: ['api'] })] }, {}, { matches: false }],
    [
      'excluded',
      {
        ...everything,
        excludeResourceRules: [rule({ resources: ['deployments'] })],
      },
      {},
      { matches: false },
    ],
    [
      'excluded by another name only',
      {
        ...everything,
        excludeResourceRules: [rule({ resourceNames: ['api'] })],
      },
      {},
      { matches: true },
    ],
    ['namespace selector matches', { ...everything, namespaceSelector: { matchLabels: { env: 'prod' } } }, {}, { matches: true }],
    ['namespace selector does not', { ...everything, namespaceSelector: { matchLabels: { env: 'dev' } } }, {}, { matches: false }],
    [
      'namespace selector, cluster-scoped object: matches',
      { ...everything, namespaceSelector: { matchLabels: { env: 'dev' } } },
      { namespace: '' },
      { matches: true },
    ],
    [
      'namespace selector, a namespace: its labels',
      {
        ...everything,
        namespaceSelector: {
          matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }],
        },
      },
      { group: '', resource: 'namespaces', namespace: 'team' },
      { matches: true },
    ],
    ['object selector on the new object', { ...everything, objectSelector: { matchLabels: { app: 'web' } } }, {}, { matches: true }],
    [
      'object selector on the old object',
      { ...everything, objectSelector: { matchLabels: { app: 'old' } } },
      {
        operation: 'DELETE',
        object: undefined,
        oldObject: { metadata: { labels: { app: 'old' } } },
      },
      { matches: true },
    ],
    ['object selector on neither', { ...everything, objectSelector: { matchLabels: { app: 'api' } } }, {}, { matches: false }],
    [
      'object selector, unlabelled object',
      {
        ...everything,
        objectSelector: {
          matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }],
        },
      },
      { object: {} },
      { matches: true },
    ],
    [
      'a missing namespace is the error, when the rules match',
      { ...everything, namespaceSelector: { matchLabels: { env: 'prod' } } },
      {
        namespaceLabels: () => {
          throw new Error('namespaces "team" not found');
        },
      },
      { matches: false, error: 'namespaces "team" not found' },
    ],
    [
      'a missing namespace does not matter when the rules do not match',
      {
        resourceRules: [rule({ resources: ['pods'] })],
        namespaceSelector: { matchLabels: { env: 'prod' } },
      },
      {
        namespaceLabels: () => {
          throw new Error('namespaces "team" not found');
        },
      },
      { matches: false },
    ],
    [
      'an invalid selector is an internal error',
      {
        ...everything,
        objectSelector: {
          matchExpressions: [{ key: 'app', operator: 'In', values: [] }],
        },
      },
      {},
      {
        matches: false,
        error: "Internal error occurred: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
      },
    ],
  ])('%s', (_, resources, overrides, expected) => {
    const result = matchResources(resources, request(overrides));
    expect({
      matches: result.matches,
      ...(result.error ? { error: result.error.message } : {}),
    }).toEqual(expected);
  });
});
