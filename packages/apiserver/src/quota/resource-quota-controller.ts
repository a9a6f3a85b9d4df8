import { Quantity, isConflict, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { resourcePath } from '../controllers/namespace-controller';
import { KeyQueue } from '../controllers/queue';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { Obj } from '../registry/types';
import { apiVersionOf } from '../rest/objects';
import type { ServedResource } from '../rest/scope';
import type { Logger } from '../server/logger';
import type { LoopbackClient } from '../server/loopback';
import type { CachedObject } from '../watch/watch-cache';
import { countedResource, hasScopes, isClusterScopedQuota, objectCountNames, resourceList } from './object-count';
import { obj } from '../registry/json';

/** Upstream's `--resource-quota-sync-period`: every quota is recounted this often. */
const FULL_RESYNC_MS = 5 * 60_000;

/**
 * Upstream's resource quota controller (kcp's `kcp-kube-quota`, cluster-aware):
 * keeps each ResourceQuota's `status.hard` equal to `spec.hard` and
 * `status.used` to what is there. Object counts (`count/<resource>[.<group>]`
 * and the legacy aliases) are counted in the quota's namespace, or across the
 * logical cluster for kcp's cluster-scoped quota; any other resource (pods'
 * cpu, memory, …) is used 0, as nothing here consumes it. Creates are charged
 * by the admission plugin; the controller recounts when a quota's spec
 * changes, after deletes of what a quota counts (replenishment), and every
 * five minutes.
 *
 * State: the queue of quotas to recount. One watcher per cache, one timer for
 * all quotas, nothing per logical cluster.
 */
export class ResourceQuotaController {
  private readonly queue = new KeyQueue({
    baseDelayMs: 100,
    maxDelayMs: 10_000,
  });

  constructor(private readonly registry: ResourceRegistry, private readonly client: LoopbackClient, private readonly logger: Logger) {}

  private get quotas(): Required<ServedResource> {
    return this.registry.builtin('', 'v1', 'resourcequotas');
  }

  async run(signal: AbortSignal): Promise<void> {
    const quotas = this.quotas;
    await quotas.cache.whenReady();
    const key = (cached: { cluster: ClusterName; namespace: string; name: string }) => `${cached.cluster}|${cached.namespace}|${cached.name}`;
    const stopQuotas = quotas.cache.observe((event) => {
      if (event.type !== 'DELETED' && this.outOfDate(event.object.object)) this.queue.add(key(event.object));
    });
    const watchers: Array<() => void> = [];
    const stopObserving = this.registry.observeCaches((cache, served) => {
      const definition = served.definition;
      // one cache per stored resource (a CRD's other versions share its storage)
      if (!definition.storage || definition.storage.storageApiVersion !== apiVersionOf(definition)) return;
      const names = objectCountNames(definition.group, definition.resource);
      watchers.push(
        cache.observe((event) => {
          if (event.type === 'DELETED') this.replenish(event.object, names, key);
        }),
      );
    });
    const resyncAll = () => {
      for (const cached of quotas.cache.objects('*')) this.queue.add(key(cached));
    };
    resyncAll();
    const timer = setInterval(resyncAll, FULL_RESYNC_MS);
    timer.unref();
    try {
      await this.queue.run(signal, 2, (queued) => this.sync(queued));
    } finally {
      clearInterval(timer);
      stopQuotas();
      stopObserving();
      for (const stop of watchers) stop();
    }
  }

  /** Whether `status` lags the spec: other hard limits, or a limit without usage. */
  private outOfDate(quota: Obj): boolean {
    const hard = resourceList(obj(quota['spec'])['hard']);
    const status = obj(quota['status']);
    const used = resourceList(status['used']);
    return !sameList(resourceList(status['hard']), hard) || Object.keys(hard).some((name) => used[name] === undefined);
  }

  /** An object went: the quotas of its namespace (and its cluster's cluster-scoped ones) that count it are recounted. */
  private replenish(gone: CachedObject, names: readonly string[], key: (q: CachedObject) => string): void {
    for (const cached of this.quotas.cache.objects(gone.cluster)) {
      const quota = cached.object;
      if (cached.namespace !== gone.namespace && !isClusterScopedQuota(quota)) continue;
      const hard = obj(obj(quota['spec'])['hard']);
      if (names.some((name) => hard[name] !== undefined)) this.queue.add(key(cached));
    }
  }

  /** How many objects of `group`/`resource` there are in `namespace` (every namespace when undefined) of `cluster`. */
  private count(cluster: ClusterName, namespace: string | undefined, group: string, resource: string): number {
    const served = this.registry
      .resources(cluster)
      .find(
        (r) =>
          r.definition.group === group &&
          r.definition.resource === resource &&
          r.cache !== undefined &&
          r.definition.storage?.storageApiVersion === apiVersionOf(r.definition),
      );
    if (!served?.cache) return 0;
    let n = 0;
    for (const cached of served.cache.objects(cluster)) if (namespace === undefined || cached.namespace === namespace) n++;
    return n;
  }

  private async sync(queued: string): Promise<'done' | 'requeue'> {
    const [cluster, namespace, name] = queued.split('|') as [ClusterName, string, string];
    const { cache, store } = this.quotas;
    const quota = cache.get(cluster, store.key(cluster, namespace, name))?.object;
    if (!quota) return 'done';
    const specHard = resourceList(obj(quota['spec'])['hard']);
    const scoped = hasScopes(quota);
    const scope = isClusterScopedQuota(quota) ? undefined : namespace;
    // Go writes a map's keys in order
    const hard = Object.fromEntries(Object.entries(specHard).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const used: Record<string, string> = {};
    for (const resourceName of Object.keys(hard)) {
      const counted = countedResource(resourceName);
      const n = counted && !scoped ? this.count(cluster, scope, counted.group, counted.resource) : 0;
      used[resourceName] = Quantity.fromInteger(n).toString();
    }
    const status = obj(quota['status']);
    if (sameList(resourceList(status['hard']), hard) && sameList(resourceList(status['used']), used)) return 'done';
    try {
      await this.client.update(`${resourcePath(cluster, '', 'v1', 'resourcequotas', namespace, name)}/status`, { ...quota, status: { ...status, hard, used } });
    } catch (err) {
      if (isNotFound(err)) return 'done';
      // a charge or another writer got there first: count again from the newer quota
      if (isConflict(err)) return 'requeue';
      this.logger.warn({ err, cluster, namespace, name }, 'updating the quota status failed');
      return 'requeue';
    }
    return 'done';
  }
}

function sameList(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && Quantity.parse(a[k]!).cmp(Quantity.parse(b[k]!)) === 0);
}
