/** Types of the OpenAPI v3 schemas this package publishes: `@kcp-ts/apimachinery`'s, under the names this package has always exported. */
export type { JsonValue as JSONValue, OpenAPISchema, OpenAPIType, SchemaGroupVersionKind, ValidationRule } from '@kcp-ts/apimachinery';
