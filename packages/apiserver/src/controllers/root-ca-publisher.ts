import { isAlreadyExists, isConflict, isForbidden, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { CachedObject } from '../watch/watch-cache';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import { resourcePath } from './namespace-controller';
import { KeyQueue } from './queue';

/** The ConfigMap every namespace gets, holding the CA bundle clients verify the server with. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const WORKERS = 8;

/**
 * kube's root CA publisher (kcp runs it per shard, cluster-aware, as
 * `kube-root-ca-configmap-controller`): every namespace holds a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is the server's CA bundle,
 * created when the namespace is, created again if deleted and put back if
 * edited. A namespace being deleted refuses the create, and is left alone.
 * One watcher on the namespaces cache and one on the configmaps cache for all
 * logical clusters.
 */
export class RootCAPublisher {
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly rootCA: string,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const namespaces = this.registry.builtin('', 'v1', 'namespaces').cache;
    const configMaps = this.registry.builtin('', 'v1', 'configmaps').cache;
    await Promise.all([namespaces.whenReady(), configMaps.whenReady()]);
    const stopNamespaces = namespaces.observe((event) => {
      if (event.type === 'ADDED' && !event.object.object.metadata.deletionTimestamp) this.queue.add(`${event.object.cluster}|${event.object.name}`);
    });
    const stopConfigMaps = configMaps.observe((event) => {
      if (event.object.name !== ROOT_CA_CONFIG_MAP) return;
      if (event.type === 'DELETED' || !this.isCurrent(event.object)) this.queue.add(`${event.object.cluster}|${event.object.namespace}`);
    });
    for (const ns of namespaces.objects('*')) {
      if (!ns.object.metadata.deletionTimestamp && !this.isCurrent(this.published(ns.cluster, ns.name))) this.queue.add(`${ns.cluster}|${ns.name}`);
    }
    try {
      await this.queue.run(signal, WORKERS, (key) => this.sync(key));
    } finally {
      stopNamespaces();
      stopConfigMaps();
    }
  }

  private published(cluster: ClusterName, namespace: string): CachedObject | undefined {
    const { cache, store } = this.registry.builtin('', 'v1', 'configmaps');
    return cache.get(cluster, store.key(cluster, namespace, ROOT_CA_CONFIG_MAP));
  }

  /**
   * Holds exactly the CA bundle and says what it is for. Looked at without
   * keeping it decoded in the cache: one such config map per namespace would
   * otherwise stay decoded, several times the size of its stored bytes.
   */
  private isCurrent(cached: CachedObject | undefined): boolean {
    if (!cached) return false;
    const configMap = cached.peek?.() ?? cached.object;
    const data = (configMap['data'] ?? {}) as Record<string, unknown>;
    const keys = Object.keys(data);
    return keys.length === 1 && data['ca.crt'] === this.rootCA && Boolean(configMap.metadata.annotations?.[DESCRIPTION_ANNOTATION]);
  }

  private async sync(key: string): Promise<'done' | 'requeue'> {
    const [cluster, namespace] = key.split('|') as [ClusterName, string];
    const namespaces = this.registry.builtin('', 'v1', 'namespaces');
    const ns = namespaces.cache.get(cluster, namespaces.store.key(cluster, '', namespace));
    if (!ns || ns.object.metadata.deletionTimestamp) return 'done';
    const published = this.published(cluster, namespace);
    if (this.isCurrent(published)) return 'done';
    const current = published?.peek?.() ?? published?.object;
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
}
