import { formatFieldError } from '@kcp-ts/apimachinery';
import { describe, expect, it } from 'vitest';
import {
  isIntegerResourceName,
  isStandardQuotaResourceName,
  validateLimitRangeSpec,
  validateResourceQuotaSpec,
  validateResourceQuotaStatus,
} from './quota-validation';

const messages = (errors: readonly Parameters<typeof formatFieldError>[0][]): string[] => errors.map(formatFieldError);

/** upstream's IsQualifiedName message for a name part that does not match its regex */
const NAME_PART_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const EXISTS_ONLY =
  "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity";

describe('isIntegerResourceName', () => {
  it.each([
    ['pods', true],
    ['resourcequotas', true],
    ['services.nodeports', true],
    ['services.loadbalancers', true],
    ['persistentvolumeclaims', true],
    ['count/configmaps', true],
    ['example.com/gpu', true],
    ['cpu', false],
    ['memory', false],
    ['requests.storage', false],
    ['hugepages-2Mi', false],
    ['kubernetes.io/something', false],
    ['requests.example.com/gpu', false],
    ['example.com/a/b', false],
  ])('%s -> %s', (name, expected) => {
    expect(isIntegerResourceName(name)).toBe(expected);
  });
});

describe('isStandardQuotaResourceName', () => {
  it.each([
    ['cpu', true],
    ['limits.ephemeral-storage', true],
    ['requests.storage', true],
    ['configmaps', true],
    ['services.loadbalancers', true],
    ['hugepages-1Gi', true],
    ['requests.hugepages-2Mi', true],
    ['storage', false],
    ['limits.hugepages-2Mi', false],
    ['count/pods', false],
    ['example.com/gpu', false],
    ['', false],
  ])('%s -> %s', (name, expected) => {
    expect(isStandardQuotaResourceName(name)).toBe(expected);
  });
});

describe('validateResourceQuotaSpec', () => {
  it.each<[string, unknown, string[]]>([
    ['an absent spec', undefined, []],
    ['an empty spec', {}, []],
    [
      'standard, counted, extended and huge-page resources',
      {
        hard: {
          pods: '10',
          cpu: '1500m',
          'requests.memory': '1Gi',
          'count/configmaps': '3',
          'example.com/gpu': '2',
          'requests.example.com/gpu': '1500m',
          'hugepages-2Mi': '1Gi',
          'requests.hugepages-1Gi': '2Gi',
          'services.nodeports': '0',
        },
      },
      [],
    ],
    [
      'a fractional count',
      { hard: { 'count/configmaps': '1500m' } },
      ['spec.hard[count/configmaps]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer'],
    ],
    ['a fractional pod count', { hard: { pods: '2500m' } }, ['spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2500m", Format:"DecimalSI"}: must be an integer']],
    ['a negative quantity', { hard: { cpu: '-1' } }, ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    [
      'a negative fractional count',
      { hard: { pods: '-1500m' } },
      [
        'spec.hard[pods]: Invalid value: "-1500m": must be greater than or equal to 0',
        'spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:-1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-1500m", Format:"DecimalSI"}: must be an integer',
      ],
    ],
    [
      'an unknown unqualified name',
      { hard: { foo: '1' } },
      [
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
      ],
    ],
    [
      'a standard resource quota does not track',
      { hard: { storage: '1Gi' } },
      ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota'],
    ],
    [
      'a name that is not a qualified name',
      { hard: { '-cpu': '1' } },
      [`spec.hard[-cpu]: Invalid value: "-cpu": ${NAME_PART_REGEX}`, 'spec.hard[-cpu]: Invalid value: "-cpu": must be a standard resource for quota'],
    ],
    [
      'errors in name order',
      { hard: { zz: '1', 'count/a': '500m', aa: '-1' } },
      [
        'spec.hard[aa]: Invalid value: "aa": must be a standard resource type or fully qualified',
        'spec.hard[aa]: Invalid value: "aa": must be a standard resource for quota',
        'spec.hard[aa]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.hard[count/a]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer',
        'spec.hard[zz]: Invalid value: "zz": must be a standard resource type or fully qualified',
        'spec.hard[zz]: Invalid value: "zz": must be a standard resource for quota',
      ],
    ],
    [
      'values that are not quantities (decoding rejects them first): names only',
      { hard: { foo: 'many', pods: 5, cpu: null }, scopes: 'BestEffort' },
      [
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
      ],
    ],
    // scopes
    ['scopes that fit the resources', { hard: { pods: '1', cpu: '1', 'count/secrets': '1' }, scopes: ['NotBestEffort', 'Terminating'] }, []],
    ['an empty scope list', { hard: { secrets: '1' }, scopes: [] }, []],
    ['an unknown scope', { scopes: ['Bogus'] }, ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Bogus"}: unsupported scope']],
    [
      'BestEffort with compute resources',
      { hard: { cpu: '1', memory: '1Gi', pods: '1', 'count/pods': '1' }, scopes: ['BestEffort'] },
      [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
      ],
    ],
    [
      'pod scopes with an object count that is not pods',
      { hard: { secrets: '1' }, scopes: ['PriorityClass', 'CrossNamespacePodAffinity'] },
      [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"PriorityClass", "CrossNamespacePodAffinity"}: unsupported scope applied to resource',
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"PriorityClass", "CrossNamespacePodAffinity"}: unsupported scope applied to resource',
      ],
    ],
    [
      'conflicting scopes',
      { hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating'] },
      [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort", "Terminating", "NotTerminating"}: conflicting scopes',
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort", "Terminating", "NotTerminating"}: conflicting scopes',
      ],
    ],
    // scopeSelector
    [
      'a well-formed scope selector',
      {
        hard: { pods: '1', cpu: '1' },
        scopeSelector: {
          matchExpressions: [
            { scopeName: 'PriorityClass', operator: 'In', values: ['high'] },
            { scopeName: 'PriorityClass', operator: 'DoesNotExist' },
            { scopeName: 'Terminating', operator: 'Exists' },
          ],
        },
      },
      [],
    ],
    ['an empty scope selector', { scopeSelector: {} }, []],
    ['a null scope selector', { scopeSelector: null }, []],
    [
      'In without values',
      { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } },
      ["spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"],
    ],
    [
      'NotIn with an empty value list',
      { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'NotIn', values: [] }] } },
      ["spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"],
    ],
    [
      'a presence-only scope with In',
      { scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'In', values: ['x'] }] } },
      [`spec.scopeSelector.matchExpressions.operator: Invalid value: "In": ${EXISTS_ONLY}`],
    ],
    [
      'Exists with values',
      { scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'Exists', values: ['a', 'b'] }] } },
      [
        "spec.scopeSelector.matchExpressions.values: Invalid value: []string{\"a\", \"b\"}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
      ],
    ],
    [
      'an unknown scope and operator',
      { scopeSelector: { matchExpressions: [{ scopeName: 'Bogus', operator: 'Gt' }] } },
      [
        'spec.scopeSelector.matchExpressions.scopeName: Invalid value: "Bogus": unsupported scope',
        'spec.scopeSelector.matchExpressions.operator: Invalid value: "Gt": not a valid selector operator',
      ],
    ],
    [
      'a presence-only scope without an operator',
      { scopeSelector: { matchExpressions: [{ scopeName: 'NotBestEffort' }] } },
      [
        `spec.scopeSelector.matchExpressions.operator: Invalid value: "": ${EXISTS_ONLY}`,
        'spec.scopeSelector.matchExpressions.operator: Invalid value: "": not a valid selector operator',
      ],
    ],
    [
      'a selected scope that does not fit a resource',
      { hard: { cpu: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'Exists' }] } },
      [
        'spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:"BestEffort", Operator:"Exists", Values:[]string(nil)}}}: unsupported scope applied to resource',
      ],
    ],
    [
      'the whole selector as the value, with every expression',
      {
        hard: { secrets: '1' },
        scopeSelector: {
          matchExpressions: [
            { scopeName: 'PriorityClass', operator: 'In', values: ['a'] },
            { scopeName: 'Terminating', operator: 'Exists', values: [] },
          ],
        },
      },
      [
        'spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:"PriorityClass", Operator:"In", Values:[]string{"a"}}, core.ScopedResourceSelectorRequirement{ScopeName:"Terminating", Operator:"Exists", Values:[]string{}}}}: unsupported scope applied to resource',
        'spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:"PriorityClass", Operator:"In", Values:[]string{"a"}}, core.ScopedResourceSelectorRequirement{ScopeName:"Terminating", Operator:"Exists", Values:[]string{}}}}: unsupported scope applied to resource',
      ],
    ],
    [
      'conflicting selected scopes report spec.scopes (nil)',
      {
        scopeSelector: {
          matchExpressions: [
            { scopeName: 'Terminating', operator: 'Exists' },
            { scopeName: 'NotTerminating', operator: 'Exists' },
          ],
        },
      },
      ['spec.scopeSelector.matchExpressions: Invalid value: []core.ResourceQuotaScope(nil): conflicting scopes'],
    ],
    [
      'conflicting selected scopes report spec.scopes (set)',
      {
        scopes: ['NotTerminating'],
        scopeSelector: {
          matchExpressions: [
            { scopeName: 'BestEffort', operator: 'Exists' },
            { scopeName: 'NotBestEffort', operator: 'Exists' },
          ],
        },
      },
      ['spec.scopeSelector.matchExpressions: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: conflicting scopes'],
    ],
    [
      'hard, scopes and selector errors in that order',
      {
        hard: { pods: '500m' },
        scopes: ['Nope'],
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists', values: ['x'] }] },
      },
      [
        'spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer',
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Nope"}: unsupported scope',
        "spec.scopeSelector.matchExpressions.values: Invalid value: []string{\"x\"}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
      ],
    ],
  ])('%s', (_, spec, expected) => {
    expect(messages(validateResourceQuotaSpec(spec))).toEqual(expected);
  });
});

describe('validateResourceQuotaStatus', () => {
  it.each<[string, unknown, string[]]>([
    ['an absent status', undefined, []],
    ['a valid status', { hard: { pods: '10', cpu: '2' }, used: { pods: '3', cpu: '250m' } }, []],
    [
      'bad names and values in hard and used',
      { hard: { pods: '1500m' }, used: { foo: '1', cpu: '-2' } },
      [
        'status.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer',
        'status.used[cpu]: Invalid value: "-2": must be greater than or equal to 0',
        'status.used[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        'status.used[foo]: Invalid value: "foo": must be a standard resource for quota',
      ],
    ],
  ])('%s', (_, status, expected) => {
    expect(messages(validateResourceQuotaStatus(status))).toEqual(expected);
  });
});

const container = (fields: Record<string, unknown>) => ({ limits: [{ type: 'Container', ...fields }] });

describe('validateLimitRangeSpec', () => {
  it.each<[string, unknown, string[]]>([
    ['an absent spec', undefined, []],
    ['no limits', { limits: [] }, []],
    [
      'consistent bounds for every type',
      {
        limits: [
          {
            type: 'Container',
            min: { cpu: '100m', memory: '64Mi' },
            defaultRequest: { cpu: '200m', memory: '128Mi' },
            default: { cpu: '500m', memory: '256Mi' },
            max: { cpu: '1', memory: '1Gi' },
            maxLimitRequestRatio: { cpu: '10', memory: '2' },
          },
          { type: 'Pod', max: { cpu: '4', 'hugepages-2Mi': '1Gi' } },
          { type: 'PersistentVolumeClaim', min: { storage: '1Gi' } },
          { type: 'example.com/thing', max: { 'example.com/gpu': '2' } },
        ],
      },
      [],
    ],
    [
      'a repeated type',
      { limits: [{ type: 'Container' }, { type: 'Pod' }, { type: 'Container' }] },
      ['spec.limits[2].type: Duplicate value: "Container"'],
    ],
    ['an unknown type', { limits: [{ type: 'Bogus' }] }, ['spec.limits[0].type: Invalid value: "Bogus": must be a standard limit type or fully qualified']],
    [
      'a missing type',
      { limits: [{}] },
      ['spec.limits[0].type: Invalid value: "": name part must be non-empty', `spec.limits[0].type: Invalid value: "": ${NAME_PART_REGEX}`],
    ],
    [
      'defaults on a Pod entry',
      { limits: [{ type: 'Pod', default: { cpu: '1' }, defaultRequest: { cpu: '1' } }] },
      [
        "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
        "spec.limits[0].defaultRequest: Forbidden: may not be specified when `type` is 'Pod'",
      ],
    ],
    ['empty defaults on a Pod entry', { limits: [{ type: 'Pod', default: {}, defaultRequest: {} }] }, []],
    [
      'resource names for containers',
      container({
        max: { storage: '1Gi', foo: '1', 'requests.example.com/gpu': '1', 'kubernetes.io/thing': '1', 'example.com/gpu': '1' },
      }),
      [
        'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource for containers',
        `spec.limits[0].max[requests.example.com/gpu]: Invalid value: "requests.example.com/gpu": doesn't follow extended resource name standard`,
        'spec.limits[0].max[storage]: Invalid value: "storage": must be a standard resource for containers',
      ],
    ],
    [
      'resource names for other types',
      { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '1Gi', foo: '1', 'requests.example.com/gpu': '1' } }] },
      ['spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified'],
    ],
    [
      'resource names in every map, in field order',
      container({
        maxLimitRequestRatio: { a: '2' },
        defaultRequest: { b: '1' },
        default: { c: '1' },
        min: { d: '1' },
        max: { e: '1' },
      }),
      [
        ['max', 'e'],
        ['min', 'd'],
        ['default', 'c'],
        ['defaultRequest', 'b'],
        ['maxLimitRequestRatio', 'a'],
      ].flatMap(([field, name]) => {
        return [
          `spec.limits[0].${field}[${name}]: Invalid value: "${name}": must be a standard resource type or fully qualified`,
          `spec.limits[0].${field}[${name}]: Invalid value: "${name}": must be a standard resource for containers`,
        ];
      }),
    ],
    [
      'a PersistentVolumeClaim entry without storage bounds',
      { limits: [{ type: 'PersistentVolumeClaim', max: { 'requests.storage': '1Gi' } }] },
      ['spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided'],
    ],
    ['min above max', container({ min: { cpu: '2' }, max: { cpu: '1' } }), ['spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than max value 1']],
    [
      'defaultRequest below min',
      container({ min: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }),
      ['spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:100, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"100m", Format:"DecimalSI"}: min value 500m is greater than default request value 100m'],
    ],
    [
      'defaultRequest above max',
      container({ max: { memory: '1Gi' }, defaultRequest: { memory: '2Gi' } }),
      ['spec.limits[0].defaultRequest[memory]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2147483648, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2Gi", Format:"BinarySI"}: default request value 2Gi is greater than max value 1Gi'],
    ],
    [
      'defaultRequest above default',
      container({ default: { cpu: '1' }, defaultRequest: { cpu: '1500m' } }),
      ['spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: default request value 1500m is greater than default limit value 1'],
    ],
    [
      'default below min (the value printed is min)',
      container({ min: { cpu: '2' }, default: { cpu: '1' } }),
      ['spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than default value 1'],
    ],
    [
      'default above max (the value printed is max)',
      container({ max: { cpu: '1' }, default: { cpu: '2' } }),
      ['spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: default value 2 is greater than max value 1'],
    ],
    [
      'every ordering violated at once',
      container({ min: { cpu: '4' }, defaultRequest: { cpu: '3' }, default: { cpu: '2' }, max: { cpu: '1' } }),
      [
        'spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:4, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"4", Format:"DecimalSI"}: min value 4 is greater than max value 1',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: min value 4 is greater than default request value 3',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: default request value 3 is greater than max value 1',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: default request value 3 is greater than default limit value 2',
        'spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:4, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"4", Format:"DecimalSI"}: min value 4 is greater than default value 2',
        'spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: default value 2 is greater than max value 1',
      ],
    ],
    [
      'a ratio below 1',
      container({ maxLimitRequestRatio: { cpu: '500m' } }),
      ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: ratio 500m is less than 1'],
    ],
    ['a ratio of exactly max/min', container({ min: { cpu: '100m' }, max: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '2' } }), []],
    [
      'a ratio above max/min',
      container({ min: { cpu: '100m' }, max: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '3' } }),
      ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: ratio 3 is greater than max/min = 2.000000'],
    ],
    [
      'a fractional max/min',
      container({ min: { cpu: '300m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '3500m' } }),
      ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3500m", Format:"DecimalSI"}: ratio 3500m is greater than max/min = 3.333333'],
    ],
    [
      'a ratio compared in whole units beyond the milli range',
      container({ min: { memory: '10P' }, max: { memory: '20P' }, maxLimitRequestRatio: { memory: '3' } }),
      ['spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: resource.Quantity{i:resource.int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: ratio 3 is greater than max/min = 2.000000'],
    ],
    ['a ratio with a zero min', container({ min: { cpu: '0' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '100' } }), []],
    [
      'defaults that differ for a resource that cannot be overcommitted',
      container({ default: { 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi' }, defaultRequest: { 'example.com/gpu': '1', 'hugepages-2Mi': '2Mi' } }),
      [
        'spec.limits[0].defaultRequest[example.com/gpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: default value 2 must equal to defaultRequest value 1 in example.com/gpu',
        'spec.limits[0].defaultRequest[hugepages-2Mi]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2097152, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2Mi", Format:"BinarySI"}: default value 4Mi must equal to defaultRequest value 2Mi in hugepages-2Mi',
      ],
    ],
    [
      'values that are not quantities (decoding rejects them first): names only',
      container({ min: { cpu: 'lots', foo: 1 }, max: { cpu: '1' }, default: null, defaultRequest: [] }),
      [
        'spec.limits[0].min[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
        'spec.limits[0].min[foo]: Invalid value: "foo": must be a standard resource for containers',
      ],
    ],
    ['limits that are not a list', { limits: { type: 'Pod' } }, []],
    [
      'errors of later entries carry their index',
      { limits: [{ type: 'Pod' }, { type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] },
      ['spec.limits[1].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than max value 1'],
    ],
  ])('%s', (_, spec, expected) => {
    expect(messages(validateLimitRangeSpec(spec))).toEqual(expected);
  });
});
