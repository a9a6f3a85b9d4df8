import { type FieldSelector, newResourceExpired, StatusError, toInternalError } from '@kcp-ts/apimachinery';
import { type WatchEvent as StoreWatchEvent, isStorageError } from '@kcp-ts/storage';
import { type Selector, matches as labelsMatch, selectorToString } from '@kcp-ts/topology';
import type { Obj, ResourceDefinition } from '../registry/types';
import type { ApiResponse } from '../server/api-request';
import { type CacheEvent, type CachedObject, TooLargeResourceVersionError, type WatchCache, parseObjectKey } from '../watch/watch-cache';
import { type WatchEncoder, type WatchEventType, WatchStream } from '../watch/watch-stream';
import type { OutputFormat } from './negotiate';
import { apiVersionOf, fieldsOf, toServed } from './objects';
import type { ListOptions } from './options';
import { type ResourceStore, collectionPrefix, decodeObject, storable } from './resource-store';
import { tooLargeResourceVersionStatus } from './storage-errors';
import type { RestScope } from './scope';
import { buildTable, partialObjectMetadata } from './table';

/** The longest delay a Node timer takes (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
/** How long a watch waits for the cache to reach the store's revision before reading its initial state from the store. */
const CACHE_CATCH_UP_WAIT_MS = 25;

const encoders = new WeakMap<ResourceDefinition, Map<string, WatchEncoder>>();

/**
 * Encodes watch events of one definition in one output format, as single
 * lines. One encoder per definition and format, shared by every watch that
 * uses them.
 */
export function watchEncoder(definition: ResourceDefinition, format: OutputFormat): WatchEncoder {
  const key = `${apiVersionOf(definition)}|${definition.resource}|${format.kind}|${'version' in format ? format.version : ''}|${format.kind === 'table' ? format.includeObject : ''}`;
  let byFormat = encoders.get(definition);
  if (!byFormat) encoders.set(definition, (byFormat = new Map<string, WatchEncoder>()));
  let encoder = byFormat.get(key);
  if (!encoder) byFormat.set(key, (encoder = newWatchEncoder(definition, format, key)));
  return encoder;
}

function newWatchEncoder(definition: ResourceDefinition, format: OutputFormat, key: string): WatchEncoder {
  const version = apiVersionOf(definition);
  const memoKeys = new Map<WatchEventType, string>();
  const bookmarkObject = (revision: number, annotations?: Record<string, string>) => {
    const metadata = { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) };
    if (format.kind === 'table') return { kind: 'Table', apiVersion: `meta.k8s.io/${format.version}`, metadata, columnDefinitions: [], rows: [] };
    return { kind: definition.kind, apiVersion: version, metadata };
  };
  return {
    key,
    memoKey(type: WatchEventType): string {
      let memoKey = memoKeys.get(type);
      if (memoKey === undefined) memoKeys.set(type, (memoKey = `${key}|${type}`));
      return memoKey;
    },
    encode(type: WatchEventType, stored: Obj): string {
      const object = toServed(definition, stored);
      if (format.kind === 'table') {
        // every event carries the columns: kubectl prints no header again when they equal the previous ones
        return `${JSON.stringify({ type, object: buildTable(definition, [object], { version: format.version, includeObject: format.includeObject, listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' } }) })}\n`;
      }
      if (format.kind === 'partialMetadata') return `${JSON.stringify({ type, object: partialObjectMetadata(object, format.version) })}\n`;
      return `${JSON.stringify({ type, object })}\n`;
    },
    bookmark(revision: number, annotations?: Record<string, string>): string {
      return `${JSON.stringify({ type: 'BOOKMARK', object: bookmarkObject(revision, annotations) })}\n`;
    },
  };
}

function errorLine(err: StatusError): string {
  return `${JSON.stringify({ type: 'ERROR', object: err.status })}\n`;
}

const WATCH_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };

/** How watches are served (server-wide settings). */
export interface WatchServingOptions {
  /** the time between two bookmarks of a watch (default 60 s; one more 2 s before its timeout) */
  readonly bookmarkIntervalMs?: number;
  /** the most lines buffered for a client that does not read; beyond, its watch ends (default 10,000) */
  readonly maxBufferedLines?: number;
}

/**
 * Serves a watch from the resource's watch cache:
 * - RV unset: synthetic ADDED for the current state (a consistent read), then changes;
 * - RV `0`: the same from whatever state the cache has;
 * - RV n: every change after n — from the cache's history, or directly from
 *   the store when n is older than the cache remembers (e.g. after a restart);
 *   older than the store's history: a 200 stream with one ERROR 410 event;
 * - `sendInitialEvents=true`: initial ADDED events, then a bookmark annotated
 *   `k8s.io/initial-events-end`; `sendInitialEvents=false` without RV (or 0):
 *   only the changes from now on.
 */
export async function serveWatch(scope: RestScope, options: ListOptions, format: OutputFormat, serving: WatchServingOptions = {}): Promise<ApiResponse> {
  const { definition, cache, store } = scope.resource;
  if (!cache || !store) throw new StatusError({ reason: 'MethodNotAllowed', code: 405, message: 'watch is not supported on this resource' });
  // the closures a watch keeps for its life capture the namespace and selection, not the scope (and its request)
  const namespace = scope.namespace;
  const selection = Selection.acquire(definition, options.labelSelector, options.fieldSelector);
  const selects = selection?.test;
  const matches = (cached: { namespace: string; object: Obj }) => (namespace === '' || cached.namespace === namespace) && (selects === undefined || selects(cached));
  const encoder = watchEncoder(definition, format);
  // timeoutSeconds unset or 0: upstream's --min-request-timeout (1800 s) × [1, 2), rounded to whole
  // seconds so that watches with the same timeout share one Node timer list; a negative one ends the
  // watch at once, as Go's timer does; one beyond a Node timer's reach (24.8 days) is cut to it
  const seconds = options.timeoutSeconds || Math.round(1800 + Math.random() * 1800);
  const timeoutMs = seconds < 0 ? 1 : Math.min(seconds * 1000, MAX_TIMER_MS);
  const consistency = options.consistency;
  // a watch resuming after a revision the cache has not reached yet waits for it (no error), as upstream's
  const after = consistency.kind === 'notOlderThan' ? consistency.revision : 0;
  const closeHooks: Array<() => void> = [() => cache.removeWatcher(stream)];
  if (selection) closeHooks.push(() => selection.release());
  const stream = new WatchStream({
    cluster: scope.cluster,
    namespace,
    ...(selects !== undefined ? { matches: selects } : {}),
    encoder,
    version: definition.version,
    bookmarks: options.allowWatchBookmarks,
    timeoutMs,
    ...(serving.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: serving.bookmarkIntervalMs } : {}),
    ...(serving.maxBufferedLines !== undefined ? { maxBufferedLines: serving.maxBufferedLines } : {}),
    ...(after > 0 ? { afterRevision: after } : {}),
    onClose: () => {
      for (const hook of closeHooks) hook();
    },
  });
  // the watch is released however its setup fails (the client leaving while it waits for a revision included)
  try {
    return await startWatch(scope, options, { cache, store, stream, encoder, matches, after, closeHooks });
  } catch (err) {
    void stream.return();
    throw err;
  }
}

/** What a watch being set up has: kept apart from the closures the watch keeps for its life, which must not hold the scope. */
interface WatchSetup {
  readonly cache: WatchCache;
  readonly store: ResourceStore;
  readonly stream: WatchStream;
  readonly encoder: WatchEncoder;
  readonly matches: (cached: { namespace: string; object: Obj }) => boolean;
  /** the revision a resuming watch follows (0: none) */
  readonly after: number;
  readonly closeHooks: Array<() => void>;
}

/** Reads what the watch starts from (the initial state, or the history it resumes from) and registers it with the cache. */
async function startWatch(scope: RestScope, options: ListOptions, setup: WatchSetup): Promise<ApiResponse> {
  const { cache, store, stream, encoder, matches, after, closeHooks } = setup;
  const consistency = options.consistency;
  const errorStream = (err: StatusError): ApiResponse => {
    stream.push(errorLine(err));
    stream.end();
    return { status: 200, headers: WATCH_HEADERS, stream };
  };
  await cache.whenReady();
  const initialEvents = options.sendInitialEvents ?? (consistency.kind === 'latest' || consistency.kind === 'any');
  if (initialEvents) {
    // the state to start from: the cache's, once it is at least as new as asked (RV unset: the store's current
    // revision); a cache whose resource saw no write lately lags the store until a progress event, so after a
    // short wait the state is read from the store instead (a consistent read, as upstream's)
    let target = 0;
    if (consistency.kind === 'latest') target = await store.currentRevision();
    else if (consistency.kind === 'notOlderThan') target = consistency.revision;
    if (target > cache.currentRevision()) {
      try {
        await cache.waitForRevision(target, CACHE_CATCH_UP_WAIT_MS, scope.request.signal);
      } catch (err) {
        if (!(err instanceof TooLargeResourceVersionError)) throw err;
      }
    }
    if (target > cache.currentRevision()) {
      if (target > (await store.currentRevision())) {
        // a revision the store has not reached: upstream waits (3 s), then fails the watch
        try {
          await cache.waitForRevision(target, 3_000, scope.request.signal);
        } catch (err) {
          if (err instanceof TooLargeResourceVersionError) return errorStream(tooLargeResourceVersionStatus(err.requested, err.current));
          throw err;
        }
      } else {
        return initialEventsFromStore(scope, target, stream, encoder, matches, options);
      }
    }
    const snapshot: CachedObject[] = [];
    for (const cached of cache.objects(scope.cluster)) if (matches(cached)) snapshot.push(cached);
    snapshot.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const cached of snapshot) stream.pushInitial(cached.object);
    // the end of the initial events is a bookmark: only for clients that take bookmarks (upstream isListWatchRequest)
    if (options.sendInitialEvents && options.allowWatchBookmarks) stream.push(encoder.bookmark(cache.currentRevision(), { [INITIAL_EVENTS_END]: 'true' }));
    cache.addWatcher(stream);
    return { status: 200, headers: WATCH_HEADERS, stream };
  }

  if (options.sendInitialEvents === false && after === 0) {
    // no initial events and no resourceVersion (or 0): the changes from now on, after the store's current
    // revision (RV unset, a consistent start) or the cache's (RV 0), not the cache's history
    const from = consistency.kind === 'latest' ? await store.currentRevision() : cache.currentRevision();
    stream.skipThrough(from);
    if (from < cache.currentRevision() && cache.canResumeFrom(from)) for (const event of cache.eventsAfter(from)) stream.replay(event);
    cache.addWatcher(stream);
    return { status: 200, headers: WATCH_HEADERS, stream };
  }

  // resume after a resourceVersion
  if (cache.canResumeFrom(after)) {
    for (const event of cache.eventsAfter(after)) stream.replay(event);
    cache.addWatcher(stream);
    return { status: 200, headers: WATCH_HEADERS, stream };
  }
  return resumeFromStore(scope, after, stream, errorStream, closeHooks);
}

/**
 * The label and field selectors of watches, shared by every watch of a
 * definition with the same ones: an object state is tested once per event,
 * however many watches select with them (a remembered answer for the last two
 * states — an event's new and previous one — which the fan-out asks for in
 * turn). Released by the last watch using it.
 */
class Selection {
  private static readonly byDefinition = new WeakMap<ResourceDefinition, Map<string, Selection>>();
  private users = 0;
  private lastObject: Obj | undefined;
  private lastAnswer = false;
  private otherObject: Obj | undefined;
  private otherAnswer = false;
  /** whether a cache entry is selected (a stable function: watches keep it as their predicate) */
  readonly test: (cached: { object: Obj }) => boolean;

  private constructor(
    private readonly definition: ResourceDefinition,
    private readonly key: string,
    private readonly labels: Selector | undefined,
    private readonly fields: FieldSelector | undefined,
  ) {
    this.test = (cached) => this.selects(cached.object);
  }

  /** The shared selection of these selectors, or `undefined` when they select everything. */
  static acquire(definition: ResourceDefinition, labelSelector: Selector | undefined, fieldSelector: FieldSelector | undefined): Selection | undefined {
    const labels = labelSelector && (labelSelector.matchesNothing || labelSelector.requirements.length > 0) ? labelSelector : undefined;
    const fields = fieldSelector && !fieldSelector.isEmpty() ? fieldSelector : undefined;
    if (!labels && !fields) return undefined;
    const fieldTerms = fields ? fields.requirements().map((t) => `${t.field}${t.operator}${t.value}`) : [];
    const key = JSON.stringify([labels ? selectorToString(labels) : '', labels?.matchesNothing ?? false, fieldTerms]);
    let byKey = Selection.byDefinition.get(definition);
    if (!byKey) Selection.byDefinition.set(definition, (byKey = new Map<string, Selection>()));
    let selection = byKey.get(key);
    if (!selection) byKey.set(key, (selection = new Selection(definition, key, labels, fields)));
    selection.users++;
    return selection;
  }

  /** A watch using it ended. */
  release(): void {
    if (--this.users > 0) return;
    const byKey = Selection.byDefinition.get(this.definition);
    if (byKey?.get(this.key) === this) byKey.delete(this.key);
  }

  private selects(object: Obj): boolean {
    if (object === this.lastObject) return this.lastAnswer;
    if (object === this.otherObject) return this.otherAnswer;
    const answer = (!this.labels || labelsMatch(this.labels, object.metadata.labels)) && (!this.fields || this.fields.matches(fieldsOf(this.definition, toServed(this.definition, object))));
    this.otherObject = this.lastObject;
    this.otherAnswer = this.lastAnswer;
    this.lastObject = object;
    this.lastAnswer = answer;
    return answer;
  }
}

/**
 * Initial events read from the store at `revision` (newer than the cache):
 * the matching objects as ADDED, then the cache's events after `revision`
 * (those it already has, then live ones; older ones are skipped).
 */
async function initialEventsFromStore(
  scope: RestScope,
  revision: number,
  stream: WatchStream,
  encoder: WatchEncoder,
  matches: (cached: { namespace: string; object: Obj }) => boolean,
  options: ListOptions,
): Promise<ApiResponse> {
  const { cache, store } = scope.resource;
  const namespace = scope.cluster === '*' ? '' : scope.namespace;
  const { items } = await store!.list(scope.cluster, namespace, { revision });
  stream.skipThrough(revision);
  for (const object of items) if (matches({ namespace: object.metadata.namespace ?? '', object })) stream.pushInitial(object);
  if (options.sendInitialEvents && options.allowWatchBookmarks) stream.push(encoder.bookmark(revision, { [INITIAL_EVENTS_END]: 'true' }));
  // the cache may have passed `revision` while the store was read: replay what it has after it, then follow it
  for (const event of cache!.eventsAfter(revision)) stream.replay(event);
  cache!.addWatcher(stream);
  return { status: 200, headers: WATCH_HEADERS, stream };
}

/**
 * A watch resuming from a revision older than the cache's history: served by
 * its own storage watch on the narrowest prefix (one cluster and namespace),
 * which replays the store's retained history. Rare: after a server restart.
 */
async function resumeFromStore(
  scope: RestScope,
  after: number,
  stream: WatchStream,
  errorStream: (err: StatusError) => ApiResponse,
  closeHooks: Array<() => void>,
): Promise<ApiResponse> {
  const { definition, store } = scope.resource;
  const layout = definition.storage!;
  const compacted = await store!.store.compactedRevision();
  if (after < compacted) {
    return errorStream(newResourceExpired(`too old resource version: ${after} (${compacted})`));
  }
  // a namespace no storage key can hold has no objects, and never will: nothing to replay or follow
  if (!storable(scope.namespace)) return { status: 200, headers: WATCH_HEADERS, stream };
  const abort = new AbortController();
  // however the stream ends (client gone, timeout, overflow), the storage watch goes with it
  closeHooks.push(() => abort.abort());
  const prefix = collectionPrefix(layout.prefix, scope.cluster, scope.cluster === '*' ? '' : scope.namespace);
  let events: AsyncIterable<StoreWatchEvent>;
  try {
    events = store!.store.watch(prefix, { afterRevision: after, signal: abort.signal });
  } catch (err) {
    if (isStorageError(err, 'Compacted')) return errorStream(newResourceExpired(`too old resource version: ${after} (${compacted})`));
    throw err;
  }
  const pump = async () => {
    try {
      for await (const event of events) {
        if (event.type === 'progress') {
          stream.progress(event.revision);
          continue;
        }
        const key = event.type === 'put' ? event.kv.key : event.key;
        const parsed = parseObjectKey(layout.prefix, key, definition.namespaced);
        if (!parsed) continue;
        const cacheEvent: CacheEvent =
          event.type === 'put'
            ? {
                type: event.prevKv ? 'MODIFIED' : 'ADDED',
                revision: event.kv.modRevision,
                object: { key, ...parsed, revision: event.kv.modRevision, object: decodeObject(event.kv) },
                ...(event.prevKv ? { previous: { key, ...parsed, revision: event.prevKv.modRevision, object: decodeObject(event.prevKv) } } : {}),
                encoded: new Map(),
              }
            : {
                type: 'DELETED',
                revision: event.revision,
                object: { key, ...parsed, revision: event.revision, object: decodeObject({ ...event.prevKv, modRevision: event.revision }) },
                encoded: new Map(),
              };
        if (!stream.offer(cacheEvent)) break;
      }
    } catch (err) {
      if (isStorageError(err, 'Compacted')) stream.push(errorLine(newResourceExpired(`too old resource version: ${after} (${compacted})`)));
      else if (!abort.signal.aborted) stream.push(errorLine(toInternalError(err)));
    } finally {
      stream.end();
    }
  };
  void pump();
  return { status: 200, headers: WATCH_HEADERS, stream };
}
