import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { CacheEvent, CachedObject, WatchCache } from '../watch/watch-cache';
import { KeyQueue } from './queue';

/** A controller that keeps one object in every namespace that is not being deleted. */
export interface PerNamespaceController {
  /** the cache of the objects it keeps */
  readonly cache: WatchCache;
  readonly workers: number;
  /** whether an event of `cache` may leave its namespace without a current object */
  affects(event: CacheEvent): boolean;
  /** whether the namespace's object is missing or out of date (looked at for every namespace at start) */
  needsWork(cluster: ClusterName, namespace: string): boolean;
  /** makes the namespace's object current; only called for a namespace that exists and is not being deleted */
  sync(cluster: ClusterName, namespace: string): Promise<'done' | 'requeue'>;
}

/**
 * The loop of kube's per-namespace controllers (the service account
 * controller, the root CA publisher): one queue of namespaces for all logical
 * clusters, fed when a namespace is created, when `affects` says so for an
 * event of the controller's own cache, and at start with every namespace that
 * `needsWork`. One watcher on each of the two caches, none per logical
 * cluster. Resolves once `signal` aborts.
 */
export async function runPerNamespace(registry: ResourceRegistry, signal: AbortSignal, controller: PerNamespaceController): Promise<void> {
  const namespaces = registry.builtin('', 'v1', 'namespaces');
  const queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  const live = (ns: CachedObject | undefined) => ns !== undefined && !ns.object.metadata.deletionTimestamp;
  await Promise.all([namespaces.cache.whenReady(), controller.cache.whenReady()]);
  const stopNamespaces = namespaces.cache.observe((event) => {
    if (event.type === 'ADDED' && live(event.object)) queue.add(`${event.object.cluster}|${event.object.name}`);
  });
  const stopObjects = controller.cache.observe((event) => {
    if (controller.affects(event)) queue.add(`${event.object.cluster}|${event.object.namespace}`);
  });
  for (const ns of namespaces.cache.objects('*')) {
    if (live(ns) && controller.needsWork(ns.cluster, ns.name)) queue.add(`${ns.cluster}|${ns.name}`);
  }
  try {
    await queue.run(signal, controller.workers, (key) => {
      const [cluster, namespace] = key.split('|') as [ClusterName, string];
      const ns = namespaces.cache.get(cluster, namespaces.store.key(cluster, '', namespace));
      return live(ns) ? controller.sync(cluster, namespace) : Promise.resolve('done');
    });
  } finally {
    stopNamespaces();
    stopObjects();
  }
}
