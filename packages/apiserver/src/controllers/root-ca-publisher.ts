import { isAlreadyExists, isConflict, isForbidden, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Obj } from '../registry/types';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import type { CacheEvent, CachedObject } from '../watch/watch-cache';
import { resourcePath } from './namespace-controller';
import { type PerNamespaceController, runPerNamespace } from './per-namespace';

/** The ConfigMap every namespace gets, holding the CA bundle clients verify the server with. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * kube's root CA publisher (kcp runs it per shard, cluster-aware, as
 * `kube-root-ca-configmap-controller`): every namespace holds a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is the server's CA bundle,
 * created when the namespace is, created again if deleted and put back if
 * edited. A namespace being deleted gets none.
 */
export class RootCAPublisher implements PerNamespaceController {
  readonly workers = 8;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly rootCA: string,
    private readonly logger: Logger,
  ) {}

  get cache() {
    return this.registry.builtin('', 'v1', 'configmaps').cache;
  }

  run(signal: AbortSignal): Promise<void> {
    return runPerNamespace(this.registry, signal, this);
  }

  affects(event: CacheEvent): boolean {
    return event.object.name === ROOT_CA_CONFIG_MAP && (event.type === 'DELETED' || !this.isCurrent(peek(event.object)));
  }

  needsWork(cluster: ClusterName, namespace: string): boolean {
    return !this.isCurrent(peek(this.published(cluster, namespace)));
  }

  async sync(cluster: ClusterName, namespace: string): Promise<'done' | 'requeue'> {
    const current = peek(this.published(cluster, namespace));
    if (this.isCurrent(current)) return 'done';
    const collection = resourcePath(cluster, '', 'v1', 'configmaps', namespace);
    try {
      if (!current) {
        await this.client.create(collection, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { 'ca.crt': this.rootCA },
        });
      } else {
        await this.client.update(`${collection}/${ROOT_CA_CONFIG_MAP}`, {
          ...current,
          metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { 'ca.crt': this.rootCA },
        });
      }
    } catch (err) {
      // the namespace is going (or gone) meanwhile: nothing to publish into
      if (isForbidden(err) || isNotFound(err)) return 'done';
      // someone else wrote it meanwhile: the cache brings that write, and this is looked at again
      if (isAlreadyExists(err) || isConflict(err)) return 'requeue';
      this.logger.warn({ err, cluster, namespace }, 'publishing the root CA config map failed');
      return 'requeue';
    }
    return 'done';
  }

  private published(cluster: ClusterName, namespace: string): CachedObject | undefined {
    const { cache, store } = this.registry.builtin('', 'v1', 'configmaps');
    return cache.get(cluster, store.key(cluster, namespace, ROOT_CA_CONFIG_MAP));
  }

  /** Holds exactly the CA bundle and says what it is for. */
  private isCurrent(configMap: Obj | undefined): boolean {
    if (!configMap) return false;
    const data = (configMap['data'] ?? {}) as Record<string, unknown>;
    return Object.keys(data).length === 1 && data['ca.crt'] === this.rootCA && Boolean(configMap.metadata.annotations?.[DESCRIPTION_ANNOTATION]);
  }
}

/**
 * A config map as it is, without leaving it decoded in the watch cache: one
 * such config map per namespace would otherwise stay decoded, several times
 * the size of its stored bytes.
 */
function peek(cached: CachedObject | undefined): Obj | undefined {
  return cached === undefined ? undefined : (cached.peek?.() ?? cached.object);
}
