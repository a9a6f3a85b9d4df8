/**
 * The merge types server-side apply works with, derived from OpenAPI v3
 * schemas as kube-openapi's `schemaconv` derives structured-merge-diff
 * schemas: structs and maps (granular unless `x-kubernetes-map-type:
 * atomic`), lists (`x-kubernetes-list-type` atomic/set/map with
 * `x-kubernetes-list-map-keys`, falling back to the strategic-merge-patch
 * extensions), scalars, and the "deduced" type of unstructured content
 * (granular maps, atomic lists) for `x-kubernetes-preserve-unknown-fields`.
 */
import { builtinSchemas, type OpenAPISchema } from '../builtin/schemas';
import { resolveNode, type SchemaResolver } from '../openapi/structural';
import type { ResourceDefinition } from '../registry/types';

/** A leaf: scalars, and values of no declared type (any JSON, owned as a whole). */
export interface ScalarType {
  readonly kind: 'scalar';
  /** the JSON type an apply configuration must give (structured-merge-diff's `Scalar`); any when absent */
  readonly scalar?: 'string' | 'numeric' | 'boolean';
}

/** Structs (declared fields) and maps (string keys), owned per field unless atomic. */
export interface MapType {
  readonly kind: 'map';
  readonly atomic: boolean;
  /** the type of a declared struct field */
  field(name: string): FieldType | undefined;
  /** the type of keys that are not declared fields (map values; deduced for preserved unknown fields) */
  readonly elementType: FieldType | undefined;
  /** whether a declared field may hold `null` (`nullable: true`) */
  nullable(name: string): boolean;
}

/** Lists: atomic (replaced whole), sets of scalars, or associative lists keyed by some fields. */
export interface ListType {
  readonly kind: 'list';
  readonly relationship: 'atomic' | 'set' | 'map';
  /** key fields of an associative (`map`) list */
  readonly keys: readonly string[];
  readonly elementType: FieldType;
  /** the schema default of a key field, used when an item omits it */
  keyDefault(name: string): unknown;
}

/** Unstructured content: objects are granular maps of deduced values, lists atomic, scalars leaves. */
export interface DeducedType {
  readonly kind: 'deduced';
}

/** A merge type. */
export type FieldType = ScalarType | MapType | ListType | DeducedType;

/** The scalar (leaf) type of any JSON value. */
export const SCALAR: ScalarType = Object.freeze({ kind: 'scalar' });
const STRING_SCALAR: ScalarType = Object.freeze({ kind: 'scalar', scalar: 'string' });
const NUMERIC_SCALAR: ScalarType = Object.freeze({ kind: 'scalar', scalar: 'numeric' });
const BOOLEAN_SCALAR: ScalarType = Object.freeze({ kind: 'scalar', scalar: 'boolean' });
/** The deduced type of unstructured content. */
export const DEDUCED: DeducedType = Object.freeze({ kind: 'deduced' });
/** The granular map a deduced object is. */
export const DEDUCED_MAP: MapType = Object.freeze({
  kind: 'map',
  atomic: false,
  field: () => undefined,
  elementType: DEDUCED,
  nullable: () => true,
});

/**
 * Builds merge types from the schemas one resolver reaches. Types are built
 * lazily (recursive schemas such as JSONSchemaProps stay finite) and memoized
 * per schema node.
 */
export class SchemaTypes {
  private readonly memo = new WeakMap<OpenAPISchema, FieldType>();

  constructor(private readonly resolve: SchemaResolver) {}

  /** The merge type of a schema node (a property, `items` or `additionalProperties` node, or a named schema). */
  typeOf(node: OpenAPISchema): FieldType {
    const known = this.memo.get(node);
    if (known) return known;
    const type = this.build(node);
    this.memo.set(node, type);
    return type;
  }

  /** The merge type of a named component schema (`undefined` when unknown). */
  named(name: string): FieldType | undefined {
    const schema = this.resolve(name);
    return schema ? this.typeOf(schema) : undefined;
  }

  private build(node: OpenAPISchema): FieldType {
    const schema = resolveNode(node, this.resolve);
    const ext = <K extends keyof OpenAPISchema>(key: K): OpenAPISchema[K] => node[key] ?? schema[key];
    if (ext('x-kubernetes-int-or-string')) return SCALAR;
    const preserve = ext('x-kubernetes-preserve-unknown-fields') === true;
    if (schema.type === 'array') return this.listType(schema, ext);
    const hasShape = schema.properties !== undefined || schema.additionalProperties !== undefined;
    if (schema.type === 'object' || (schema.type === undefined && hasShape)) {
      return this.mapType(schema, ext('x-kubernetes-map-type') === 'atomic', preserve);
    }
    // strings, numbers, booleans, and nodes of no declared type (any JSON value, owned whole)
    switch (schema.type) {
      case 'string':
        return STRING_SCALAR;
      case 'integer':
      case 'number':
        return NUMERIC_SCALAR;
      case 'boolean':
        return BOOLEAN_SCALAR;
      default:
        return SCALAR;
    }
  }

  private mapType(schema: OpenAPISchema, atomic: boolean, preserve: boolean): MapType {
    const properties = schema.properties ?? {};
    const fieldTypes = new Map<string, FieldType>();
    const additional = schema.additionalProperties;
    const fieldOf = (name: string): FieldType | undefined => {
      if (!Object.hasOwn(properties, name)) return undefined;
      let type = fieldTypes.get(name);
      if (!type) {
        type = this.typeOf(properties[name]!);
        fieldTypes.set(name, type);
      }
      return type;
    };
    const nullableOf = (name: string): boolean => {
      if (!Object.hasOwn(properties, name)) return true;
      const node = properties[name]!;
      return node.nullable === true || resolveNode(node, this.resolve).nullable === true;
    };
    let elementType: () => FieldType | undefined;
    if (typeof additional === 'object') {
      let built: FieldType | undefined;
      elementType = () => (built ??= this.typeOf(additional));
    } else {
      // preserved unknown fields (and objects of no declared shape) are unstructured
      const deduced = additional === true || preserve || schema.properties === undefined ? DEDUCED : undefined;
      elementType = () => deduced;
    }
    return {
      kind: 'map',
      atomic,
      field: fieldOf,
      get elementType() {
        return elementType();
      },
      nullable: nullableOf,
    };
  }

  private listType(schema: OpenAPISchema, ext: <K extends keyof OpenAPISchema>(key: K) => OpenAPISchema[K]): ListType {
    const items = schema.items;
    let built: FieldType | undefined;
    const elementType = (): FieldType => (built ??= items ? this.typeOf(items) : SCALAR);
    let relationship: ListType['relationship'] = 'atomic';
    let keys: readonly string[] = [];
    const listType = ext('x-kubernetes-list-type');
    if (listType === 'set') relationship = 'set';
    else if (listType === 'map') {
      keys = ext('x-kubernetes-list-map-keys') ?? [];
      relationship = keys.length > 0 ? 'map' : 'atomic';
    } else if (listType === undefined) {
      // built-in types without list-type markers: the strategic-merge-patch strategy decides
      const mergeKey = ext('x-kubernetes-patch-merge-key');
      const strategy = ext('x-kubernetes-patch-strategy') ?? '';
      if (mergeKey !== undefined) {
        relationship = 'map';
        keys = [mergeKey];
      } else if (strategy.split(',').includes('merge')) {
        relationship = 'set';
      }
    }
    const keyDefault = (name: string): unknown => {
      if (!items) return undefined;
      const itemSchema = resolveNode(items, this.resolve);
      const keySchema = itemSchema.properties?.[name];
      if (!keySchema) return undefined;
      return keySchema.default ?? resolveNode(keySchema, this.resolve).default;
    };
    return {
      kind: 'list',
      relationship,
      keys,
      get elementType() {
        return elementType();
      },
      keyDefault,
    };
  }
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The merge types of the built-in schemas, shared by every built-in definition. */
export const builtinTypes = new SchemaTypes((name) => builtinSchemas[name]);

const objectMetaType = (): FieldType => builtinTypes.named(OBJECT_META)!;

const rootTypes = new WeakMap<ResourceDefinition, MapType>();

/**
 * The merge type of a resource's objects: its OpenAPI schema (built-in, or
 * the CRD's through `openAPISchemas()`), with `metadata` always typed as
 * ObjectMeta (labels and annotations granular maps, finalizers a set,
 * ownerReferences keyed by uid) and `apiVersion`/`kind` scalars. Without a
 * schema the object is unstructured (deduced).
 */
export function typeForDefinition(definition: ResourceDefinition): MapType {
  const known = rootTypes.get(definition);
  if (known) return known;
  let base: FieldType = DEDUCED;
  if (definition.schemaName) {
    const own = definition.openAPISchemas?.();
    const types = own ? new SchemaTypes((name) => own[name] ?? builtinSchemas[name]) : builtinTypes;
    base = types.named(definition.schemaName) ?? DEDUCED;
  }
  const baseMap: MapType = base.kind === 'map' ? base : DEDUCED_MAP;
  const root: MapType = {
    kind: 'map',
    atomic: false,
    field: (name) => {
      if (name === 'metadata') return objectMetaType();
      if (name === 'apiVersion' || name === 'kind') return SCALAR;
      return baseMap.field(name);
    },
    elementType: baseMap.elementType,
    nullable: (name) => baseMap.nullable(name),
  };
  rootTypes.set(definition, root);
  return root;
}
