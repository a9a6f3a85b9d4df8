import { isAlreadyExists, isForbidden, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import type { CacheEvent } from '../watch/watch-cache';
import { resourcePath } from './namespace-controller';
import { type PerNamespaceController, runPerNamespace } from './per-namespace';

/** The service account every namespace has. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/**
 * kube's service account controller (kcp runs it per shard, cluster-aware):
 * every namespace that is not being deleted gets a `default` ServiceAccount,
 * created again if it is deleted. A namespace is queued only when it is
 * created or its `default` service account goes.
 */
export class ServiceAccountController implements PerNamespaceController {
  readonly workers = 8;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly logger: Logger,
  ) {}

  get cache() {
    return this.registry.builtin('', 'v1', 'serviceaccounts').cache;
  }

  run(signal: AbortSignal): Promise<void> {
    return runPerNamespace(this.registry, signal, this);
  }

  affects(event: CacheEvent): boolean {
    return event.type === 'DELETED' && event.object.name === DEFAULT_SERVICE_ACCOUNT;
  }

  needsWork(cluster: ClusterName, namespace: string): boolean {
    const { cache, store } = this.registry.builtin('', 'v1', 'serviceaccounts');
    return cache.get(cluster, store.key(cluster, namespace, DEFAULT_SERVICE_ACCOUNT)) === undefined;
  }

  async sync(cluster: ClusterName, namespace: string): Promise<'done' | 'requeue'> {
    if (!this.needsWork(cluster, namespace)) return 'done';
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
