import { MAX_VALUE_BYTES, storageErrors } from './errors';
import { validateKey } from './keys';
import type { TxnCompare, TxnOp } from './store';

/** Checks that `n` is a non-negative safe integer (a revision, limit or expected mod revision); throws `InvalidArgument`. */
export function validateCount(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw storageErrors.invalidArgument(`${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/** Checks a value to write: a `Uint8Array` of at most {@link MAX_VALUE_BYTES}; throws `InvalidArgument` or `ValueTooLarge`. */
export function validateValue(key: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw storageErrors.invalidArgument(`the value for key ${JSON.stringify(key)} is not a Uint8Array`, { key });
  }
  if (value.byteLength > MAX_VALUE_BYTES) throw storageErrors.valueTooLarge(key, value.byteLength);
}

/**
 * Checks a txn's arguments before anything is evaluated: every key valid, every
 * value acceptable, expected revisions well-formed, no key in two operations.
 */
export function validateTxn(keyPrefix: string, compares: readonly TxnCompare[], ops: readonly TxnOp[]): void {
  if (!Array.isArray(compares as unknown) || !Array.isArray(ops as unknown)) {
    throw storageErrors.invalidArgument('txn compares and ops must be arrays');
  }
  for (const compare of compares) {
    validateKey(keyPrefix, compare.key);
    validateCount(compare.modRevision, `the compare's mod revision for key ${JSON.stringify(compare.key)}`);
  }
  const seen = new Set<string>();
  for (const op of ops) {
    validateKey(keyPrefix, op.key);
    if (op.type === 'put') validateValue(op.key, op.value);
    else if (op.type !== 'delete') {
      throw storageErrors.invalidArgument(`unknown txn operation ${JSON.stringify((op as { type: unknown }).type)}`);
    }
    if (seen.has(op.key)) {
      throw storageErrors.invalidArgument(`key ${JSON.stringify(op.key)} appears in two operations of one txn`, {
        key: op.key,
      });
    }
    seen.add(op.key);
  }
}

/**
 * A private copy of a value, so a caller mutating its buffer later cannot
 * change what was stored: a Buffer with memory of its own (watchers may keep
 * it, and a slice of Node's shared pool would keep the whole pool chunk alive,
 * with whatever else was cut from it).
 */
export function copyBytes(value: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(value.byteLength);
  copy.set(value);
  return copy;
}
