/**
 * Field-level validation errors, rendered with the exact text of upstream's
 * `k8s.io/apimachinery/pkg/util/validation/field` errors so that messages
 * returned by kcp-ts match what kubectl users know from Kubernetes.
 *
 * This is the one implementation of that model in kcp-ts: `@kcp-ts/apimachinery`
 * re-exports it (with its `FieldPath` and `fieldInvalid`-style constructors on
 * top), so a {@link FieldCause} from this package is a `FieldError` there.
 */

/**
 * The machine-readable type of a field error; the same strings are the
 * `reason` of the `StatusCause`s of an `Invalid` status (upstream `field.ErrorType`).
 */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTooShort'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

/** One field-level validation error (upstream `field.Error`), as a plain object. */
export interface FieldError {
  readonly type: FieldErrorType;
  /** The field path as a string, e.g. `metadata.name`, `values[0][key]`; `<nil>` when upstream has no path. */
  readonly field: string;
  /** The offending value; `undefined` leaves it out of the message (upstream's `omitValue`). */
  readonly badValue?: unknown;
  /** The explanation without field or value, e.g. `must be no more than 63 bytes`. */
  readonly detail: string;
}

/** The {@link FieldErrorType}s this package reports. */
export type FieldCauseType = Extract<
  FieldErrorType,
  'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueRequired' | 'FieldValueForbidden'
>;

/**
 * A {@link FieldError} reported by this package, with its text rendered once:
 * the API server can turn it into a Kubernetes `StatusCause` (`reason` =
 * {@link type}, `field`, `message` = {@link body}).
 */
export interface FieldCause extends FieldError {
  readonly type: FieldCauseType;
  /** The rejected value, as given (`null` where upstream has a nil value). */
  readonly badValue: unknown;
  /** Upstream's `ErrorBody()`: `Invalid value: "x": <detail>` ({@link fieldErrorBody}). */
  readonly body: string;
  /** Upstream's `Error()`: `<field>: <body>` ({@link formatFieldError}). */
  readonly message: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  FieldValueTooShort: 'Too short',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Types whose message never shows the bad value. */
const VALUELESS = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooShort',
  'InternalError',
]);

/**
 * The message without the field (upstream `ErrorBody`): `Invalid value: "Bad": must be …`,
 * `Required value`, `Too long: may not be more than 63 bytes`. The value is
 * rendered by {@link formatBadValue}.
 */
export function fieldErrorBody(err: FieldError): string {
  let body = TYPE_TEXT[err.type];
  if (!VALUELESS.has(err.type) && err.badValue !== undefined) body += `: ${formatBadValue(err.badValue)}`;
  return err.detail === '' ? body : `${body}: ${err.detail}`;
}

/** `metadata.name: Invalid value: "Bad": …` (upstream `Error()`). */
export function formatFieldError(err: FieldError): string {
  return `${err.field}: ${fieldErrorBody(err)}`;
}

/**
 * The messages of `errors` as upstream's `ToAggregate().Error()` /
 * `utilerrors.NewAggregate(...).Error()`: duplicates dropped, one message as it
 * is, several as `[a, b]`; `""` for none.
 */
export function aggregateFieldErrors(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length === 0) return '';
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

/** Builds a {@link FieldCause}; an `undefined` value is Go's nil and prints as `null`. */
export function fieldCause(type: FieldCauseType, field: string, badValue: unknown, detail: string): FieldCause {
  const err = { type, field, badValue: badValue === undefined ? null : badValue, detail };
  const body = fieldErrorBody(err);
  return { ...err, body, message: `${field}: ${body}` };
}

const goFormattedBrand = Symbol.for('@kcp-ts/topology.GoFormatted');

/**
 * A bad value that prints as the given text: what Go prints for a typed
 * value that is neither a string nor a simple number, with `%#v`
 * (`[]core.ResourceQuotaScope{"BestEffort"}`) or its `String()` (a
 * `resource.Quantity`).
 */
export interface GoFormatted {
  readonly [goFormattedBrand]: true;
  readonly text: string;
}

/** A bad value printed as `text` (see {@link GoFormatted}). */
export function goFormatted(text: string): GoFormatted {
  return { [goFormattedBrand]: true, text };
}

/** Whether `value` is a {@link GoFormatted} bad value. */
export function isGoFormatted(value: unknown): value is GoFormatted {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[goFormattedBrand] === true;
}

/**
 * Renders a bad value as upstream's `ErrorBody` does: a {@link GoFormatted}
 * value as its text, strings with Go's `%q`
 * ({@link goQuote}), numbers and booleans plainly, anything else as
 * `json.Marshal` output ({@link goJSON}).
 */
export function formatBadValue(value: unknown): string {
  if (isGoFormatted(value)) return value.text;
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return goJSON(value);
}

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/**
 * Quotes `value` the way Go's `strconv.Quote` (and so `%q`) does: printable
 * characters as they are, `\n`-style escapes for the usual controls, `\x..`
 * for other ASCII controls and `\u....` / `\U........` for other
 * non-printable characters. A lone UTF-16 surrogate (which has no UTF-8
 * form) is shown as `\ufffd`.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const escape = SHORT_ESCAPES[ch];
    if (escape !== undefined) {
      out += escape;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code < 0x80) out += `\\x${hex(code, 2)}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Options of {@link goJSON}. */
export interface GoJSONOptions {
  /**
   * Escape `<`, `>`, `&`, U+2028 and U+2029 as `json.Marshal` does; `false`
   * is a `json.Encoder` with `SetEscapeHTML(false)`. Default `true`.
   */
  readonly escapeHTML?: boolean;
}

/**
 * Go's `encoding/json.Marshal` of a decoded JSON value: object keys sorted
 * (as Go renders a `map[string]interface{}`), HTML characters escaped;
 * `undefined` is `null`.
 */
export function goJSON(value: unknown, options: GoJSONOptions = {}): string {
  const json =
    JSON.stringify(value === undefined ? null : value, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, (v as Record<string, unknown>)[k]]),
          )
        : v,
    ) ?? 'null';
  if (options.escapeHTML === false) return json;
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

/** Upstream `field.Path` rendering for paths kept as strings. */
export const fieldPath = {
  child: (parent: string, name: string): string => (parent === '' ? name : `${parent}.${name}`),
  index: (parent: string, i: number): string => `${parent}[${i}]`,
  key: (parent: string, key: string): string => `${parent}[${key}]`,
};
