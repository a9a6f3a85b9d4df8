import { isAlreadyExists, isForbidden, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import { resourcePath } from './namespace-controller';
import { KeyQueue } from './queue';

/** The service account every namespace has. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';
const WORKERS = 8;

/**
 * kube's service account controller (kcp runs it per shard, cluster-aware):
 * every namespace that is not being deleted gets a `default` ServiceAccount,
 * created again if it is deleted. One watcher on the namespaces cache and one
 * on the service accounts cache for all logical clusters; a namespace is
 * queued only when it is created or its `default` service account goes.
 */
export class ServiceAccountController {
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const namespaces = this.registry.builtin('', 'v1', 'namespaces').cache;
    const accounts = this.registry.builtin('', 'v1', 'serviceaccounts').cache;
    await Promise.all([namespaces.whenReady(), accounts.whenReady()]);
    const stopNamespaces = namespaces.observe((event) => {
      if (event.type === 'ADDED' && !event.object.object.metadata.deletionTimestamp) this.queue.add(`${event.object.cluster}|${event.object.name}`);
    });
    const stopAccounts = accounts.observe((event) => {
      if (event.type === 'DELETED' && event.object.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(`${event.object.cluster}|${event.object.namespace}`);
    });
    for (const ns of namespaces.objects('*')) {
      if (!ns.object.metadata.deletionTimestamp && !this.hasDefault(ns.cluster, ns.name)) this.queue.add(`${ns.cluster}|${ns.name}`);
    }
    try {
      await this.queue.run(signal, WORKERS, (key) => this.sync(key));
    } finally {
      stopNamespaces();
      stopAccounts();
    }
  }

  private hasDefault(cluster: ClusterName, namespace: string): boolean {
    const { cache, store } = this.registry.builtin('', 'v1', 'serviceaccounts');
    return cache.get(cluster, store.key(cluster, namespace, DEFAULT_SERVICE_ACCOUNT)) !== undefined;
  }

  private async sync(key: string): Promise<'done' | 'requeue'> {
    const [cluster, namespace] = key.split('|') as [ClusterName, string];
    const namespaces = this.registry.builtin('', 'v1', 'namespaces');
    const ns = namespaces.cache.get(cluster, namespaces.store.key(cluster, '', namespace));
    if (!ns || ns.object.metadata.deletionTimestamp || this.hasDefault(cluster, namespace)) return 'done';
    try {
      await this.client.create(resourcePath(cluster, '', 'v1', 'serviceaccounts', namespace), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DEFAULT_SERVICE_ACCOUNT },
      });
    } catch (err) {
      // there already, or the namespace is going (or gone) meanwhile
      if (isAlreadyExists(err) || isForbidden(err) || isNotFound(err)) return 'done';
      this.logger.warn({ err, cluster, namespace }, 'creating the default service account failed');
      return 'requeue';
    }
    return 'done';
  }
}
