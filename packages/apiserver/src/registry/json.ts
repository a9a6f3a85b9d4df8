/**
 * Reading the unstructured content of objects: a field that is missing or of
 * another type reads as empty, as the strategies and validators that look
 * into specs and statuses want it.
 */

/** A JSON object. */
export type Json = Record<string, unknown>;

/** `v` when it is a JSON object, else an empty one. */
export const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** `v` when it is a string, else `""`. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
