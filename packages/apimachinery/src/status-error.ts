import { aggregateFieldErrors, fieldErrorBody, type FieldError } from './field-errors';
import { formatGroupKind, formatGroupResource, type GroupKind, type GroupResource } from './group-version';
import { goQuote } from './json';
import type { Status, StatusCause, StatusDetails } from './types';

/**
 * Every `metav1.StatusReason` with the HTTP code the upstream constructors use
 * for it. `Gone` and `Expired` are both 410; `ServerTimeout` is 500 (it asks the
 * client to retry) while `Timeout` is 504.
 */
export const STATUS_REASON_CODES = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  ServerTimeout: 500,
  StorageReadError: 500,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503,
} as const satisfies Record<string, number>;

/** A known `metav1.StatusReason`. The unknown reason is `""`. */
export type StatusReason = keyof typeof STATUS_REASON_CODES;

/** Whether `reason` is one of the known {@link StatusReason}s. */
export function isKnownStatusReason(reason: string | undefined): reason is StatusReason {
  return reason !== undefined && Object.hasOwn(STATUS_REASON_CODES, reason);
}

/** The `metav1.CauseType` values a `StatusCause.reason` may carry. */
export const CauseType = {
  FieldValueNotFound: 'FieldValueNotFound',
  FieldValueRequired: 'FieldValueRequired',
  FieldValueDuplicate: 'FieldValueDuplicate',
  FieldValueInvalid: 'FieldValueInvalid',
  FieldValueNotSupported: 'FieldValueNotSupported',
  FieldValueForbidden: 'FieldValueForbidden',
  FieldValueTooLong: 'FieldValueTooLong',
  FieldValueTooMany: 'FieldValueTooMany',
  InternalError: 'InternalError',
  FieldValueTypeInvalid: 'FieldValueTypeInvalid',
  UnexpectedServerResponse: 'UnexpectedServerResponse',
  FieldManagerConflict: 'FieldManagerConflict',
  ResourceVersionTooLarge: 'ResourceVersionTooLarge',
} as const;

/** A `metav1.CauseType`. */
export type CauseType = (typeof CauseType)[keyof typeof CauseType];

const statusErrorBrand = Symbol.for('@kcp-ts/apimachinery.StatusError');

/**
 * An error carrying a complete Kubernetes {@link Status}: what the API server
 * returns and what the client decodes (upstream `errors.StatusError`). Build
 * one with the `new…` factories, recognise one with {@link isStatusError} and
 * the `is…` guards, which work across duplicated copies of this package.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly [statusErrorBrand] = true;
  /** The status as it goes on the wire (`kind`, `apiVersion` and `metadata` filled in). */
  readonly status: Status;

  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? '', options);
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: status.metadata ?? {},
      status: status.status ?? 'Failure',
      ...omitEmpty({ message: status.message, reason: status.reason }),
      ...(status.details === undefined ? {} : { details: status.details }),
      ...(status.code === undefined || status.code === 0 ? {} : { code: status.code }),
    };
  }

  /** The HTTP status code, 0 if the status has none. */
  get code(): number {
    return this.status.code ?? 0;
  }

  /** The reason, `""` when unknown. */
  get reason(): string {
    return this.status.reason ?? '';
  }

  /** The details, if any. */
  get details(): StatusDetails | undefined {
    return this.status.details;
  }

  /** `JSON.stringify(err)` yields the Status body. */
  toJSON(): Status {
    return this.status;
  }

  /**
   * Decodes a Status received over HTTP (or in a watch `ERROR` event). Missing
   * `status` becomes `Failure`; the message stays as sent.
   */
  static fromStatus(status: Status): StatusError {
    return new StatusError(status);
  }
}

/** Whether `value` is a {@link StatusError}, whichever copy of this package created it. */
export function isStatusError(value: unknown): value is StatusError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[statusErrorBrand] === true;
}

/** Whether `value` looks like a decoded `Status` object (`kind: "Status"`). */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/** The {@link StatusError} in `err` or its `cause` chain (upstream's `errors.As`). */
export function findStatusError(err: unknown): StatusError | undefined {
  for (let e = err, depth = 0; e !== null && e !== undefined && depth < 32; depth++) {
    if (isStatusError(e)) return e;
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/** The reason of `err`'s status, or `""` (`errors.ReasonForError`). */
export function reasonForError(err: unknown): string {
  return findStatusError(err)?.reason ?? '';
}

/** Drops `undefined`, `""` and `0`, as Go's `omitempty` does. */
function omitEmpty<T extends Record<string, string | number | undefined>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '' && v !== 0)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function details(fields: {
  name?: string | undefined;
  group?: string | undefined;
  kind?: string | undefined;
  causes?: StatusCause[] | undefined;
  retryAfterSeconds?: number | undefined;
}): StatusDetails {
  const { causes, ...rest } = fields;
  return { ...omitEmpty(rest), ...(causes && causes.length > 0 ? { causes } : {}) };
}

function failure(code: number, reason: StatusReason | '', message: string, d?: StatusDetails): StatusError {
  return new StatusError({ status: 'Failure', message, reason, ...(d ? { details: d } : {}), code });
}

function messageOf(err: Error | string): string {
  return typeof err === 'string' ? err : err.message;
}

/** `configmaps "cm1" not found` (404, details `{name, group, kind: resource}`). */
export function newNotFound(resource: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${formatGroupResource(resource)} ${goQuote(name)} not found`, resourceDetails(resource, name));
}

/** `configmaps "cm1" already exists` (409). */
export function newAlreadyExists(resource: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${formatGroupResource(resource)} ${goQuote(name)} already exists`, resourceDetails(resource, name));
}

/** The server could not generate a unique name from `generateName` (409 AlreadyExists, with retry-after). */
export function newGenerateNameConflict(resource: GroupResource, name: string, retryAfterSeconds: number): StatusError {
  return failure(
    409,
    'AlreadyExists',
    `${formatGroupResource(resource)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    details({ group: resource.group, kind: resource.resource, name, retryAfterSeconds }),
  );
}

/** 401; the message defaults to `not authorized` (kube-apiserver itself sends `Unauthorized`). */
export function newUnauthorized(reason = ''): StatusError {
  return failure(401, 'Unauthorized', reason === '' ? 'not authorized' : reason);
}

/**
 * 403: `configmaps "cm1" is forbidden: <err>`, `configmaps is forbidden: <err>`
 * without a name, `forbidden: <err>` without a resource.
 */
export function newForbidden(resource: GroupResource, name: string, err: Error | string): StatusError {
  const why = messageOf(err);
  const message =
    resource.group === '' && resource.resource === ''
      ? `forbidden: ${why}`
      : name === ''
        ? `${formatGroupResource(resource)} is forbidden: ${why}`
        : `${formatGroupResource(resource)} ${goQuote(name)} is forbidden: ${why}`;
  return failure(403, 'Forbidden', message, resourceDetails(resource, name));
}

/** The message of a resource-version conflict on update (upstream `OptimisticLockErrorMsg`). */
export const OPTIMISTIC_LOCK_ERROR_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

/** `Operation cannot be fulfilled on configmaps "cm1": <err>` (409). */
export function newConflict(resource: GroupResource, name: string, err: Error | string): StatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${formatGroupResource(resource)} ${goQuote(name)}: ${messageOf(err)}`,
    resourceDetails(resource, name),
  );
}

/** A server-side apply conflict (409 Conflict with the given causes). */
export function newApplyConflict(causes: StatusCause[], message: string): StatusError {
  return failure(409, 'Conflict', message, details({ causes }));
}

/** 410 Gone; prefer {@link newResourceExpired} for too-old resource versions. */
export function newGone(message: string): StatusError {
  return failure(410, 'Gone', message);
}

/** 410 Expired: the requested resource version or continue token is too old. */
export function newResourceExpired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/**
 * 422: `ConfigMap "Bad" is invalid: metadata.name: Invalid value: ...`, or
 * `... is invalid: [a, b]` for several errors, with one cause per field error
 * (`{reason: type, message: body, field}`). Details carry the kind, not the
 * resource.
 */
export function newInvalid(kind: GroupKind, name: string, errors: readonly FieldError[]): StatusError {
  const causes = errors.map((e) => ({
    ...omitEmpty({ reason: e.type, message: fieldErrorBody(e), field: e.field }),
  }));
  const aggregate = aggregateFieldErrors(errors);
  const message = `${formatGroupKind(kind)} ${goQuote(name)} is invalid${aggregate === '' ? '' : `: ${aggregate}`}`;
  return failure(422, 'Invalid', message, details({ group: kind.group, kind: kind.kind, name, causes }));
}

/** 400 with the given message. */
export function newBadRequest(reason: string): StatusError {
  return failure(400, 'BadRequest', reason);
}

/** 429 with the given message and `retryAfterSeconds` in the details. */
export function newTooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return failure(429, 'TooManyRequests', message, details({ retryAfterSeconds }));
}

/** 429: `Too many requests: <message>`, without retry-after. */
export function newTooManyRequestsError(message: string): StatusError {
  return failure(429, 'TooManyRequests', `Too many requests: ${message}`);
}

/** 503 with the given message. */
export function newServiceUnavailable(reason: string): StatusError {
  return failure(503, 'ServiceUnavailable', reason);
}

/** 405: `<action> is not supported on resources of kind "configmaps"`. */
export function newMethodNotSupported(resource: GroupResource, action: string): StatusError {
  return failure(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${goQuote(formatGroupResource(resource))}`,
    details({ group: resource.group, kind: resource.resource }),
  );
}

/**
 * 500 ServerTimeout, a transient failure the client should retry:
 * `The <operation> operation against <resource> could not be completed at this time, please try again.`
 */
export function newServerTimeout(resource: GroupResource, operation: string, retryAfterSeconds: number): StatusError {
  return failure(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${formatGroupResource(resource)} could not be completed at this time, please try again.`,
    details({ group: resource.group, kind: resource.resource, name: operation, retryAfterSeconds }),
  );
}

/** {@link newServerTimeout} with a kind in the resource's place, as upstream. */
export function newServerTimeoutForKind(kind: GroupKind, operation: string, retryAfterSeconds: number): StatusError {
  return newServerTimeout({ group: kind.group, resource: kind.kind }, operation, retryAfterSeconds);
}

/**
 * 500 without a reason: kube-apiserver's answer to an error its code did not
 * turn into a Status (`ErrorToAPIStatus`), the error's text as the message.
 * kubectl shows it as `Error from server: <message>`.
 */
export function newUnknownError(message: string): StatusError {
  return failure(500, '', message);
}

/** 500: `Internal error occurred: <err>`, the error message as the single cause. Keeps `err` as the `cause`. */
export function newInternalError(err: Error | string): StatusError {
  const message = messageOf(err);
  return new StatusError(
    {
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ ...omitEmpty({ message }) }] },
      code: 500,
    },
    typeof err === 'string' ? undefined : { cause: err },
  );
}

/** 504: `Timeout: <message>`, with retry-after. The operation may still complete. */
export function newTimeoutError(message: string, retryAfterSeconds: number): StatusError {
  return failure(504, 'Timeout', `Timeout: ${message}`, details({ retryAfterSeconds }));
}

/** 413: `Request entity too large: <message>`. */
export function newRequestEntityTooLargeError(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/**
 * 415: `the body of the request was in an unknown format - accepted media types include: a, b`
 * (upstream `negotiation.NewUnsupportedMediaTypeError`).
 */
export function newUnsupportedMediaType(accepted: readonly string[]): StatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 406: `only the following media types are accepted: a, b` (upstream `negotiation.NewNotAcceptableError`). */
export function newNotAcceptable(accepted: readonly string[]): StatusError {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

const genericByCode: Record<number, [StatusReason, string | null]> = {
  404: ['NotFound', 'the server could not find the requested resource'],
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', null],
  415: ['UnsupportedMediaType', null],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
};

/**
 * A status for a response that carried no decodable `Status`, derived from the
 * HTTP code as client-go does (upstream `NewGenericServerResponse`); `verb` is
 * the HTTP method. With `isUnexpectedResponse`, the server's text becomes an
 * `UnexpectedServerResponse` cause.
 */
export function newGenericServerResponse(
  code: number,
  verb: string,
  resource: GroupResource,
  name: string,
  serverMessage: string,
  retryAfterSeconds: number,
  isUnexpectedResponse: boolean,
): StatusError {
  let reason: StatusReason | '' = '';
  let message = `the server responded with the status code ${code} but did not return more information`;
  const known = genericByCode[code];
  if (code === 409) {
    reason = verb.toUpperCase() === 'POST' ? 'AlreadyExists' : 'Conflict';
    message = 'the server reported a conflict';
  } else if (code === 406) {
    reason = 'NotAcceptable';
    message =
      serverMessage === '' || serverMessage === 'unknown'
        ? 'the server was unable to respond with a content type that the client supports'
        : serverMessage;
  } else if (known) {
    reason = known[0];
    message = known[1] ?? serverMessage;
  } else if (code >= 500) {
    reason = 'InternalError';
    message = `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
  }
  if (resource.group !== '' || resource.resource !== '') {
    message += name === '' ? ` (${verb.toLowerCase()} ${formatGroupResource(resource)})` : ` (${verb.toLowerCase()} ${formatGroupResource(resource)} ${name})`;
  }
  const causes = isUnexpectedResponse ? [{ reason: CauseType.UnexpectedServerResponse, ...omitEmpty({ message: serverMessage }) }] : undefined;
  return failure(code, reason, message, details({ group: resource.group, kind: resource.resource, name, causes, retryAfterSeconds }));
}

function resourceDetails(resource: GroupResource, name: string): StatusDetails {
  return details({ name, group: resource.group, kind: resource.resource });
}

/**
 * Turns any thrown value into a {@link StatusError}: a StatusError (also one
 * wrapped as a `cause`) is returned as it is, anything else becomes
 * `InternalError` (500) keeping the original as `cause`. The one place unknown
 * throwables are classified.
 */
export function toInternalError(err: unknown): StatusError {
  const found = findStatusError(err);
  if (found) return found;
  if (err instanceof Error) return newInternalError(err);
  const text = typeof err === 'string' ? err : describe(err);
  const wrapped = newInternalError(text);
  return new StatusError(wrapped.status, { cause: err });
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function reasonAndCode(err: unknown): [string, number] {
  const found = findStatusError(err);
  return found ? [found.reason, found.code] : ['', 0];
}

/** Reason matches, or the reason is unknown and the code matches (upstream's rule for most `Is…`). */
function matches(err: unknown, reason: StatusReason, code: number): boolean {
  const [r, c] = reasonAndCode(err);
  return r === reason || (!isKnownStatusReason(r) && c === code);
}

/** NotFound, or 404 with an unknown reason. */
export const isNotFound = (err: unknown): boolean => matches(err, 'NotFound', 404);
/** AlreadyExists (reason only, as upstream: a bare 409 is a conflict). */
export const isAlreadyExists = (err: unknown): boolean => reasonForError(err) === 'AlreadyExists';
/** Conflict, or 409 with an unknown reason. */
export const isConflict = (err: unknown): boolean => matches(err, 'Conflict', 409);
/** Invalid, or 422 with an unknown reason. */
export const isInvalid = (err: unknown): boolean => matches(err, 'Invalid', 422);
/** Gone, or 410 with an unknown reason. */
export const isGone = (err: unknown): boolean => matches(err, 'Gone', 410);
/** Expired (reason only): the resource version or continue token is too old; relist. */
export const isResourceExpired = (err: unknown): boolean => reasonForError(err) === 'Expired';
/** NotAcceptable, or 406 with an unknown reason. */
export const isNotAcceptable = (err: unknown): boolean => matches(err, 'NotAcceptable', 406);
/** UnsupportedMediaType, or 415 with an unknown reason. */
export const isUnsupportedMediaType = (err: unknown): boolean => matches(err, 'UnsupportedMediaType', 415);
/** MethodNotAllowed, or 405 with an unknown reason. */
export const isMethodNotSupported = (err: unknown): boolean => matches(err, 'MethodNotAllowed', 405);
/** ServiceUnavailable, or 503 with an unknown reason. */
export const isServiceUnavailable = (err: unknown): boolean => matches(err, 'ServiceUnavailable', 503);
/** BadRequest, or 400 with an unknown reason. */
export const isBadRequest = (err: unknown): boolean => matches(err, 'BadRequest', 400);
/** Unauthorized, or 401 with an unknown reason. */
export const isUnauthorized = (err: unknown): boolean => matches(err, 'Unauthorized', 401);
/** Forbidden, or 403 with an unknown reason. */
export const isForbidden = (err: unknown): boolean => matches(err, 'Forbidden', 403);
/** Timeout, or 504 with an unknown reason. */
export const isTimeout = (err: unknown): boolean => matches(err, 'Timeout', 504);
/** ServerTimeout (reason only: no HTTP code is specific to it). */
export const isServerTimeout = (err: unknown): boolean => reasonForError(err) === 'ServerTimeout';
/** InternalError, or 500 with an unknown reason. */
export const isInternalError = (err: unknown): boolean => matches(err, 'InternalError', 500);
/** StorageReadError (reason only). */
export const isStoreReadError = (err: unknown): boolean => reasonForError(err) === 'StorageReadError';
/** TooManyRequests, or code 429 whatever the reason (upstream keeps this older rule). */
export const isTooManyRequests = (err: unknown): boolean => {
  const [r, c] = reasonAndCode(err);
  return r === 'TooManyRequests' || c === 429;
};
/** RequestEntityTooLarge, or code 413 whatever the reason (upstream keeps this older rule). */
export const isRequestEntityTooLarge = (err: unknown): boolean => {
  const [r, c] = reasonAndCode(err);
  return r === 'RequestEntityTooLarge' || c === 413;
};

/** Whether the status carries an `UnexpectedServerResponse` cause (the body was not a Status). */
export function isUnexpectedServerError(err: unknown): boolean {
  return findStatusCause(err, CauseType.UnexpectedServerResponse) !== undefined;
}

/** The first cause of the given type in `err`'s status (upstream `StatusCause`). */
export function findStatusCause(err: unknown, type: string): StatusCause | undefined {
  return findStatusError(err)?.details?.causes?.find((c) => c.reason === type);
}

/**
 * The delay in seconds the server asked for, if any (upstream
 * `SuggestsClientDelay`): always for ServerTimeout, otherwise when
 * `retryAfterSeconds` is positive.
 */
export function suggestsClientDelay(err: unknown): number | undefined {
  const found = findStatusError(err);
  const d = found?.details;
  if (!found || !d) return undefined;
  if (found.reason === 'ServerTimeout') return d.retryAfterSeconds ?? 0;
  return d.retryAfterSeconds !== undefined && d.retryAfterSeconds > 0 ? d.retryAfterSeconds : undefined;
}

/**
 * Whether the server says the same request may succeed later: 429
 * TooManyRequests, 500 ServerTimeout, 503 ServiceUnavailable and 504 Timeout.
 * Network failures are not StatusErrors; the client decides about those.
 */
export function isRetryable(err: unknown): boolean {
  return isTooManyRequests(err) || isServerTimeout(err) || isServiceUnavailable(err) || isTimeout(err);
}
