export type {
  KeyValue,
  GetOptions,
  ListOptions,
  ListResult,
  TxnCompare,
  TxnOp,
  TxnResult,
  DeleteResult,
  WatchEvent,
  WatchOptions,
  Store,
} from './store';
export {
  type StorageErrorCode,
  type StorageErrorDetails,
  StorageError,
  MAX_VALUE_BYTES,
  isStorageError,
  isRetryable,
  storageErrors,
} from './errors';
export { compareKeys, prefixEnd, validateKey, validatePrefix } from './keys';
export { copyBytes, validateCount, validateValue, validateTxn } from './arguments';
export { type ContinuePosition, encodeContinueToken, decodeContinueToken, remainingAfterPage } from './continue-token';
export { type CompactionOptions, DEFAULT_COMPACTION } from './periodic-compactor';
export { type MemoryStoreOptions, MemoryStore, createMemoryStore } from './memory-store';
export {
  type SqliteStoreOptions,
  type SqliteStoreStats,
  SqliteStore,
  openSqliteStore,
} from './sqlite/sqlite-store';
