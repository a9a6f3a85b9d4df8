import type { KubeObject } from '@kcp-ts/apimachinery';
import type { CacheEvent, CacheWatcher, WatchCache } from '@kcp-ts/apiserver';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { InformerEventHandler } from '../informer/informer';
import { objectKey, parseObjectKey } from '../informer/keys';
import { SyncGate } from '../informer/sync-gate';
import { type Logger, silentLogger } from '../logger';

/**
 * What the tenancy controllers need of an informer: the controller's
 * `InformerSource` plus reads by key. An `Informer` over any transport is one,
 * and so is a {@link CacheInformer}.
 */
export interface ObjectSource<T extends KubeObject> {
  keyOf(object: KubeObject): string;
  get(key: string): T | undefined;
  addEventHandler(handler: InformerEventHandler<T>): () => void;
  run(signal: AbortSignal): Promise<void>;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  hasSynced(): boolean;
}

/** A watch cache and how its keys are made (a served resource of the API server). */
export interface CacheSource {
  readonly cache: WatchCache;
  readonly store: { key(cluster: ClusterName, namespace: string, name: string): string };
}

/**
 * An informer over a watch cache of the API server in the same process: the
 * cache is the store (objects shared, never copied or decoded again — never
 * mutate them), its events the watch. What kcp's own controllers use inside a
 * shard instead of a list+watch through the in-process transport, which
 * would encode every event to JSON, parse it back and keep a second copy of
 * every object.
 *
 * Keys are the informers' (`cluster|name`, `cluster|namespace/name`). Handlers
 * run synchronously as the cache applies an event, before the write that
 * caused it is acknowledged: they must be quick (enqueue, count). When the
 * cache relists (its storage watch could not resume), every handler gets an
 * `onUpdate(object, object)` for every object and the `onRelist` callbacks run.
 */
export class CacheInformer<T extends KubeObject> implements ObjectSource<T> {
  private handlers: InformerEventHandler<T>[] = [];
  private readonly relistHandlers: (() => void)[] = [];
  private readonly syncGate = new SyncGate();
  private runners = 0;
  private running: { stop: () => void; done: Promise<void> } | undefined;

  constructor(
    private readonly served: CacheSource,
    private readonly logger: Logger = silentLogger,
  ) {}

  keyOf(object: KubeObject): string {
    return objectKey(object);
  }

  get(key: string): T | undefined {
    const { cluster, namespace, name } = parseObjectKey(key);
    return this.served.cache.get(cluster as ClusterName, this.served.store.key(cluster as ClusterName, namespace, name))?.object as unknown as T | undefined;
  }

  hasSynced(): boolean {
    return this.syncGate.open;
  }

  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.syncGate.wait(signal);
  }

  /** Adds a handler; one added after the sync first gets an `onAdd` for every object. Returns its removal. */
  addEventHandler(handler: InformerEventHandler<T>): () => void {
    this.handlers = [...this.handlers, handler];
    if (this.syncGate.open && handler.onAdd) for (const object of this.list()) this.call(() => handler.onAdd!(object, { initialList: true }));
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  /** Called after a relist has been replayed (see the class). */
  onRelist(callback: () => void): void {
    this.relistHandlers.push(callback);
  }

  /**
   * Follows the cache until `signal` aborts. Runs are shared: the first
   * starts following, the last to stop ends it.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.runners++;
    this.running ??= this.follow();
    const running = this.running;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    if (--this.runners > 0) return;
    this.running = undefined;
    running.stop();
    await running.done;
  }

  private follow(): { stop: () => void; done: Promise<void> } {
    const { cache } = this.served;
    let stopped = false;
    let watcher: CacheWatcher | undefined;
    const subscribe = (relist: boolean) => {
      watcher = {
        cluster: '*',
        deliver: (event) => {
          this.dispatch(event);
          return true;
        },
        stop: (reason) => {
          if (stopped || reason === 'shutdown') return;
          // the cache relisted (or dropped us): replay what it holds now, then follow again
          void cache.whenReady().then(() => !stopped && subscribe(true));
        },
      };
      if (relist) {
        for (const object of this.list()) for (const h of this.handlers) if (h.onUpdate) this.call(() => h.onUpdate!(object, object));
        for (const callback of this.relistHandlers) this.call(callback);
      }
      cache.addWatcher(watcher);
    };
    const done = (async () => {
      await cache.whenReady();
      if (stopped) return;
      // the state and the watcher in one turn: no event falls in between
      for (const object of this.list()) for (const h of this.handlers) if (h.onAdd) this.call(() => h.onAdd!(object, { initialList: true }));
      subscribe(false);
      this.syncGate.markOpen();
    })();
    return {
      stop: () => {
        stopped = true;
        if (watcher) cache.removeWatcher(watcher);
      },
      done,
    };
  }

  /** Every object of the cache, as it is now. */
  *list(): Iterable<T> {
    for (const cached of this.served.cache.objects('*')) yield cached.object as unknown as T;
  }

  private dispatch(event: CacheEvent): void {
    const object = event.object.object as unknown as T;
    for (const handler of this.handlers) {
      if (event.type === 'ADDED') {
        if (handler.onAdd) this.call(() => handler.onAdd!(object, { initialList: false }));
      } else if (event.type === 'MODIFIED') {
        if (handler.onUpdate) this.call(() => handler.onUpdate!((event.previous?.object ?? object) as unknown as T, object));
      } else if (handler.onDelete) {
        // a DELETED event's object is the last state
        this.call(() => handler.onDelete!(object, { finalStateUnknown: false }));
      }
    }
  }

  /** A handler that throws is logged and does not affect the others (nor the cache delivering the event). */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'cache informer event handler failed');
    }
  }
}
