import { isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { NAMESPACE_FINALIZER } from '../builtin/core';
import type { ResourceRegistry } from '../registry/resource-registry';
import { apiVersionOf } from '../rest/objects';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import { KeyQueue } from './queue';

/** The path of a collection or object in a logical cluster. */
export function resourcePath(cluster: string, group: string, version: string, resource: string, namespace: string, name = ''): string {
  const gv = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = namespace === '' ? '' : `/namespaces/${namespace}`;
  return `/clusters/${cluster}${gv}${ns}/${resource}${name === '' ? '' : `/${name}`}`;
}

/**
 * Namespaces finalized concurrently. A sync mostly waits for its one write to
 * commit, and writes that arrive together share a commit: with 2, deleting a
 * tree of 19,607 workspaces (one `default` namespace each) finalized about 150
 * namespaces a second and held everything else up.
 */
const NAMESPACE_WORKERS = 16;

/**
 * Namespace deletion: when a namespace is terminating, delete everything in
 * it (every namespaced resource of its logical cluster, custom and bound ones
 * included), then remove the `kubernetes` finalizer so the namespace goes.
 * One cache watcher and one queue for all logical clusters.
 */
export class NamespaceController {
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 5_000 });

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const { cache } = this.registry.builtin('', 'v1', 'namespaces');
    await cache.whenReady();
    const stopObserving = cache.observe((event) => {
      if (event.type !== 'DELETED' && event.object.object.metadata.deletionTimestamp) this.queue.add(`${event.object.cluster}|${event.object.name}`);
    });
    for (const cached of cache.objects('*')) {
      if (cached.object.metadata.deletionTimestamp) this.queue.add(`${cached.cluster}|${cached.name}`);
    }
    try {
      await this.queue.run(signal, NAMESPACE_WORKERS, (key) => this.sync(key));
    } finally {
      stopObserving();
    }
  }

  private async sync(key: string): Promise<'done' | 'requeue'> {
    const [cluster, namespace] = key.split('|') as [ClusterName, string];
    const namespaces = this.registry.builtin('', 'v1', 'namespaces');
    const ns = namespaces.cache.get(cluster, namespaces.store.key(cluster, '', namespace));
    if (!ns || !ns.object.metadata.deletionTimestamp) return 'done';
    let remaining = 0;
    const seen = new Set<string>();
    for (const served of this.registry.resources(cluster)) {
      const { definition, cache } = served;
      if (!definition.namespaced || !cache || !definition.storage || seen.has(definition.storage.prefix)) continue;
      if (definition.storage.storageApiVersion !== apiVersionOf(definition)) continue;
      seen.add(definition.storage.prefix);
      for (const cached of cache.objects(cluster)) {
        if (cached.namespace !== namespace) continue;
        remaining++;
        if (cached.object.metadata.deletionTimestamp) continue;
        try {
          await this.client.delete(resourcePath(cluster, definition.group, definition.version, definition.resource, namespace, cached.name), {
            propagationPolicy: 'Background',
          });
        } catch (err) {
          if (!isNotFound(err)) this.logger.warn({ err, cluster, namespace, name: cached.name }, 'deleting namespace content failed');
        }
      }
    }
    if (remaining > 0) return 'requeue';
    const spec = (ns.object['spec'] ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    if (finalizers.length === (spec.finalizers ?? []).length) return 'done';
    try {
      await this.client.update(`/clusters/${cluster}/api/v1/namespaces/${namespace}/finalize`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, resourceVersion: ns.object.metadata.resourceVersion },
        spec: { finalizers },
      });
    } catch (err) {
      if (isNotFound(err)) return 'done';
      throw err;
    }
    return 'done';
  }
}
