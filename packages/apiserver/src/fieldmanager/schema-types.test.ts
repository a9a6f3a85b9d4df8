import { describe, expect, it } from 'vitest';
import { builtinSchemas } from '../builtin/schemas';
import { DEDUCED, type FieldType, type ListType, type MapType, SCALAR, SchemaTypes, typeForDefinition } from './schema-types';
import { configMaps, cowboys, namespaces, schemaless } from './test-fixtures';

const asMap = (t: FieldType | undefined): MapType => {
  if (t?.kind !== 'map') throw new Error(`not a map: ${t?.kind}`);
  return t;
};
const asList = (t: FieldType | undefined): ListType => {
  if (t?.kind !== 'list') throw new Error(`not a list: ${t?.kind}`);
  return t;
};
const at = (root: MapType, ...names: string[]): FieldType | undefined => {
  let t: FieldType | undefined = root;
  for (const name of names) t = asMap(t).field(name);
  return t;
};

describe('merge types from OpenAPI', () => {
  const cm = typeForDefinition(configMaps);
  const ns = typeForDefinition(namespaces);
  const cowboy = typeForDefinition(cowboys);

  it('types ObjectMeta as upstream: granular labels and annotations, finalizers a set, ownerReferences keyed by uid, managedFields atomic', () => {
    const labels = asMap(at(cm, 'metadata', 'labels'));
    expect(labels.atomic).toBe(false);
    expect(labels.elementType).toEqual({ kind: 'scalar', scalar: 'string' });
    expect(asMap(at(cm, 'metadata', 'annotations')).atomic).toBe(false);
    expect(asList(at(cm, 'metadata', 'finalizers'))).toMatchObject({ relationship: 'set' });
    expect(asList(at(cm, 'metadata', 'ownerReferences'))).toMatchObject({ relationship: 'map', keys: ['uid'] });
    expect(asList(at(cm, 'metadata', 'managedFields'))).toMatchObject({ relationship: 'atomic' });
    expect(at(cm, 'metadata', 'name')).toEqual({ kind: 'scalar', scalar: 'string' });
    expect(at(cm, 'metadata', 'generation')).toEqual({ kind: 'scalar', scalar: 'numeric' });
  });

  it('types a custom resource from its schema, with metadata always ObjectMeta', () => {
    expect(asList(at(cowboy, 'metadata', 'finalizers')).relationship).toBe('set');
    expect(asList(at(cowboy, 'spec', 'horses'))).toMatchObject({ relationship: 'map', keys: ['name'] });
    expect(asList(at(cowboy, 'spec', 'ports'))).toMatchObject({ relationship: 'map', keys: ['port', 'protocol'] });
    expect(asList(at(cowboy, 'spec', 'ports')).keyDefault('protocol')).toBe('TCP');
    expect(asList(at(cowboy, 'spec', 'hats')).relationship).toBe('set');
    expect(asList(at(cowboy, 'spec', 'boots')).relationship).toBe('atomic');
    expect(asMap(at(cowboy, 'spec', 'saddle')).atomic).toBe(true);
    expect(asMap(at(cowboy, 'spec', 'notes')).elementType).toEqual({ kind: 'scalar', scalar: 'string' });
    expect(asMap(at(cowboy, 'spec', 'extra')).elementType).toBe(DEDUCED);
    expect(at(cowboy, 'spec', 'extra', 'known')).toEqual({ kind: 'scalar', scalar: 'string' });
    // no declared type, and int-or-string: any JSON value
    expect(at(cowboy, 'spec', 'anything')).toBe(SCALAR);
    expect(at(cowboy, 'spec', 'size')).toBe(SCALAR);
    expect(asMap(at(cowboy, 'spec')).nullable('nickname')).toBe(true);
    expect(asMap(at(cowboy, 'spec')).nullable('motto')).toBe(false);
  });

  it('types built-in structs and their lists', () => {
    expect(asList(at(ns, 'spec', 'finalizers')).relationship).toBe('atomic');
    expect(at(cm, 'data')).toMatchObject({ kind: 'map', atomic: false });
    expect(at(cm, 'immutable')).toEqual({ kind: 'scalar', scalar: 'boolean' });
  });

  it('falls back to the strategic-merge-patch extensions for lists without list-type', () => {
    const types = new SchemaTypes(() => undefined);
    const keyed = types.typeOf({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', items: { type: 'object' } });
    expect(keyed).toMatchObject({ relationship: 'map', keys: ['name'] });
    const set = types.typeOf({ type: 'array', 'x-kubernetes-patch-strategy': 'merge', items: { type: 'string' } });
    expect(set).toMatchObject({ relationship: 'set' });
    const plain = types.typeOf({ type: 'array', items: { type: 'string' } });
    expect(plain).toMatchObject({ relationship: 'atomic' });
    const mapWithoutKeys = types.typeOf({ type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } });
    expect(mapWithoutKeys).toMatchObject({ relationship: 'atomic' });
  });

  it('reads extensions from the referencing node as well as the referenced schema', () => {
    const types = new SchemaTypes((name) => builtinSchemas[name]);
    const owner = { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference' }] };
    expect(asMap(types.typeOf(owner)).atomic).toBe(true); // the referenced schema says atomic
    expect(asMap(types.typeOf({ ...owner, 'x-kubernetes-map-type': 'granular' })).atomic).toBe(false); // the property overrides it
    const labels = { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], 'x-kubernetes-map-type': 'atomic' as const };
    expect(asMap(types.typeOf(labels)).atomic).toBe(true);
  });

  it('handles recursive schemas lazily', () => {
    const types = new SchemaTypes((name) => builtinSchemas[name]);
    const props = asMap(types.named('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'));
    const nested = asMap(asMap(props.field('properties')).elementType);
    expect(asMap(nested.field('properties')).elementType).toBe(asMap(props.field('properties')).elementType);
  });

  it('treats a resource without a schema as unstructured, except metadata', () => {
    const root = typeForDefinition(schemaless);
    expect(root.field('spec')).toBeUndefined();
    expect(root.elementType).toBe(DEDUCED);
    expect(asList(at(root, 'metadata', 'finalizers')).relationship).toBe('set');
  });

  it('memoizes the type of a definition', () => {
    expect(typeForDefinition(cowboys)).toBe(cowboy);
  });
});
