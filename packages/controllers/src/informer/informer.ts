import { isGone, isResourceExpired, type KubeObject, type UnstructuredObject } from '@kcp-ts/apimachinery';
import { Backoff, type BackoffOptions, sleep } from '../clock';
import type { ResourceClient } from '../client/cluster-client';
import type { ResourceRef } from '../client/paths';
import { DEFAULT_WATCH_IDLE_TIMEOUT_MS } from '../client/watch';
import { isTransportError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import { CLUSTER_INDEX, type IndexFunction, Indexer, indexByCluster } from './indexer';
import { objectKey } from './keys';
import { SyncGate } from './sync-gate';

/** What an added object is: part of the informer's first list (or a replay to a late handler), or a later change. */
export interface AddInfo {
  readonly initialList: boolean;
}

/** What a deletion is: seen on the watch, or inferred from a relist (the final state was missed). */
export interface DeleteInfo {
  /**
   * The object vanished while the informer was not watching (found missing
   * on a relist after 410): `object` is the last state the informer knew,
   * not the state at deletion (client-go's `DeletedFinalStateUnknown`).
   */
  readonly finalStateUnknown: boolean;
}

/**
 * Callbacks for changes of an informer's objects. They run synchronously
 * after the store is updated, one event at a time; a handler that throws is
 * logged and does not affect the others. Keep them short (enqueue a key).
 */
export interface InformerEventHandler<T extends KubeObject = UnstructuredObject> {
  onAdd?(object: T, info: AddInfo): void;
  onUpdate?(oldObject: T, newObject: T): void;
  onDelete?(object: T, info: DeleteInfo): void;
}

/** Counters of an informer's work (tests, metrics, debugging). */
export interface InformerStats {
  /** complete lists done (initial and relists) */
  lists: number;
  /** list requests (pages) sent */
  listPages: number;
  /** lists started over because a continue token expired (410) */
  listRestarts: number;
  /** relists because the watch's resourceVersion was too old (410) */
  relists: number;
  /** watch requests started */
  watches: number;
  /** watches aborted because nothing arrived within the idle timeout */
  idleTimeouts: number;
  /** failed lists and watches (other than 410), each followed by a backoff */
  errors: number;
  /** watch events received (bookmarks included) */
  events: number;
}

/** Options of an {@link Informer}. */
export interface InformerOptions<T extends KubeObject = UnstructuredObject> {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** page size of lists (default 500, as client-go) */
  readonly pageSize?: number;
  /** abort a watch (and resume it) when no byte arrives for this long (default 150 s) */
  readonly watchIdleTimeoutMs?: number;
  /** the server-side timeout of each watch (default: random 300–600 s, as client-go) */
  readonly watchTimeoutSeconds?: number;
  /** backoff after failures (default 800 ms doubling to 30 s, jittered); it never gives up */
  readonly backoff?: BackoffOptions;
  /** indexes beyond the built-in `cluster` index */
  readonly indexers?: Readonly<Record<string, IndexFunction<T>>>;
  readonly logger?: Logger;
  /** observes every failure the informer retries */
  readonly onError?: (err: unknown, phase: 'list' | 'watch') => void;
}

/**
 * A shared informer (client-go's reflector + indexer + processor) over one
 * resource in one logical cluster or across all of them (`*`):
 *
 * - lists in pages (limit 500 + continue; a continue that expires restarts
 *   the list), then watches from the list's resourceVersion, with bookmarks;
 * - on a disconnect resumes the watch from the last resourceVersion seen;
 *   after 410 (HTTP status or ERROR event) relists, deleting objects that
 *   vanished (`finalStateUnknown`) and staying silent about unchanged ones;
 * - notices a half-open connection by its idle timeout;
 * - retries every failure with jittered exponential backoff until the
 *   signal aborts — it never gives up;
 * - keys objects `cluster|namespace/name` and indexes them by logical
 *   cluster (plus any custom index);
 * - hands changes to handlers that can be removed again.
 *
 * Nothing starts before {@link run}.
 */
export class Informer<T extends KubeObject = UnstructuredObject> {
  readonly store: Indexer<T>;
  private handlers: readonly InformerEventHandler<T>[] = [];
  private readonly syncGate = new SyncGate();
  private resourceVersion = '';
  private readonly logger: Logger;
  private readonly fallbackCluster: string;
  private runners = 0;
  private loop: Promise<void> | undefined;
  private loopAbort: AbortController | undefined;
  private readonly counters: InformerStats = { lists: 0, listPages: 0, listRestarts: 0, relists: 0, watches: 0, idleTimeouts: 0, errors: 0, events: 0 };

  constructor(
    readonly client: ResourceClient<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.store = new Indexer<T>({ [CLUSTER_INDEX]: indexByCluster as IndexFunction<T>, ...options.indexers });
    this.fallbackCluster = client.cluster === undefined || client.cluster === '*' ? '' : client.cluster;
    this.logger = (options.logger ?? silentLogger).child({ resource: client.resource.resource, cluster: client.cluster ?? '' });
  }

  /** The resource informed about. */
  get resource(): ResourceRef {
    return this.client.resource;
  }

  /** The key of an object in this informer's store (`cluster|namespace/name`). */
  keyOf(object: T): string {
    return objectKey(object, this.fallbackCluster);
  }

  /**
   * Runs the informer until `signal` aborts. Shared: several callers may run
   * it (controllers on one factory); it keeps running until the last of
   * their signals aborts, then resolves once the list/watch loop has
   * stopped. Running it again later relists.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.runners++;
    if (!this.loop) {
      const abort = new AbortController();
      this.loopAbort = abort;
      this.loop = this.runLoop(abort.signal).finally(() => {
        this.loop = undefined;
        this.loopAbort = undefined;
      });
    }
    const loop = this.loop;
    const loopAbort = this.loopAbort!;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.runners--;
    if (this.runners > 0) return;
    loopAbort.abort();
    await loop;
  }

  /** Whether the first list has been applied. */
  hasSynced(): boolean {
    return this.syncGate.open;
  }

  /** Resolves `true` once synced, `false` if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.syncGate.wait(signal);
  }

  /** The resourceVersion the informer is at (of its last list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** A copy of the counters. */
  stats(): InformerStats {
    return { ...this.counters };
  }

  /**
   * Adds a handler; returns the function that removes it (idempotent). A
   * handler added after the informer synced first gets an `onAdd` (with
   * `initialList: true`) for every object already in the store.
   */
  addEventHandler(handler: InformerEventHandler<T>): () => void {
    this.handlers = [...this.handlers, handler];
    if (this.syncGate.open && handler.onAdd) {
      for (const object of this.store.values()) this.call(() => handler.onAdd!(object, { initialList: true }));
    }
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  /** How many handlers are registered (leak checks). */
  handlerCount(): number {
    return this.handlers.length;
  }

  /** The object at `key` (`cluster|namespace/name`), if cached. */
  get(key: string): T | undefined {
    return this.store.get(key);
  }

  /** Every cached object. Treat them as immutable. */
  list(): T[] {
    return [...this.store.values()];
  }

  /** The cached objects of one logical cluster. */
  listByCluster(cluster: string): T[] {
    return this.store.byIndex(CLUSTER_INDEX, cluster);
  }

  /** The cached objects whose index `indexName` holds `value`. */
  byIndex(indexName: string, value: string): T[] {
    return this.store.byIndex(indexName, value);
  }

  /** Adds indexes (indexing what is cached already). */
  addIndexers(indexers: Readonly<Record<string, IndexFunction<T>>>): void {
    this.store.addIndexers(indexers);
  }

  private async runLoop(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.options.backoff);
    let needList = true;
    let expiredInARow = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.listAndReplace(signal);
          needList = false;
        }
        const healthy = await this.watchOnce(signal);
        expiredInARow = 0;
        if (healthy) backoff.reset();
        else await sleep(backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isResourceExpired(err) || isGone(err)) {
          // the resourceVersion is too old for the server's history: list again
          this.counters.relists++;
          needList = true;
          this.logger.info({ err, resourceVersion: this.resourceVersion }, 'watch expired, relisting');
          if (++expiredInARow > 1) await sleep(backoff.next(), signal);
          continue;
        }
        const phase = needList ? 'list' : 'watch';
        if (isTransportError(err, 'IdleTimeout')) this.counters.idleTimeouts++;
        else this.counters.errors++;
        this.options.onError?.(err, phase);
        this.logger.warn({ err, phase, resourceVersion: this.resourceVersion }, `${phase} failed, retrying`);
        await sleep(backoff.next(), signal);
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const pageSize = this.options.pageSize ?? 500;
    let restarts = 0;
    let limit = pageSize;
    let continueToken: string | undefined;
    let items: T[] = [];
    let resourceVersion = '';
    for (;;) {
      let page;
      try {
        this.counters.listPages++;
        page = await this.client.list({
          ...(limit > 0 ? { limit } : {}),
          ...(continueToken ? { continue: continueToken } : {}),
          ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
          ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
          signal,
        });
      } catch (err) {
        if (continueToken !== undefined && (isResourceExpired(err) || isGone(err))) {
          // the continue token outlived the history: start over (after three tries, in one request)
          this.counters.listRestarts++;
          if (++restarts >= 3) limit = 0;
          items = [];
          continueToken = undefined;
          continue;
        }
        throw err;
      }
      const itemKind = page.kind?.endsWith('List') ? page.kind.slice(0, -'List'.length) : undefined;
      for (const item of page.items ?? []) {
        if (item.kind === undefined && itemKind) item.kind = itemKind;
        if (item.apiVersion === undefined && page.apiVersion) item.apiVersion = page.apiVersion;
        items.push(item);
      }
      resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue || undefined;
      if (!continueToken) break;
    }
    if (signal.aborted) return;
    this.counters.lists++;
    this.replace(items, resourceVersion);
  }

  /** Applies a complete list: adds, updates (changed resourceVersion only) and deletes of what vanished. */
  private replace(items: readonly T[], resourceVersion: string): void {
    const initial = !this.syncGate.open;
    const seen = new Set<string>();
    for (const item of items) {
      const key = this.keyOf(item);
      seen.add(key);
      const old = this.store.get(key);
      if (!old) {
        this.store.set(key, item);
        this.emitAdd(item, initial);
      } else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) {
        this.store.set(key, item);
        this.emitUpdate(old, item);
      }
    }
    if (this.store.size > seen.size) {
      for (const key of [...this.store.keys()]) {
        if (seen.has(key)) continue;
        const old = this.store.delete(key)!;
        this.emitDelete(old, true);
      }
    }
    this.resourceVersion = resourceVersion;
    this.syncGate.markOpen();
  }

  /** One watch from the current resourceVersion; resolves when the server ends it, `true` if it was useful. */
  private async watchOnce(signal: AbortSignal): Promise<boolean> {
    this.counters.watches++;
    const started = Date.now();
    let events = 0;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    const stream = this.client.watch({
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      idleTimeoutMs: this.options.watchIdleTimeoutMs ?? DEFAULT_WATCH_IDLE_TIMEOUT_MS,
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
      signal,
    });
    for await (const event of stream) {
      events++;
      this.counters.events++;
      const object = event.object as T;
      const rv = object.metadata?.resourceVersion;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED': {
          const key = this.keyOf(object);
          const old = this.store.get(key);
          if (!old) {
            this.store.set(key, object);
            this.emitAdd(object, false);
          } else if (old.metadata.resourceVersion !== rv) {
            this.store.set(key, object);
            this.emitUpdate(old, object);
          }
          break;
        }
        case 'DELETED': {
          const key = this.keyOf(object);
          if (this.store.delete(key)) this.emitDelete(object, false);
          break;
        }
        default:
          break;
      }
      if (rv) this.resourceVersion = rv;
    }
    return events > 0 || Date.now() - started > 1_000;
  }

  private emitAdd(object: T, initialList: boolean): void {
    for (const handler of this.handlers) if (handler.onAdd) this.call(() => handler.onAdd!(object, { initialList }));
  }

  private emitUpdate(oldObject: T, newObject: T): void {
    for (const handler of this.handlers) if (handler.onUpdate) this.call(() => handler.onUpdate!(oldObject, newObject));
  }

  private emitDelete(object: T, finalStateUnknown: boolean): void {
    for (const handler of this.handlers) if (handler.onDelete) this.call(() => handler.onDelete!(object, { finalStateUnknown }));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'informer event handler failed');
    }
  }
}
