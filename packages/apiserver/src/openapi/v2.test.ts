import { describe, expect, it } from 'vitest';
import { builtinSchemas } from '../builtin/schemas';
import { openAPIv2MediaType, toV2Schema } from './v2';

describe('toV2Schema', () => {
  it('types an int-or-string and a quantity as strings, as upstream v2 does', () => {
    const intOrString = toV2Schema(builtinSchemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] as Record<string, unknown>);
    expect(intOrString).toEqual({ description: expect.any(String), format: 'int-or-string', type: 'string', 'x-kubernetes-int-or-string': true });
    const quantity = toV2Schema(builtinSchemas['io.k8s.apimachinery.pkg.api.resource.Quantity'] as Record<string, unknown>);
    expect(quantity).toEqual({ description: expect.any(String), type: 'string' });
  });

  it('turns a described reference into a $ref with its description and no default, and keeps other junctors', () => {
    expect(toV2Schema({ allOf: [{ $ref: '#/components/schemas/a.B' }], description: 'd', default: {}, 'x-kubernetes-patch-strategy': 'merge' })).toEqual({
      $ref: '#/definitions/a.B',
      description: 'd',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(toV2Schema({ type: 'array', items: { $ref: '#/components/schemas/a.B' }, default: [] })).toEqual({ type: 'array', items: { $ref: '#/definitions/a.B' }, default: [] });
    expect(toV2Schema({ allOf: [{ $ref: '#/components/schemas/a.B' }, { $ref: '#/components/schemas/c.D' }] })).toEqual({
      allOf: [{ $ref: '#/definitions/a.B' }, { $ref: '#/definitions/c.D' }],
    });
    expect(toV2Schema({ type: 'object', nullable: true, additionalProperties: { type: 'string', nullable: true } })).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });
});

describe('openAPIv2MediaType', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*', 'json'],
    ['*/*;q=0.8, application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
    ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json', 'protobuf'],
    ['application/json;q=bad, */*;q=0.1', 'json'],
    ['application/json;q=bad', undefined],
    ['text/plain, image/*', undefined],
  ])('%j → %s', (accept, form) => {
    expect(openAPIv2MediaType(accept)).toBe(form);
  });
});
