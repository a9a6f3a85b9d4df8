import { StatusError, newNotAcceptable } from '@kcp-ts/apimachinery';
import type { ResourceDefinition } from '../registry/types';
import { goTypeName } from './type-meta';

/** What a GET/LIST/WATCH response should carry. */
export type OutputFormat =
  | { readonly kind: 'object' }
  | { readonly kind: 'table'; readonly version: 'v1' | 'v1beta1'; readonly includeObject: 'None' | 'Metadata' | 'Object' }
  | { readonly kind: 'partialMetadata'; readonly version: 'v1' | 'v1beta1'; readonly list: boolean };

/** One media range of an `Accept` header. */
export interface MediaRange {
  /** lower-case, e.g. `application` or `*` */
  readonly type: string;
  /** lower-case, e.g. `json` or `*` */
  readonly subtype: string;
  /** parameters other than `q`, names lower-case */
  readonly params: Readonly<Record<string, string>>;
  readonly q: number;
}

/**
 * The media ranges of an `Accept` header in the order a server should try
 * them, as goautoneg (and so kube-apiserver and kube-openapi) orders them:
 * by quality, then a concrete type before `type/*` before `*\/*`, otherwise
 * as listed. Ranges of quality 0 (refused) and malformed ones are left out.
 */
export function acceptedMediaRanges(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [range = '', ...rawParams] = part.split(';');
    const [type = '', subtype, ...extra] = range.trim().toLowerCase().split('/');
    if (type === '' || extra.length > 0 || (subtype === undefined && type !== '*')) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const raw of rawParams) {
      const eq = raw.indexOf('=');
      if (eq <= 0) continue;
      const name = raw.slice(0, eq).trim().toLowerCase();
      const value = raw.slice(eq + 1).trim();
      if (name === 'q') q = Number.parseFloat(value) || 0;
      else params[name] = value;
    }
    if (q > 0) ranges.push({ type, subtype: subtype?.trim() ?? '*', params, q });
  }
  const specificity = (r: MediaRange) => (r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2);
  return ranges.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

/** The serializations of objects, in kube-apiserver's order: a wildcard range gets the first it matches. */
const SERVABLE = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function matches(range: MediaRange, mediaType: string): boolean {
  if (range.type === '*') return true;
  const slash = mediaType.indexOf('/');
  return range.type === mediaType.slice(0, slash) && (range.subtype === '*' || range.subtype === mediaType.slice(slash + 1));
}

interface Choice {
  readonly format: OutputFormat;
  /** the serialization: YAML only when asked for before JSON (protobuf-preferring clients get JSON, which they all accept) */
  readonly encoding: 'json' | 'yaml';
}

/**
 * The first media range this server can answer, as kube-apiserver negotiates:
 * a `Table` (`as=Table;g=meta.k8s.io`) or `PartialObjectMetadata[List]` in
 * JSON or protobuf, or the object itself in JSON, YAML or protobuf.
 * Responses are JSON unless YAML comes first: protobuf-preferring clients
 * list JSON too. `undefined`: nothing acceptable.
 */
function choose(accept: string, includeObjectParam: string | null): Choice | undefined {
  for (const range of acceptedMediaRanges(accept)) {
    const as = range.params['as'];
    if (as !== undefined) {
      if (range.params['g'] !== 'meta.k8s.io' || range.type !== 'application' || (range.subtype !== 'json' && range.subtype !== 'vnd.kubernetes.protobuf')) continue;
      const version = range.params['v'];
      if (version !== 'v1' && version !== 'v1beta1') continue;
      if (as === 'Table') {
        const includeObject = includeObjectParam === 'None' || includeObjectParam === 'Object' ? includeObjectParam : 'Metadata';
        return { format: { kind: 'table', version, includeObject }, encoding: 'json' };
      }
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
        return { format: { kind: 'partialMetadata', version, list: as === 'PartialObjectMetadataList' }, encoding: 'json' };
      }
      continue;
    }
    const served = SERVABLE.find((type) => matches(range, type));
    if (served !== undefined) return { format: OBJECT, encoding: served === 'application/yaml' ? 'yaml' : 'json' };
  }
  return undefined;
}

const OBJECT: OutputFormat = { kind: 'object' };

/** The form of a GET/LIST/WATCH response `Accept` asks for; `406` when nothing acceptable can be served. */
export function negotiateOutput(accept: string | undefined, includeObjectParam: string | null): OutputFormat {
  if (!accept || accept.trim() === '') return OBJECT;
  const choice = choose(accept, includeObjectParam);
  if (!choice) throw newNotAcceptable(SERVABLE);
  return choice.format;
}

/**
 * Whether a response is to be serialized as YAML: `application/yaml` is the
 * first acceptable media range. A watch cannot be (it has no YAML stream
 * form); everything else answered with an object or a Status can.
 */
export function wantsYaml(accept: string | undefined): boolean {
  if (accept === undefined || !/yaml/i.test(accept)) return false;
  return choose(accept, null)?.encoding === 'yaml';
}

/**
 * Upstream's 406 when the metadata form asked for does not fit what was read:
 * `PartialObjectMetadataList` of one object, or `PartialObjectMetadata` of a
 * list, naming the Go type read.
 */
export function refuseMetadataForm(format: OutputFormat, list: boolean, definition: ResourceDefinition): void {
  if (format.kind !== 'partialMetadata' || format.list === list) return;
  const typeName = goTypeName(definition, list);
  const message = list
    ? `you requested PartialObjectMetadata, but the requested object is a list (${typeName})`
    : `you requested PartialObjectMetadataList, but the requested object is not a list (${typeName})`;
  throw new StatusError({ status: 'Failure', code: 406, reason: 'NotAcceptable', message });
}

/** A watch asked for in YAML: kube-apiserver's 406 (YAML has no stream serializer). */
export function refuseYamlWatch(accept: string | undefined): void {
  if (wantsYaml(accept)) throw newNotAcceptable(SERVABLE);
}
