import {
  type FieldError,
  type FieldSelector,
  type Preconditions,
  newBadRequest,
  newInvalid,
  fieldInvalid,
  fieldForbidden,
  fieldNotSupported,
  parseFieldSelector,
  isFieldSelectorError,
} from '@kcp-ts/apimachinery';
import { type Selector, goQuote, parseSelector } from '@kcp-ts/topology';
import { parseBool } from '../request/request-info';

/** `resourceVersion` + `resourceVersionMatch` of a read. */
export type ReadConsistency =
  /** RV unset: the most recent state, a consistent read */
  | { readonly kind: 'latest' }
  /** RV `0`: any state (served from the watch cache) */
  | { readonly kind: 'any' }
  /** RV n (NotOlderThan): a state at least as new as n */
  | { readonly kind: 'notOlderThan'; readonly revision: number }
  /** RV n + Exact: the state at n */
  | { readonly kind: 'exact'; readonly revision: number };

export interface ListOptions {
  readonly labelSelector?: Selector;
  readonly fieldSelector?: FieldSelector;
  readonly limit: number;
  readonly continue?: string;
  readonly consistency: ReadConsistency;
  readonly watch: boolean;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents?: boolean;
  readonly timeoutSeconds?: number;
}

const LIST_OPTIONS_KIND = { group: 'meta.k8s.io', kind: 'ListOptions' };

/** Parses list and watch query parameters as kube-apiserver does; invalid values are 400/422. */
export function parseListOptions(query: URLSearchParams): ListOptions {
  const labelSelector = parseLabelSelectorParam(query.get('labelSelector'));
  const fieldSelector = parseFieldSelectorParam(query.get('fieldSelector'));
  const limitParam = query.get('limit');
  // a limit of 0 or less is no limit
  const limit = limitParam !== null && limitParam !== '' ? Math.max(0, parseInt64Param(limitParam)) : 0;
  const continueToken = query.get('continue') || undefined;
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const watch = parseBool(query.get('watch'));
  const sendInitialEventsParam = query.get('sendInitialEvents');
  const sendInitialEvents = sendInitialEventsParam === null ? undefined : parseBool(sendInitialEventsParam);
  const timeoutParam = query.get('timeoutSeconds');
  let timeoutSeconds: number | undefined;
  if (timeoutParam !== null && timeoutParam !== '') timeoutSeconds = parseInt64Param(timeoutParam);

  const errors = validateListOptions({ watch, rv, match, continueToken, sendInitialEvents });
  if (errors.length > 0) throw newInvalid(LIST_OPTIONS_KIND, '', errors);
  if (continueToken && rv !== '' && rv !== '0') {
    throw newBadRequest('specifying resource version is not allowed when using continue');
  }
  const consistency = parseConsistency(rv, match, !watch && limit > 0);
  return {
    ...(labelSelector ? { labelSelector } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
    limit,
    ...(continueToken ? { continue: continueToken } : {}),
    consistency,
    watch,
    allowWatchBookmarks: parseBool(query.get('allowWatchBookmarks')),
    ...(sendInitialEvents !== undefined ? { sendInitialEvents } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64 query parameter (`limit`, `timeoutSeconds`, `gracePeriodSeconds`)
 * as upstream's parameter codec decodes it, with Go's `strconv.ParseInt(s,
 * 10, 64)`: a 400 with its error for anything but an optionally signed
 * decimal within int64. Values beyond 2^53 come back as the nearest safe
 * integer, which no count or duration here comes near.
 */
export function parseInt64Param(value: string): number {
  const fail = (why: string) => newBadRequest(`strconv.ParseInt: parsing ${goQuote(value)}: ${why}`);
  if (!/^[+-]?\d+$/.test(value)) throw fail('invalid syntax');
  const n = BigInt(value);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw fail('value out of range');
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Number(n)));
}

/**
 * Upstream `ValidateListOptions` (list) and `validateWatchOptions` (watch):
 * every violation, in upstream's order, for one 422.
 */
function validateListOptions(o: { watch: boolean; rv: string; match: string; continueToken: string | undefined; sendInitialEvents: boolean | undefined }): FieldError[] {
  const errors: FieldError[] = [];
  const match = o.match;
  if (o.watch) {
    if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      errors.push(fieldForbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match !== '') {
      if (o.sendInitialEvents === undefined) {
        errors.push(fieldForbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      }
      if (match !== 'NotOlderThan') errors.push(fieldNotSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (o.continueToken) errors.push(fieldForbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errors;
  }
  if (match !== '') {
    if (o.rv === '') errors.push(fieldForbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continueToken) errors.push(fieldForbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errors.push(fieldNotSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.rv === '0') {
      errors.push(fieldForbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (o.sendInitialEvents !== undefined) errors.push(fieldForbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errors;
}

/** The read a (validated) resourceVersion and resourceVersionMatch ask for. */
/**
 * What a read asks for. A paginated list at a resourceVersion without
 * `resourceVersionMatch` is the legacy exact read (upstream serves it from
 * etcd at that revision, 410 once compacted), not NotOlderThan.
 */
function parseConsistency(rv: string, match: string, paginated: boolean): ReadConsistency {
  if (rv === '') return { kind: 'latest' };
  const revision = parseResourceVersion(rv);
  if (revision === 0) return { kind: 'any' };
  if (match === 'Exact' || (match === '' && paginated)) return { kind: 'exact', revision };
  return { kind: 'notOlderThan', revision };
}

/**
 * A resourceVersion is an unsigned decimal (a store revision); anything else
 * is 400 with the error of upstream's `ParseResourceVersion` (Go's
 * `strconv.ParseUint` wording). Values beyond 2^53 are kept as the nearest
 * number: they are newer than any revision either way.
 */
export function parseResourceVersion(rv: string): number {
  const invalid = (why: string) =>
    newBadRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
  if (!/^\d+$/.test(rv)) throw invalid('invalid syntax');
  if (BigInt(rv) > 0xffff_ffff_ffff_ffffn) throw invalid('value out of range');
  return Number(rv);
}

export function parseLabelSelectorParam(value: string | null): Selector | undefined {
  if (value === null || value.trim() === '') return undefined;
  try {
    return parseSelector(value);
  } catch (err) {
    // topology's parser words its errors as upstream's labels.Parse; the message is the 400's
    throw newBadRequest((err as Error).message);
  }
}

function parseFieldSelectorParam(value: string | null): FieldSelector | undefined {
  if (value === null || value.trim() === '') return undefined;
  try {
    return parseFieldSelector(value);
  } catch (err) {
    if (isFieldSelectorError(err)) throw newBadRequest(err.message);
    throw err;
  }
}

/** The options kind of a write, named in its 422s (`CreateOptions.meta.k8s.io "" is invalid: …`). */
export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** `dryRun`: only `All` is allowed (upstream `ValidateDryRun`: 422 naming every value given). */
export function parseDryRun(query: URLSearchParams, fromBody?: readonly string[], kind: WriteOptionsKind = 'CreateOptions'): boolean {
  const values = [...query.getAll('dryRun'), ...(fromBody ?? [])];
  if (values.some((v) => v !== 'All')) {
    throw newInvalid({ group: 'meta.k8s.io', kind }, '', [fieldNotSupported('dryRun', values, ['All'])]);
  }
  return values.length > 0;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** `fieldValidation`: Strict, Warn (the default) or Ignore; anything else is 422 (upstream `ValidateFieldValidation`). */
export function parseFieldValidation(query: URLSearchParams, kind: WriteOptionsKind = 'CreateOptions'): FieldValidation {
  const value = query.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw newInvalid({ group: 'meta.k8s.io', kind }, '', [fieldNotSupported('fieldValidation', value, ['', 'Ignore', 'Strict', 'Warn'])]);
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: Preconditions;
  readonly dryRun: boolean;
}

/** DeleteOptions from the body (kubectl sends `{"propagationPolicy":"Background"}`) merged with query parameters. */
export function parseDeleteOptions(query: URLSearchParams, body: Record<string, unknown> | undefined): DeleteOptions {
  const policy = (body?.['propagationPolicy'] as string | undefined) ?? query.get('propagationPolicy') ?? undefined;
  let orphanDependents = body?.['orphanDependents'] as boolean | undefined;
  if (orphanDependents === undefined && query.has('orphanDependents')) orphanDependents = parseBool(query.get('orphanDependents'));
  const kind = { group: 'meta.k8s.io', kind: 'DeleteOptions' };
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw newInvalid(kind, '', [fieldNotSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil'])]);
  }
  if (policy !== undefined && orphanDependents !== undefined) {
    throw newInvalid(kind, '', [fieldInvalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set')]);
  }
  const graceInBody = body?.['gracePeriodSeconds'];
  const graceInQuery = query.get('gracePeriodSeconds');
  let gracePeriodSeconds: number | undefined;
  if (graceInBody !== undefined && graceInBody !== null) {
    gracePeriodSeconds = Number(graceInBody);
    if (!Number.isInteger(gracePeriodSeconds)) throw newBadRequest(`invalid gracePeriodSeconds: ${JSON.stringify(graceInBody)}`);
  } else if (graceInQuery !== null && graceInQuery !== '') {
    gracePeriodSeconds = parseInt64Param(graceInQuery);
  }
  const preconditions = body?.['preconditions'] as Preconditions | undefined;
  const effectivePolicy = policy ?? (orphanDependents === true ? 'Orphan' : orphanDependents === false ? 'Background' : undefined);
  return {
    ...(effectivePolicy ? { propagationPolicy: effectivePolicy as DeleteOptions['propagationPolicy'] & string } : {}),
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(preconditions ? { preconditions } : {}),
    dryRun: parseDryRun(query, body?.['dryRun'] as string[] | undefined, 'DeleteOptions'),
  };
}
