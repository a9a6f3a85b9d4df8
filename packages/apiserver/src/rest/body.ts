import { newBadRequest, newUnsupportedMediaType } from '@kcp-ts/apimachinery';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject, hasProtobufMagic, isProtobufDecodeError } from '../protobuf';
import { goJsonKind, goJsonStrings, goJsonSyntaxError, goUnmarshalFieldError, goUnmarshalTypeError, summarizeBody, yamlSurrogateEscapeLine } from './go-json';

/** The body content types the server decodes for create and update. */
export const OBJECT_CONTENT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a create/update body: JSON, YAML (kubectl never sends it, other
 * tools do) or the protobuf envelope kubectl 1.32 sends for typed commands.
 * Malformed bodies are 400 with the decoder's message; other media types 415.
 */
export function decodeObjectBody(contentType: string | undefined, body: Uint8Array): Record<string, unknown> {
  const type = mediaType(contentType) || 'application/json';
  switch (type) {
    case 'application/json':
      return expectObject(parseJson(body));
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return expectObject(parseYamlBody(body));
    case 'application/vnd.kubernetes.protobuf':
      try {
        return decodeProtobufObject(body);
      } catch (err) {
        if (isProtobufDecodeError(err, 'UnknownKind')) throw newUnsupportedMediaType(['application/json', 'application/yaml']);
        if (isProtobufDecodeError(err)) throw newBadRequest(err.message);
        throw err;
      }
    default:
      throw newUnsupportedMediaType(OBJECT_CONTENT_TYPES);
  }
}

/** Parses JSON bytes; 400 with the parser's message when malformed. */
export function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = textDecoder.decode(body);
  } catch {
    throw newBadRequest('the request body is not valid UTF-8');
  }
  if (text.trim() === '') throw newBadRequest('the request body is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw newBadRequest(`error decoding JSON: ${(err as Error).message}`);
  }
  return goJsonStrings(text, value);
}

function parseYamlBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = textDecoder.decode(body);
  } catch {
    throw newBadRequest('the request body is not valid UTF-8');
  }
  try {
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    throw newBadRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

function expectObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw newBadRequest(`the request body must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** The anonymous struct upstream decodes `apiVersion` and `kind` into first (`SimpleMetaFactory.Interpret`). */
const TYPE_META_STRUCT = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/**
 * Decodes the body of a create or update of `kind` (the kind the URL
 * addresses) as kube-apiserver does, with its error texts: a body that cannot
 * be read is 400 `the object provided is unrecognized (must be of type
 * <Kind>): <decoder error> (<start of the body>)`, one whose type is known
 * but whose content is not is 400 `<Kind> in version "<v>" cannot be handled
 * as a <Kind>: <error>` (upstream `transformDecodeError`). JSON errors carry
 * Go's `encoding/json` wording; media types other than JSON, YAML and
 * protobuf are 415.
 */
export function decodeRequestObject(
  contentType: string | undefined,
  body: Uint8Array,
  target: { readonly kind: string; readonly apiVersion: string },
): Record<string, unknown> {
  const kind = target.kind;
  const unrecognized = (detail: string) =>
    newBadRequest(`the object provided is unrecognized (must be of type ${kind}): ${detail} (${summarizeBody(body)})`);
  const type = mediaType(contentType) || 'application/json';
  switch (type) {
    case 'application/json':
      return decodeJsonObject(body, target, unrecognized);
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml': {
      const source = Buffer.from(body).toString('utf8');
      let value: unknown;
      try {
        value = parseYaml(source, { maxAliasCount: 100, uniqueKeys: false });
      } catch (err) {
        throw unrecognized(`error converting YAML to JSON: ${goYamlMessage(err)}`);
      }
      // upstream converts the YAML to JSON and decodes that; an empty document is JSON null
      const text = JSON.stringify(value ?? null) ?? 'null';
      const line = yamlSurrogateEscapeLine(source, value);
      if (line !== undefined) throw unrecognized(`error converting YAML to JSON: yaml: line ${line}: found invalid Unicode character escape code`);
      return decodeJsonObject(Buffer.from(text), target, unrecognized);
    }
    case 'application/vnd.kubernetes.protobuf':
      if (body.length === 0) throw unrecognized('empty data');
      if (!hasProtobufMagic(body)) {
        throw unrecognized('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
      }
      if (body.length === 4) throw unrecognized('empty body');
      try {
        return decodeProtobufObject(body);
      } catch (err) {
        if (isProtobufDecodeError(err, 'UnknownKind')) throw newUnsupportedMediaType(['application/json', 'application/yaml']);
        if (isProtobufDecodeError(err)) {
          // gogo-protobuf reports truncated wire data as io.ErrUnexpectedEOF
          const cause = (err as { cause?: unknown }).cause;
          const truncated = cause instanceof Error && /^truncated varint$|exceeds the \d+ remaining bytes$/.test(cause.message);
          const detail = truncated ? 'unexpected EOF' : err.message;
          const { apiVersion, kind: bodyKind } = err.details;
          if (apiVersion && bodyKind) {
            throw newBadRequest(`${bodyKind} in version ${JSON.stringify(versionOf(apiVersion))} cannot be handled as a ${kind}: ${detail}`);
          }
          throw unrecognized(detail);
        }
        throw err;
      }
    default:
      throw newUnsupportedMediaType(OBJECT_CONTENT_TYPES);
  }
}

function decodeJsonObject(
  json: Uint8Array,
  target: { readonly kind: string; readonly apiVersion: string },
  unrecognized: (detail: string) => Error,
): Record<string, unknown> {
  const parsed = parseGoJson(json);
  if ('syntaxError' in parsed) throw unrecognized(`couldn't get version/kind; json parse error: ${parsed.syntaxError}`);
  const value = parsed.value;
  // null decodes into an empty object
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw unrecognized(`couldn't get version/kind; json parse error: ${goUnmarshalTypeError(goJsonKind(value), TYPE_META_STRUCT)}`);
  }
  const object = value as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind']) {
    const v = object[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw unrecognized(`couldn't get version/kind; json parse error: ${goUnmarshalFieldError(goJsonKind(v), '', field, 'string')}`);
    }
  }
  const metadata = object['metadata'];
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    const apiVersion = typeof object['apiVersion'] === 'string' && object['apiVersion'] !== '' ? object['apiVersion'] : target.apiVersion;
    const bodyKind = typeof object['kind'] === 'string' && object['kind'] !== '' ? object['kind'] : target.kind;
    throw newBadRequest(
      `${bodyKind} in version ${JSON.stringify(versionOf(apiVersion))} cannot be handled as a ${target.kind}: ${goUnmarshalFieldError(goJsonKind(metadata), bodyKind, 'metadata', 'v1.ObjectMeta')}`,
    );
  }
  if (metadata === null) delete object['metadata'];
  return object;
}

/**
 * Bodies up to this size nest at most half as deep (2,048 levels): the
 * Go-compatible scan, which recurses per level, cannot run out of stack on
 * them, so for them it only has to run when JSON.parse fails.
 */
const PARSE_FIRST_MAX_BYTES = 4096;

/**
 * Parses a JSON body as Go's `json.Unmarshal` reads it: its value, or the
 * syntax error message Go reports. JSON.parse (over this UTF-8 decoding,
 * which keeps a BOM and turns invalid bytes into U+FFFD without swallowing
 * the ASCII after them) accepts exactly the documents Go's scan accepts, so a
 * small body is parsed first and scanned only when that fails; a larger one
 * is scanned first, as it always was.
 */
function parseGoJson(bytes: Uint8Array): { value: unknown } | { syntaxError: string } {
  if (bytes.length <= PARSE_FIRST_MAX_BYTES) {
    const text = utf8Text(bytes);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const syntaxError = goJsonSyntaxError(bytes);
      if (syntaxError === undefined) throw err;
      return { syntaxError };
    }
    return { value: goJsonStrings(text, value) };
  }
  const syntaxError = goJsonSyntaxError(bytes);
  if (syntaxError !== undefined) return { syntaxError };
  const text = utf8Text(bytes);
  return { value: goJsonStrings(text, JSON.parse(text)) };
}

/** The bytes as text (invalid sequences become U+FFFD; a BOM stays), without copying them first. */
function utf8Text(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
}

/** The version part of an apiVersion (`apps/v1` → `v1`). */
function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** A YAML parser error in go-yaml's shape: `yaml: line <n>: <reason>`. */
function goYamlMessage(err: unknown): string {
  const error = err as { message?: string; linePos?: Array<{ line: number }> };
  const reason = (error.message ?? String(err)).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const line = error.linePos?.[0]?.line;
  return line === undefined ? `yaml: ${reason}` : `yaml: line ${line}: ${reason}`;
}

/**
 * Decodes a JSON Patch document as upstream's `jsonpatch.DecodePatch`: 400
 * with Go's error for bad JSON or a document that is not a list of objects;
 * `null` is the empty patch. Everything about the operations themselves is
 * checked when applying (422).
 */
export function decodeJsonPatchBody(body: Uint8Array): unknown[] {
  const parsed = parseGoJson(body);
  if ('syntaxError' in parsed) throw newBadRequest(parsed.syntaxError);
  const value = parsed.value;
  if (value === null) return [];
  if (!Array.isArray(value)) throw newBadRequest(goUnmarshalTypeError(goJsonKind(value), 'jsonpatch.Patch'));
  for (const operation of value) {
    if (operation !== null && (typeof operation !== 'object' || Array.isArray(operation))) {
      throw newBadRequest(goUnmarshalTypeError(goJsonKind(operation), 'jsonpatch.Operation'));
    }
  }
  return value;
}

/**
 * Decodes a merge patch (`application/merge-patch+json`) or strategic merge
 * patch body as upstream's patch handler does: 400 with Go's error for bad
 * JSON or a document that is not an object, prefixed `error decoding patch: `
 * for merge patches; a `null` merge patch is `Invalid JSON Patch`, a `null`
 * strategic patch changes nothing.
 */
export function decodePatchObjectBody(body: Uint8Array, type: 'merge' | 'strategic'): Record<string, unknown> {
  const prefix = type === 'merge' ? 'error decoding patch: ' : '';
  const parsed = parseGoJson(body);
  if ('syntaxError' in parsed) throw newBadRequest(`${prefix}${parsed.syntaxError}`);
  const value = parsed.value;
  if (value === null) {
    if (type === 'merge') throw newBadRequest('Invalid JSON Patch');
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw newBadRequest(`${prefix}${goUnmarshalTypeError(goJsonKind(value), 'map[string]interface {}')}`);
  }
  return value as Record<string, unknown>;
}
