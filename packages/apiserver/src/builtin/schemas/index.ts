/**
 * OpenAPI v3 component schemas of the built-in kinds the API server serves,
 * with the `x-kubernetes-*` extensions that drive strategic merge patch and
 * server-side apply. See README.md in this directory for the conventions and
 * the deliberate differences from upstream's published documents.
 */
import { admissionregistrationSchemas } from './admissionregistration';
import { apiextensionsSchemas } from './apiextensions';
import { authenticationSchemas } from './authentication';
import { authorizationSchemas } from './authorization';
import { SCHEMA_REF_PREFIX } from './builders';
import { certificatesSchemas } from './certificates';
import { coordinationSchemas } from './coordination';
import { coreSchemas } from './core';
import { eventsSchemas } from './events';
import { metaSchemas } from './meta';
import { rbacSchemas } from './rbac';
import type { OpenAPISchema } from './types';

export type { JSONValue, OpenAPISchema, OpenAPIType, SchemaGroupVersionKind } from './types';
export { SCHEMA_REF_PREFIX } from './builders';
export { BUILTIN_GROUP_VERSIONS } from './meta';

/** The per-group tables, in a fixed order; definition names never repeat across them. */
export const builtinSchemaGroups: Readonly<Record<string, Readonly<Record<string, OpenAPISchema>>>> = {
  meta: metaSchemas,
  core: coreSchemas,
  events: eventsSchemas,
  coordination: coordinationSchemas,
  certificates: certificatesSchemas,
  rbac: rbacSchemas,
  authorization: authorizationSchemas,
  authentication: authenticationSchemas,
  admissionregistration: admissionregistrationSchemas,
  apiextensions: apiextensionsSchemas,
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Every built-in component schema, keyed by upstream definition name
 * (`io.k8s.api.core.v1.ConfigMap`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, …).
 * References are `#/components/schemas/<name>`. The objects are deeply frozen,
 * so they can be shared by every logical cluster and serialized as they are.
 */
export const builtinSchemas: Readonly<Record<string, OpenAPISchema>> = deepFreeze(
  Object.assign({}, ...Object.values(builtinSchemaGroups)) as Record<string, OpenAPISchema>,
);

const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

const schemaNamesByGVK: ReadonlyMap<string, string> = new Map(
  Object.entries(builtinSchemas).flatMap(([name, schema]) =>
    (schema['x-kubernetes-group-version-kind'] ?? []).map((entry) => [gvkKey(entry.group, entry.version, entry.kind), name] as const),
  ),
);

/**
 * The definition name of the schema describing a group/version/kind, or
 * `undefined` when no built-in schema declares it. The core group is `""`.
 * List kinds are not covered (the API server derives them).
 */
export function schemaNameForKind(group: string, version: string, kind: string): string | undefined {
  return schemaNamesByGVK.get(gvkKey(group, version, kind));
}

/**
 * The definition name a schema node points at: its own `$ref`, or the single
 * `$ref` of an `allOf` wrapper (the form used for described properties).
 * `undefined` for nodes that are not references.
 */
export function schemaRefName(schema: OpenAPISchema): string | undefined {
  const target = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]?.$ref : undefined);
  return target?.startsWith(SCHEMA_REF_PREFIX) === true ? target.slice(SCHEMA_REF_PREFIX.length) : undefined;
}
