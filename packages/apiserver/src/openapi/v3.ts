import { createHash } from 'node:crypto';
import type { OpenAPISchema } from '../builtin/schemas';
import { builtinSchemas } from '../builtin/schemas';
import type { ResourceDefinition } from '../registry/types';

/** The prefix of a `$ref` to a component schema. */
export const REF_PREFIX = '#/components/schemas/';
export const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** The `/openapi/v3/<api/v1|apis/g/v>` path segment of a group-version. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

interface GroupVersionDoc {
  readonly body: string;
  readonly hash: string;
}

/**
 * The OpenAPI v3 documents of one set of resources (one logical cluster's):
 * an index and one document per group-version, built on first request.
 */
export class OpenAPIv3Documents {
  private readonly byGroupVersion = new Map<string, ResourceDefinition[]>();
  private readonly docs = new Map<string, GroupVersionDoc>();
  private index?: string;

  constructor(definitions: readonly ResourceDefinition[], private readonly serverVersion: string) {
    for (const d of definitions) {
      const key = groupVersionPath(d.group, d.version);
      let list = this.byGroupVersion.get(key);
      if (!list) this.byGroupVersion.set(key, (list = []));
      list.push(d);
    }
  }

  /** `GET /openapi/v3`: every group-version with a content hash (kubectl caches by it). */
  indexDocument(): string {
    if (this.index === undefined) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const key of [...this.byGroupVersion.keys()].sort()) {
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.document(key)!.hash}` };
      }
      this.index = JSON.stringify({ paths });
    }
    return this.index;
  }

  /** `GET /openapi/v3/<gv path>`, or `undefined` when not served. */
  document(key: string): GroupVersionDoc | undefined {
    const cached = this.docs.get(key);
    if (cached) return cached;
    const definitions = this.byGroupVersion.get(key);
    if (!definitions) return undefined;
    const body = JSON.stringify(this.build(key, definitions));
    const doc = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() };
    this.docs.set(key, doc);
    return doc;
  }

  private build(key: string, definitions: ResourceDefinition[]): Record<string, unknown> {
    const schemas: Record<string, OpenAPISchema> = {};
    const paths: Record<string, unknown> = {};
    for (const d of definitions) {
      const local = d.openAPISchemas?.() ?? {};
      const resolve = (name: string) => local[name] ?? builtinSchemas[name];
      if (d.schemaName) {
        collect(d.schemaName, resolve, schemas);
        const listName = `${d.schemaName}List`;
        schemas[listName] = listSchema(d, d.schemaName);
        collect(LIST_META, resolve, schemas);
      }
      Object.assign(paths, pathsFor(d, key));
    }
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: this.serverVersion },
      paths,
      components: { schemas },
    };
  }
}

/** Adds `name` and everything it references to `out`. */
export function collect(name: string, resolve: (name: string) => OpenAPISchema | undefined, out: Record<string, OpenAPISchema>): void {
  if (out[name]) return;
  const schema = resolve(name);
  if (!schema) return;
  out[name] = schema;
  const visit = (node: OpenAPISchema | boolean | undefined): void => {
    if (!node || typeof node !== 'object') return;
    if (node.$ref?.startsWith(REF_PREFIX)) collect(node.$ref.slice(REF_PREFIX.length), resolve, out);
    node.allOf?.forEach(visit);
    node.oneOf?.forEach(visit);
    if (node.items) visit(node.items);
    visit(node.additionalProperties);
    if (node.properties) Object.values(node.properties).forEach(visit);
  };
  visit(schema);
}

/** The schema of a resource's list kind. */
export function listSchema(d: ResourceDefinition, itemName: string): OpenAPISchema {
  return {
    description: `${d.listKind} is a list of ${d.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this representation of an object.' },
      items: { type: 'array', description: `List of ${d.resource}.`, items: { $ref: `${REF_PREFIX}${itemName}` } },
      kind: { type: 'string', description: 'The REST resource this object represents.' },
      metadata: { allOf: [{ $ref: `${REF_PREFIX}${LIST_META}` }], description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: d.group, version: d.version, kind: d.listKind }],
  };
}

const queryParam = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const pathParam = (name: string, description: string) => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  queryParam('fieldValidation', 'Instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
];
const FORCE_PARAM = queryParam('force', 'Force is going to "force" Apply requests.');
const NAMESPACE_PARAM = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** Upstream's operation verb of each `x-kubernetes-action` (the installer's names, before the group-version is spliced in). */
const OPERATION_VERBS: Readonly<Record<string, string>> = {
  list: 'list',
  get: 'read',
  put: 'replace',
  post: 'create',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'delete',
};

/** Go's `ToValidOperationID`: letters kept, each run of other characters dropped and the next letter capitalized. */
function validOperationId(text: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c))) {
      out += capitalize ? c.toUpperCase() : c;
      capitalize = false;
    } else {
      capitalize = true;
    }
  }
  return out;
}

/**
 * Upstream's operation id (`readCoreV1NamespacedConfigMap`,
 * `deleteRbacAuthorizationV1CollectionClusterRole`, `listExampleComV1WidgetForAllNamespaces`):
 * the verb, the group (less `.k8s.io`, `core` for the legacy group) and version, then the rest.
 */
function operationId(action: string, d: ResourceDefinition, rest: string): string {
  const group = d.group === '' ? 'core' : d.group.replace(/\.k8s\.io$/, '');
  const collection = action === 'deletecollection';
  return `${OPERATION_VERBS[action]!}${validOperationId(group, true)}${validOperationId(d.version, true)}${collection ? 'Collection' : ''}${rest}`;
}

/** The paths (and their operations) a resource serves, as OpenAPI v3 path items. */
export function pathsFor(d: ResourceDefinition, gvPath: string): Record<string, unknown> {
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const ref = d.schemaName ? { $ref: `${REF_PREFIX}${d.schemaName}` } : { type: 'object' };
  const listRef = d.schemaName ? { $ref: `${REF_PREFIX}${d.schemaName}List` } : { type: 'object' };
  const body = { content: { 'application/json': { schema: ref } }, required: true };
  const ok = (schema: unknown) => ({ description: 'OK', content: { 'application/json': { schema } } });
  const scope = d.namespaced ? 'Namespaced' : '';
  const op = (action: string, rest: string, extra: Record<string, unknown> = {}) => ({
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    operationId: operationId(action, d, rest),
    ...extra,
  });
  const base = `/${gvPath}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}`;
  const collectionParams = d.namespaced ? { parameters: [NAMESPACE_PARAM] } : {};
  const create = () => op('post', `${scope}${d.kind}`, { parameters: WRITE_PARAMS, requestBody: body, responses: { '201': ok(ref) } });
  const paths: Record<string, unknown> = {};
  if (d.verbs.includes('create') && !d.verbs.includes('get')) {
    paths[base] = { post: create(), ...collectionParams };
    return paths;
  }
  const lists = d.verbs.includes('list');
  if (d.namespaced && lists) {
    paths[`/${gvPath}/${d.resource}`] = { get: op('list', `${d.kind}ForAllNamespaces`, { responses: { '200': ok(listRef) } }) };
  }
  paths[base] = {
    ...(lists ? { get: op('list', `${scope}${d.kind}`, { responses: { '200': ok(listRef) } }) } : {}),
    ...(d.verbs.includes('create') ? { post: create() } : {}),
    ...(d.verbs.includes('deletecollection') ? { delete: op('deletecollection', `${scope}${d.kind}`, { responses: { '200': ok({ type: 'object' }) } }) } : {}),
    ...collectionParams,
  };
  const itemParams = { parameters: [pathParam('name', `name of the ${d.kind}`), ...(d.namespaced ? [NAMESPACE_PARAM] : [])] };
  const patchBody = { content: { 'application/json-patch+json': { schema: { type: 'object' } }, 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/apply-patch+yaml': { schema: { type: 'object' } } }, required: true };
  const item = (verbs: readonly string[], sub: string) => {
    const rest = `${scope}${d.kind}${sub.charAt(0).toUpperCase()}${sub.slice(1)}`;
    const operations: Record<string, unknown> = {};
    for (const verb of verbs) {
      if (verb === 'get') operations['get'] = op('get', rest, { responses: { '200': ok(ref) } });
      else if (verb === 'update') operations['put'] = op('put', rest, { parameters: WRITE_PARAMS, requestBody: body, responses: { '200': ok(ref) } });
      else if (verb === 'patch') operations['patch'] = op('patch', rest, { parameters: [...WRITE_PARAMS, FORCE_PARAM], requestBody: patchBody, responses: { '200': ok(ref) } });
      else if (verb === 'delete' && sub === '') operations['delete'] = op('delete', rest, { responses: { '200': ok(ref) } });
      else if (verb === 'create' && sub !== '') operations['post'] = op('post', rest, { parameters: WRITE_PARAMS, requestBody: { content: { 'application/json': { schema: { type: 'object' } } }, required: true }, responses: { '201': ok({ type: 'object' }) } });
    }
    return { ...operations, ...itemParams };
  };
  paths[`${base}/{name}`] = item(d.verbs, '');
  for (const [sub, subresource] of Object.entries(d.subresources)) {
    if (sub === 'finalize' || sub === 'scale') continue;
    paths[`${base}/{name}/${sub}`] = item(subresource.verbs, sub);
  }
  return paths;
}
