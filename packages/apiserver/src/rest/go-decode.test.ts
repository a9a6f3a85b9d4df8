import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinSchemas, type OpenAPISchema } from '../builtin/schemas';
import { decodeProtobufObject } from '../protobuf';
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

describe('decodeAsGo: CertificateSigningRequest', () => {
  const types = new GoTypes((name) => builtinSchemas[name]);
  const csrType = () => types.of('io.k8s.api.certificates.v1.CertificateSigningRequest');
  const csr = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'c' },
    spec: { signerName: 'example.com/s', ...spec } as Record<string, unknown>,
    status,
  });

  it('keeps a canonical base64 request and certificate as they are', () => {
    const object = csr({ request: 'LS0tLS1CRUdJTg==', usages: ['client auth'], expirationSeconds: 600 }, { certificate: 'YWJj' });
    expect(decodeAsGo(object, csrType())).toEqual({ unknown: [] });
    expect(object.spec['request']).toBe('LS0tLS1CRUdJTg==');
    expect(object.status['certificate']).toBe('YWJj');
  });

  it.each([
    ['line breaks', 'YW\r\nJj\n', 'YWJj'],
    ['unused trailing bits', 'YR==', 'YQ=='],
    ['an empty string', '', ''],
  ])('writes base64 with %s back as Go encodes the bytes', (_, given, canonical) => {
    const object = csr({ request: given });
    expect(decodeAsGo(object, csrType())).toEqual({ unknown: [] });
    expect(object.spec['request']).toBe(canonical);
  });

  it('decodes a request given as an array of bytes and drops a null one', () => {
    const object = csr({ request: [45, 45, null] });
    expect(decodeAsGo(object, csrType())).toEqual({ unknown: [] });
    expect(object.spec['request']).toBe(Buffer.from([45, 45, 0]).toString('base64'));
    const nulled = csr({ request: null });
    expect(decodeAsGo(nulled, csrType())).toEqual({ unknown: [] });
    expect(nulled.spec).toEqual({ signerName: 'example.com/s' });
  });

  it.each<[Record<string, unknown>, Record<string, unknown>, string, string]>([
    [{ request: 'YQ' }, {}, 'illegal base64 data at input byte 0', 'error decoding from json: illegal base64 data at input byte 0'],
    [{ request: 'not base64!' }, {}, 'illegal base64 data at input byte 3', 'error decoding from json: illegal base64 data at input byte 3'],
    [{}, { certificate: 'YWJj=' }, 'illegal base64 data at input byte 4', 'error decoding from json: illegal base64 data at input byte 4'],
    [{ request: 5 }, {}, 'json: cannot unmarshal number into Go struct field CertificateSigningRequestSpec.spec.request of type []uint8', 'cannot restore slice from int64'],
    [{ usages: [1] }, {}, 'json: cannot unmarshal number into Go struct field CertificateSigningRequestSpec.spec.usages of type v1.KeyUsage', 'cannot convert int64 to v1.KeyUsage'],
    [{ usages: 'client auth' }, {}, 'json: cannot unmarshal string into Go struct field CertificateSigningRequestSpec.spec.usages of type []v1.KeyUsage', 'cannot restore slice from string'],
    [{ extra: { a: 'b' } }, {}, 'json: cannot unmarshal string into Go struct field CertificateSigningRequestSpec.spec.extra of type v1.ExtraValue', 'cannot restore slice from string'],
    [{ expirationSeconds: 2 ** 31 }, {}, 'json: cannot unmarshal number 2147483648 into Go struct field CertificateSigningRequestSpec.spec.expirationSeconds of type int32', 'unrecognized type: int32'],
    [{}, { conditions: [{ type: true }] }, 'json: cannot unmarshal bool into Go struct field CertificateSigningRequestCondition.status.conditions.type of type v1.RequestConditionType', 'unrecognized type: string'],
    [{}, { conditions: [{ type: 'Approved', status: 1 }] }, 'json: cannot unmarshal number into Go struct field CertificateSigningRequestCondition.status.conditions.status of type v1.ConditionStatus', 'cannot convert int64 to v1.ConditionStatus'],
    [{}, { conditions: [{ type: 'Approved', lastUpdateTime: 'yesterday' }] }, 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
  ])('refuses spec %j / status %j with Go’s errors', (spec, status, json, converter) => {
    expect(decodeAsGo(csr(spec, status), csrType()).failure).toEqual({ json, converter });
  });

  it('reports unknown fields and normalizes condition times', () => {
    const object = csr({ request: '', bogus: 1 }, { conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: '2024-05-01T12:00:00+02:00', extra: 1 }] });
    expect(decodeAsGo(object, csrType())).toEqual({ unknown: ['spec.bogus', 'status.conditions[0].extra'] });
    expect(object.status['conditions']).toEqual([{ type: 'Approved', status: 'True', lastUpdateTime: '2024-05-01T10:00:00Z' }]);
  });

  it('leaves the protobuf decoding of a CertificateSigningRequest unchanged (bytes already base64, Go field types)', () => {
    const fixture = JSON.parse(readFileSync(new URL('../protobuf/testdata/kubectl-requests.json', import.meta.url), 'utf8')) as {
      commands: { name: string; protobuf: { bodyBase64?: string }[] }[];
    };
    const body = fixture.commands.find((c) => c.name === 'certificate-approve')!.protobuf[0]!.bodyBase64!;
    const object = decodeProtobufObject(Buffer.from(body, 'base64'));
    const before = structuredClone(object);
    expect(object['kind']).toBe('CertificateSigningRequest');
    expect(decodeAsGo(object, csrType())).toEqual({ unknown: [] });
    expect(object).toEqual(before);
  });
});
