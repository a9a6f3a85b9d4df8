/**
 * OpenAPI v3 schema objects with the Kubernetes extensions, as the API server
 * publishes them under `/openapi/v3` and as `@kcp-ts/apis` declares the kcp
 * kinds: one type for the packages that write schemas and the one that
 * serves them. (A custom resource's schema, which arrives from users, is the
 * looser `JSONSchemaProps` of `@kcp-ts/apiserver`; this type is assignable to it.)
 */
import type { JsonValue } from './json';

/** One entry of `x-kubernetes-group-version-kind` (key order as upstream: group, kind, version). */
export interface SchemaGroupVersionKind {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
}

/** JSON types an OpenAPI v3 schema may declare. */
export type OpenAPIType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** One `x-kubernetes-validations` entry: a CEL rule evaluated on the node it sits on. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/**
 * An OpenAPI v3 schema object with the Kubernetes extensions.
 *
 * A structural node declares a `type` (or is int-or-string, or preserves
 * unknown fields); `$ref` / `allOf: [{ $ref }]` reference a named component
 * schema (the latter when the reference needs a sibling `description`); a
 * node without either is free-form (any JSON value); `oneOf`, `anyOf` and
 * `not` carry value validations only.
 */
export interface OpenAPISchema {
  readonly type?: OpenAPIType;
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, OpenAPISchema>>;
  readonly additionalProperties?: OpenAPISchema | boolean;
  readonly items?: OpenAPISchema;
  readonly required?: readonly string[];
  readonly enum?: readonly JsonValue[];
  readonly default?: JsonValue;
  readonly $ref?: string;
  readonly allOf?: readonly OpenAPISchema[];
  readonly oneOf?: readonly OpenAPISchema[];
  readonly anyOf?: readonly OpenAPISchema[];
  readonly not?: OpenAPISchema;
  readonly nullable?: boolean;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /** On top-level kinds: the group/version/kinds this schema describes. */
  readonly 'x-kubernetes-group-version-kind'?: readonly SchemaGroupVersionKind[];
  /** Strategic merge patch: the field identifying list elements to merge. */
  readonly 'x-kubernetes-patch-merge-key'?: string;
  /** Strategic merge patch: how a list or struct is patched. */
  readonly 'x-kubernetes-patch-strategy'?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  /** Server-side apply: list topology (`atomic` is the default for lists). */
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  /** Server-side apply: key fields of a `map` list. */
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  /** Server-side apply: object topology (`granular` is the default). */
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** The value is an integer or a string. */
  readonly 'x-kubernetes-int-or-string'?: true;
  /** Fields not described by the schema are kept, not pruned. */
  readonly 'x-kubernetes-preserve-unknown-fields'?: true;
  /** The object is an embedded resource with apiVersion, kind and metadata. */
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  /** CEL validation rules on this node. */
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}
