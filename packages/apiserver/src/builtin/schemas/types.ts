/**
 * Types of the OpenAPI v3 component schemas served for built-in kinds.
 *
 * The shape follows OpenAPI 3.0 schema objects as the Kubernetes API server
 * publishes them under `/openapi/v3`, including the `x-kubernetes-*`
 * extensions that drive strategic merge patch and server-side apply.
 */

import type { OpenAPISchema } from '@kcp-ts/apimachinery';

export type { JsonValue as JSONValue, OpenAPISchema, OpenAPIType, SchemaGroupVersionKind } from '@kcp-ts/apimachinery';

/** The `x-kubernetes-*` merge extensions a builder may attach to a node. */
export type MergeExtensions = Pick<
  OpenAPISchema,
  | 'x-kubernetes-patch-merge-key'
  | 'x-kubernetes-patch-strategy'
  | 'x-kubernetes-list-type'
  | 'x-kubernetes-list-map-keys'
  | 'x-kubernetes-map-type'
>;
