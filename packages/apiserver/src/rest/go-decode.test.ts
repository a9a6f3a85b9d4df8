import { describe, expect, it } from 'vitest';
import { builtinSchemas, type OpenAPISchema } from '../builtin/schemas';
import { decodeAsGo, GoTypes } from './go-decode';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const QUANTITY_REF = { $ref: `#/components/schemas/${QUANTITY}` };
const FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** A small kind with a `*Quantity` field, a `ResourceList` and a list of quantities, over the built-in Quantity schema. */
const schemas: Record<string, OpenAPISchema> = {
  'test.v1.Widget': {
    type: 'object',
    properties: {
      size: { allOf: [QUANTITY_REF] },
      limits: { type: 'object', additionalProperties: QUANTITY_REF },
      steps: { type: 'array', items: QUANTITY_REF },
      name: { type: 'string' },
    },
  },
};
const widgetTypes = new GoTypes((name) => schemas[name] ?? builtinSchemas[name]);

function decodeWidget(object: Record<string, unknown>) {
  const result = decodeAsGo(object, widgetTypes.of('test.v1.Widget'));
  return { object, ...result };
}

describe('decodeAsGo: resource.Quantity', () => {
  it.each<[unknown, string]>([
    ['1000', '1k'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5', '500m'],
    ['100m', '100m'],
    ['1e3', '1e3'],
    ['0', '0'],
    ['-1000m', '-1'],
    ['0.0000000001', '1n'],
    [' 2Gi ', '2Gi'],
    ['\t100m\n', '100m'],
    [1000, '1k'],
    [0.5, '500m'],
    [-3, '-3'],
    [1e21, '1e21'],
    [2 ** 53, '9007199254740992'],
  ])('canonicalizes %j to %j in a field, a map and a list', (input, canonical) => {
    const { object, failure, unknown } = decodeWidget({ size: input, limits: { cpu: input }, steps: [input, input] });
    expect(failure).toBeUndefined();
    expect(unknown).toEqual([]);
    expect(object).toEqual({ size: canonical, limits: { cpu: canonical }, steps: [canonical, canonical] });
  });

  it('decodes null as Go does: a left-out *Quantity field, the zero quantity in maps and lists', () => {
    const { object, failure } = decodeWidget({ size: null, limits: { cpu: null, memory: '1Gi' }, steps: [null] });
    expect(failure).toBeUndefined();
    expect(object).toEqual({ limits: { cpu: '0', memory: '1Gi' }, steps: ['0'] });
  });

  it.each<[unknown, string]>([
    ['', FORMAT_ERROR],
    ['1 Gi', FORMAT_ERROR],
    ['abc', FORMAT_ERROR],
    [true, FORMAT_ERROR],
    [false, FORMAT_ERROR],
    [{ value: 1 }, FORMAT_ERROR],
    [[1], FORMAT_ERROR],
    ['1Gb', FORMAT_ERROR],
    ['1Mm', "unable to parse quantity's suffix"],
    ['1e', "unable to parse quantity's suffix"],
    ['.Ei', 'unable to parse numeric part of quantity'],
  ])('refuses %j with the parse error, for both decoders', (input, message) => {
    for (const body of [{ size: input }, { limits: { cpu: input } }, { steps: [input] }]) {
      expect(decodeWidget(body).failure).toEqual({ json: message, converter: message });
    }
  });

  it('stops at a bad quantity, as a failing UnmarshalJSON stops Go: earlier type errors give way to it', () => {
    const { failure } = decodeWidget({ name: 1, size: 'x' });
    expect(failure).toEqual({ json: FORMAT_ERROR, converter: FORMAT_ERROR });
    // a type error alone is reported as before
    expect(decodeWidget({ name: 1, size: '1' }).failure?.json).toBe('json: cannot unmarshal number into Go struct field Widget.name of type string');
  });

  it('refuses a ResourceList that is not an object with the map error', () => {
    expect(decodeWidget({ limits: '1Gi' }).failure?.json).toBe('json: cannot unmarshal string into Go struct field Widget.limits of type map[string]resource.Quantity');
  });
});

describe('decodeAsGo: ResourceQuota and LimitRange quantities', () => {
  const types = new GoTypes((name) => builtinSchemas[name]);

  it('canonicalizes spec.hard and status.hard/used of a ResourceQuota', () => {
    const quota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { 'requests.cpu': '1000m', 'requests.memory': '1024Mi', pods: 10, 'count/configmaps': '5' } },
      status: { hard: { pods: '10' }, used: { pods: null } },
    };
    const result = decodeAsGo(quota, types.of('io.k8s.api.core.v1.ResourceQuota'));
    expect(result).toEqual({ unknown: [] });
    expect(quota.spec.hard).toEqual({ 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '10', 'count/configmaps': '5' });
    expect(quota.status).toEqual({ hard: { pods: '10' }, used: { pods: '0' } });
  });

  it('canonicalizes every ResourceList of a LimitRange item and refuses a bad one', () => {
    const item = {
      type: 'Container',
      max: { cpu: '2000m' },
      min: { memory: '0.5Gi' },
      default: { cpu: 0.5 },
      defaultRequest: { cpu: '100m' },
      maxLimitRequestRatio: { cpu: '2.0' },
    };
    const range = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [item] } };
    expect(decodeAsGo(range, types.of('io.k8s.api.core.v1.LimitRange'))).toEqual({ unknown: [] });
    expect(item).toEqual({
      type: 'Container',
      max: { cpu: '2' },
      min: { memory: '512Mi' },
      default: { cpu: '500m' },
      defaultRequest: { cpu: '100m' },
      maxLimitRequestRatio: { cpu: '2' },
    });
    const bad = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2 cores' } }] } };
    expect(decodeAsGo(bad, types.of('io.k8s.api.core.v1.LimitRange')).failure).toEqual({ json: FORMAT_ERROR, converter: FORMAT_ERROR });
  });
});
