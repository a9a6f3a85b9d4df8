import { goQuote } from '@kcp-ts/topology';

/**
 * What a request is about, derived from its method, path and query exactly as
 * kube-apiserver's `RequestInfoFactory` derives it (after the
 * `/clusters/<cluster>` prefix has been stripped).
 */
export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | (string & {});

export interface ResourceRequestInfo {
  readonly isResourceRequest: true;
  readonly path: string;
  readonly verb: Verb;
  /** `api` or `apis` */
  readonly apiPrefix: 'api' | 'apis';
  /** `""` for the core group */
  readonly group: string;
  readonly version: string;
  /** the plural resource name, with any `:<identity>` suffix removed */
  readonly resource: string;
  /** the APIExport identity hash of `resource:<identity>` (wildcard requests), if any */
  readonly identity?: string;
  readonly subresource: string;
  /** `""` for cluster-scoped requests (and for `namespaces/<name>` itself, see {@link namespaceOfRequest}) */
  readonly namespace: string;
  readonly name: string;
  /** path parts from the resource on: `[resource, name, subresource, …]` */
  readonly parts: readonly string[];
}

export interface NonResourceRequestInfo {
  readonly isResourceRequest: false;
  readonly path: string;
  /** the lower-case HTTP method */
  readonly verb: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** Thrown for a path with a malformed percent-escape: Go's `url.EscapeError`. */
export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
}

/**
 * The request path as Go's `url.URL.Path` holds it, which is what
 * kube-apiserver routes on: percent-escapes decoded (`my%20role` is the role
 * `my role`, `%2F` a slash), `+` left as it is. A malformed escape throws
 * {@link PathEscapeError} with Go's message (`invalid URL escape "%zz"`);
 * escaped bytes that are not UTF-8 become U+FFFD (Go keeps the bytes, which
 * then match no object a JSON body could have named).
 */
export function unescapePath(path: string): string {
  if (!path.includes('%')) return path;
  const bad = /%(?![0-9a-fA-F]{2})/.exec(path);
  if (bad) throw new PathEscapeError(`invalid URL escape ${goQuote(path.slice(bad.index, bad.index + 3))}`);
  try {
    return decodeURIComponent(path);
  } catch {
    const pieces = path.split(/(%[0-9a-fA-F]{2})/).map((piece) => (piece.startsWith('%') ? Buffer.of(parseInt(piece.slice(1), 16)) : Buffer.from(piece)));
    return Buffer.concat(pieces).toString('utf8');
  }
}

/** Subresources of a namespace (`/api/v1/namespaces/<ns>/status`) that are not resources of their own. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Thrown for a resource path that cannot be interpreted. */
export class RequestInfoError extends Error {
  override readonly name = 'RequestInfoError';
}

/**
 * Parses a request the way kube-apiserver does.
 *
 * @param method the HTTP method
 * @param path the path without the `/clusters/<cluster>` prefix, without query
 * @param query the parsed query (for list vs watch and the `metadata.name` field selector)
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = splitPath(path);
  const nonResource: NonResourceRequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase() };
  if (parts.length < 3) return nonResource;
  const apiPrefix = parts[0];
  if (apiPrefix !== 'api' && apiPrefix !== 'apis') return nonResource;
  let current = parts.slice(1);
  let group = '';
  if (apiPrefix === 'apis') {
    if (current.length < 3) return nonResource;
    group = current[0]!;
    current = current.slice(1);
  }
  const version = current[0]!;
  current = current.slice(1);

  let verb: Verb;
  if (current[0] === 'watch') {
    // the deprecated /watch/ path form
    if (current.length < 2) throw new RequestInfoError('unable to determine kind and namespace from url');
    verb = 'watch';
    current = current.slice(1);
  } else {
    verb = VERB_OF_METHOD[method] ?? '';
  }

  let namespace = '';
  if (current[0] === 'namespaces') {
    if (current.length > 1) {
      namespace = current[1]!;
      if (current.length > 2 && !NAMESPACE_SUBRESOURCES.has(current[2]!)) {
        current = current.slice(2);
      }
    }
  }

  let resource = current[0] ?? '';
  const name = current[1] ?? '';
  const subresource = current.length >= 3 ? current[2]! : '';
  let identity: string | undefined;
  const colon = resource.indexOf(':');
  if (colon >= 0) {
    identity = resource.slice(colon + 1);
    resource = resource.slice(0, colon);
  }

  let effectiveName = name;
  if (name === '' && verb === 'get') {
    verb = parseBool(query.get('watch')) ? 'watch' : 'list';
    const nameFromSelector = exactNameFromFieldSelector(query.get('fieldSelector'));
    if (nameFromSelector !== undefined && isValidPathSegmentName(nameFromSelector)) effectiveName = nameFromSelector;
  } else if (verb === 'watch' && name !== '') {
    // /watch/namespaces/ns/configmaps/name
  }
  if (effectiveName === '' && verb === 'delete') verb = 'deletecollection';

  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix,
    group,
    version,
    resource,
    ...(identity !== undefined ? { identity } : {}),
    subresource,
    namespace,
    name: effectiveName,
    parts: current,
  };
}

const VERB_OF_METHOD: Record<string, Verb> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * The namespace a resource request addresses: for `namespaces/<name>[/status]`
 * kube-apiserver reports the namespace's own name as the request namespace;
 * the object itself is cluster-scoped.
 */
export function namespaceOfRequest(info: ResourceRequestInfo): string {
  return info.resource === 'namespaces' && info.group === '' ? '' : info.namespace;
}

function splitPath(path: string): string[] {
  // the segments between leading and trailing slashes
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  return start === end ? [] : path.slice(start, end).split('/');
}

/** Go's `strconv.ParseBool` truth values, which clients send (`watch=True` from python). */
export function parseBool(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && TRUE_VALUES.has(value);
}
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_VALUES = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Parses a boolean query value strictly: `undefined` when absent, a typed error for a non-boolean. */
export function parseBoolStrict(name: string, value: string | null): boolean | undefined {
  if (value === null || value === '') return undefined;
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw new RequestInfoError(`invalid value for ${name}: ${JSON.stringify(value)} is not a boolean`);
}

/** The name of a `metadata.name=<x>` (or `==`) requirement of a field selector, when it has one. */
function exactNameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}

/** Whether `name` can be one URL path segment (`IsValidPathSegmentName`). */
export function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}
