import { goQuote, type FieldError, type FieldErrorType } from '@kcp-ts/topology';
import type { FieldPath } from './field-path';

/*
 * The field-error model and its formatting (upstream `field.Error`,
 * `ErrorBody`, `Error()`, `ToAggregate`) live in `@kcp-ts/topology`, the lowest
 * package that reports field errors; they are re-exported here under the
 * names this package has always had. This file adds `FieldPath`-aware
 * constructors mirroring upstream's `field.Invalid`, `field.Required`, ….
 */
export {
  type FieldError,
  type FieldErrorType,
  type GoFormatted,
  goFormatted,
  fieldErrorBody,
  formatFieldError,
  aggregateFieldErrors,
} from '@kcp-ts/topology';

/** A list of field errors (`field.ErrorList`). */
export type FieldErrorList = FieldError[];

/** A field given as a {@link FieldPath} or as an already formatted string. */
export type FieldRef = FieldPath | string;

function make(type: FieldErrorType, field: FieldRef, badValue: unknown, detail: string): FieldError {
  const err: { type: FieldErrorType; field: string; badValue?: unknown; detail: string } = {
    type,
    field: String(field),
    detail,
  };
  if (badValue !== undefined) err.badValue = badValue;
  return err;
}

/** A malformed value: failed regex, out of bounds (`field.Invalid`). */
export function fieldInvalid(field: FieldRef, value: unknown, detail: string): FieldError {
  return make('FieldValueInvalid', field, value, detail);
}

/** A value that does not match the schema type (`field.TypeInvalid`). */
export function fieldTypeInvalid(field: FieldRef, value: unknown, detail: string): FieldError {
  return make('FieldValueTypeInvalid', field, value, detail);
}

/** A required value that is missing: empty string, null, empty list (`field.Required`). */
export function fieldRequired(field: FieldRef, detail = ''): FieldError {
  return make('FieldValueRequired', field, '', detail);
}

/** A value that could not be found, e.g. a referenced ID (`field.NotFound`). */
export function fieldNotFound(field: FieldRef, value: unknown): FieldError {
  return make('FieldValueNotFound', field, value, '');
}

/** A value that must be unique but is not (`field.Duplicate`). */
export function fieldDuplicate(field: FieldRef, value: unknown): FieldError {
  return make('FieldValueDuplicate', field, value, '');
}

/**
 * A value outside an enumeration (`field.NotSupported`):
 * `Unsupported value: "x": supported values: "a", "b"`.
 */
export function fieldNotSupported(field: FieldRef, value: unknown, validValues: readonly string[] = []): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return make('FieldValueNotSupported', field, value, detail);
}

/** A well-formed value that the current conditions do not permit (`field.Forbidden`). */
export function fieldForbidden(field: FieldRef, detail: string): FieldError {
  return make('FieldValueForbidden', field, '', detail);
}

/**
 * A value longer than `maxLength` bytes, without echoing it (`field.TooLong`):
 * `Too long: may not be more than 63 bytes`; a negative maximum says only
 * `value is too long`.
 */
export function fieldTooLong(field: FieldRef, maxLength: number): FieldError {
  const detail =
    maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return make('FieldValueTooLong', field, '<value omitted>', detail);
}

/** Like {@link fieldTooLong} but counting characters (`field.TooLongCharacters`). */
export function fieldTooLongCharacters(field: FieldRef, maxLength: number): FieldError {
  const detail =
    maxLength >= 0
      ? `may not be more than ${maxLength} ${maxLength === 1 ? 'character' : 'characters'}`
      : 'value is too long';
  return make('FieldValueTooLong', field, '<value omitted>', detail);
}

/** A value shorter than `minLength` characters (`field.TooShort`). */
export function fieldTooShort(field: FieldRef, value: string, minLength: number): FieldError {
  const detail =
    minLength >= 0 ? `must be at least ${minLength} ${minLength === 1 ? 'character' : 'characters'}` : 'value is too short';
  return make('FieldValueTooShort', field, value, detail);
}

/**
 * A list with more than `maxQuantity` items (`field.TooMany`):
 * `Too many: 5: must have at most 3 items`; a negative `actualQuantity` leaves
 * the count out, a negative maximum says `has too many items`.
 */
export function fieldTooMany(field: FieldRef, actualQuantity: number, maxQuantity: number): FieldError {
  const detail =
    maxQuantity >= 0 ? `must have at most ${maxQuantity} ${maxQuantity === 1 ? 'item' : 'items'}` : 'has too many items';
  return make('FieldValueTooMany', field, actualQuantity >= 0 ? actualQuantity : undefined, detail);
}

/** A list with fewer than `minQuantity` items (`field.TooFew`). */
export function fieldTooFew(field: FieldRef, actualQuantity: number, minQuantity: number): FieldError {
  const detail =
    minQuantity >= 0 ? `must have at least ${minQuantity} ${minQuantity === 1 ? 'item' : 'items'}` : 'has too few items';
  return make('FieldValueTooFew', field, actualQuantity, detail);
}

/** An error not caused by the user's input (`field.InternalError`). */
export function fieldInternalError(field: FieldRef, err: Error | string): FieldError {
  return make('InternalError', field, undefined, typeof err === 'string' ? err : err.message);
}
