/**
 * The JSON `/openapi/v2` (Swagger 2.0) document of one logical cluster, as
 * kube-apiserver serves it to tools that still read v2 (helm, terraform,
 * client generators): the same resources, paths and schemas as the
 * per-group-version OpenAPI v3 documents, converted the way upstream builds
 * its v2 spec (definitions under `#/definitions/`, request bodies as `body`
 * parameters, and custom resource schemas reduced to what v2 and kubectl's
 * v2 validation can express).
 */
import { createHash } from 'node:crypto';
import type { OpenAPISchema } from '../builtin/schemas';
import { builtinSchemas } from '../builtin/schemas';
import type { ResourceDefinition } from '../registry/types';
import { acceptedMediaRanges } from '../rest/negotiate';
import { LIST_META, REF_PREFIX, collect, groupVersionPath, listSchema, pathsFor } from './v3';

const DEFINITIONS_PREFIX = '#/definitions/';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Node = Record<string, unknown>;

/** The JSON Swagger 2.0 document of one set of resources, built on first request. */
export class OpenAPIv2Document {
  private built?: { readonly body: string; readonly etag: string };

  constructor(
    private readonly definitions: readonly ResourceDefinition[],
    private readonly serverVersion: string,
  ) {}

  /** The document's JSON and its ETag (upstream's: the upper-case hex SHA-512 of the JSON). */
  json(): { readonly body: string; readonly etag: string } {
    if (this.built === undefined) {
      const body = JSON.stringify(this.build());
      this.built = { body, etag: createHash('sha512').update(body).digest('hex').toUpperCase() };
    }
    return this.built;
  }

  private build(): Node {
    const definitions: Record<string, unknown> = {};
    const paths: Record<string, unknown> = {};
    for (const d of this.definitions) {
      const local = d.openAPISchemas?.() ?? {};
      if (d.schemaName) {
        const schemas: Record<string, OpenAPISchema> = {};
        collect(d.schemaName, (name) => local[name] ?? builtinSchemas[name], schemas);
        schemas[`${d.schemaName}List`] = listSchema(d, d.schemaName);
        collect(LIST_META, (name) => builtinSchemas[name], schemas);
        for (const [name, schema] of Object.entries(schemas)) {
          if (name in definitions) continue;
          definitions[name] = local[name] !== undefined ? customResourceSchema(schema as Node) : toV2Schema(schema as Node);
        }
      }
      for (const [path, item] of Object.entries(pathsFor(d, groupVersionPath(d.group, d.version)))) paths[path] = toV2PathItem(item as Node);
    }
    return {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: this.serverVersion },
      paths: sorted(paths),
      definitions: sorted(definitions),
      securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
      security: [{ BearerToken: [] }],
    };
  }
}

function sorted(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A v3 schema in v2's terms: references point into `#/definitions/`; a
 * property typed by a named schema (v3's `allOf: [{$ref}]` wrapper, which
 * exists to carry a description and default) is a `$ref` with its
 * description; `nullable` goes (v2 has none); a `oneOf` of plain types (an
 * int-or-string, a quantity) is a string, as upstream's v2 types them.
 */
export function toV2Schema(node: Node): Node {
  const out: Node = {};
  const allOf = node['allOf'];
  const wrapped = Array.isArray(allOf) && allOf.length === 1 && typeof (allOf[0] as Node | undefined)?.['$ref'] === 'string' && node['$ref'] === undefined;
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$ref':
        out[key] = v2Ref(value as string);
        break;
      case 'allOf':
        if (wrapped) out['$ref'] = v2Ref((allOf[0] as Node)['$ref'] as string);
        else out[key] = (value as Node[]).map(toV2Schema);
        break;
      case 'default':
        if (!wrapped) out[key] = value;
        break;
      case 'nullable':
        break;
      case 'oneOf':
      case 'anyOf': {
        const types = (value as Node[]).map((member) => (Object.keys(member).length === 1 ? member['type'] : undefined));
        if (types.every((type) => typeof type === 'string')) {
          if (node['type'] === undefined && types.includes('string')) out['type'] = 'string';
        } else {
          out[key] = (value as Node[]).map(toV2Schema);
        }
        break;
      }
      case 'not':
      case 'items':
        out[key] = Array.isArray(value) ? value.map(toV2Schema) : toV2Schema(value as Node);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'object' && value !== null ? toV2Schema(value as Node) : value;
        break;
      case 'properties':
        out[key] = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([name, child]) => [name, toV2Schema(child)]));
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

/** The members of a custom resource's published schema the CRD's own schema did not write. */
const KUBE_NATIVE_PROPERTIES = ['apiVersion', 'kind', 'metadata'];

/**
 * A custom resource's schema in v2 (upstream's `ToStructuralOpenAPIV2` and
 * `buildKubeNative`): a root that preserves unknown fields is only an object
 * with its kind; below the root, junctors (allOf, anyOf, oneOf, not) go, a
 * nullable node loses its type and children (and is no longer required), a
 * node preserving unknown fields loses its children (and `type: object`),
 * and an array left without items loses its type, since kubectl's v2
 * validation would otherwise reject what the server accepts.
 */
export function customResourceSchema(schema: Node): Node {
  const gvk = schema['x-kubernetes-group-version-kind'];
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return { type: 'object', 'x-kubernetes-group-version-kind': gvk };
  const root = structuralV2(schema, KUBE_NATIVE_PROPERTIES);
  return toV2Schema(root);
}

function structuralV2(node: Node, keep: readonly string[] = []): Node {
  const out: Node = { ...node };
  for (const junctor of ['allOf', 'anyOf', 'oneOf', 'not']) delete out[junctor];
  if (out['nullable'] === true) {
    delete out['type'];
    delete out['items'];
    delete out['properties'];
  }
  delete out['nullable'];
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out['items'];
    delete out['properties'];
    if (out['type'] === 'object') delete out['type'];
  }
  if (out['type'] === 'array' && out['items'] === undefined) delete out['type'];
  const properties = out['properties'] as Record<string, Node> | undefined;
  if (properties !== undefined) {
    const converted: Record<string, Node> = {};
    for (const [name, child] of Object.entries(properties)) converted[name] = keep.includes(name) ? child : structuralV2(child);
    out['properties'] = converted;
    const nullable = Object.entries(properties).filter(([, child]) => child['nullable'] === true).map(([name]) => name);
    if (Array.isArray(out['required']) && nullable.length > 0) out['required'] = (out['required'] as string[]).filter((name) => !nullable.includes(name));
  }
  const items = out['items'];
  if (typeof items === 'object' && items !== null && !Array.isArray(items)) out['items'] = structuralV2(items as Node);
  const additional = out['additionalProperties'];
  if (typeof additional === 'object' && additional !== null) {
    if ((additional as Node)['nullable'] === true) delete out['required'];
    out['additionalProperties'] = structuralV2(additional as Node);
  }
  if (Array.isArray(out['required']) && (out['required'] as string[]).length === 0) delete out['required'];
  return out;
}

function v2Ref(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? DEFINITIONS_PREFIX + ref.slice(REF_PREFIX.length) : ref;
}

/** A v3 path item in v2's terms: parameters carry their type inline, a request body is the `body` parameter. */
function toV2PathItem(item: Node): Node {
  const out: Node = {};
  for (const method of HTTP_METHODS) {
    const operation = item[method] as Node | undefined;
    if (operation !== undefined) out[method] = toV2Operation(operation);
  }
  if (Array.isArray(item['parameters'])) out['parameters'] = (item['parameters'] as Node[]).map(toV2Parameter);
  return out;
}

function toV2Operation(operation: Node): Node {
  const { requestBody, responses, parameters, ...rest } = operation as {
    requestBody?: { content: Record<string, { schema: Node }>; required?: boolean };
    responses: Record<string, { description: string; content?: Record<string, { schema: Node }> }>;
    parameters?: Node[];
  } & Node;
  const out: Node = {};
  const produces = new Set<string>();
  const v2Responses: Record<string, Node> = {};
  for (const [code, response] of Object.entries(responses)) {
    const [type, media] = Object.entries(response.content ?? {})[0] ?? [];
    if (type !== undefined) produces.add(type);
    v2Responses[code] = { description: response.description, ...(media ? { schema: toV2Schema(media.schema) } : {}) };
  }
  v2Responses['401'] = { description: 'Unauthorized' };
  out['consumes'] = requestBody ? Object.keys(requestBody.content) : ['*/*'];
  out['produces'] = [...produces];
  out['schemes'] = ['https'];
  const v2Parameters = (parameters ?? []).map(toV2Parameter);
  if (requestBody) {
    const [media] = Object.values(requestBody.content);
    v2Parameters.unshift({ name: 'body', in: 'body', required: requestBody.required === true, schema: toV2Schema(media!.schema) });
  }
  if (v2Parameters.length > 0) out['parameters'] = v2Parameters;
  out['responses'] = v2Responses;
  return { ...out, ...rest };
}

function toV2Parameter(parameter: Node): Node {
  const { schema, ...rest } = parameter as { schema?: Node } & Node;
  return { ...rest, ...schema };
}

/** The media types `/openapi/v2` serves, in kube-openapi's order: JSON, then the protobuf document under both names. */
const V2_MEDIA_TYPES: ReadonlyArray<readonly [type: string, subtype: string, form: 'json' | 'protobuf']> = [
  ['application', 'json', 'json'],
  ['application', 'com.github.proto-openapi.spec.v2@v1.0+protobuf', 'protobuf'],
  ['application', 'com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
];

/**
 * The form of `/openapi/v2` an `Accept` header asks for, chosen as
 * kube-openapi chooses (no header is `*\/*`): the media ranges in order of
 * quality, a concrete type before a wildcard, and the first served type each
 * matches. `undefined`: nothing acceptable (406). A range of quality 0 is
 * refused, not matched.
 */
export function openAPIv2MediaType(accept: string | undefined): 'json' | 'protobuf' | undefined {
  for (const range of acceptedMediaRanges(accept === undefined || accept.trim() === '' ? '*/*' : accept)) {
    for (const [type, subtype, form] of V2_MEDIA_TYPES) {
      if ((range.type === type || range.type === '*') && (range.subtype === subtype || range.subtype === '*')) return form;
    }
  }
  return undefined;
}
