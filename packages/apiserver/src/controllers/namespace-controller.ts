import { isConflict, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { NAMESPACE_FINALIZER } from '../builtin/core';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { Obj } from '../registry/types';
import { nowTimestamp } from '../rest/metadata';
import { apiVersionOf } from '../rest/objects';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import {
  NAMESPACE_DELETION_CONDITION_TYPES,
  type NamespaceCondition,
  allDeletionConditionsFine,
  mergeNamespaceConditions,
  namespaceDeletionConditions,
} from './namespace-conditions';
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
 * While content remains, the namespace's `status.conditions` say what is
 * left and which finalizers hold it (kube's namespace deleter conditions).
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
    // objects the cache still holds: the namespace is finalized only once there are none
    let cachedObjects = 0;
    const tally = { remainingByResource: new Map<string, number>(), remainingByFinalizer: new Map<string, number>(), deleteErrors: [] as string[] };
    const seen = new Set<string>();
    for (const served of this.registry.resources(cluster)) {
      const { definition, cache } = served;
      if (!definition.namespaced || !cache || !definition.storage || seen.has(definition.storage.prefix)) continue;
      if (definition.storage.storageApiVersion !== apiVersionOf(definition)) continue;
      seen.add(definition.storage.prefix);
      const resourceName = `${definition.resource}.${definition.group}`;
      let deleteError: string | undefined;
      for (const cached of cache.objects(cluster)) {
        if (cached.namespace !== namespace) continue;
        cachedObjects++;
        if (cached.object.metadata.deletionTimestamp) {
          countRemaining(tally, resourceName, cached.object.metadata.finalizers);
          continue;
        }
        try {
          const result = await this.client.delete<{ metadata?: { deletionTimestamp?: string; finalizers?: string[] } }>(
            resourcePath(cluster, definition.group, definition.version, definition.resource, namespace, cached.name),
            { propagationPolicy: 'Background' },
          );
          // a deletion that finalizers hold back answers with the object, deletionTimestamp set
          if (result.metadata?.deletionTimestamp) countRemaining(tally, resourceName, result.metadata.finalizers);
        } catch (err) {
          if (isNotFound(err)) continue;
          this.logger.warn({ err, cluster, namespace, name: cached.name }, 'deleting namespace content failed');
          deleteError ??= err instanceof Error ? err.message : String(err);
        }
      }
      if (deleteError !== undefined) tally.deleteErrors.push(deleteError);
    }
    const spec = (ns.object['spec'] ?? {}) as { finalizers?: string[] };
    const specFinalizers = spec.finalizers ?? [];
    let resourceVersion = ns.object.metadata.resourceVersion;
    // upstream leaves a namespace whose spec.finalizers are all gone alone
    if (specFinalizers.length > 0) {
      const written = await this.updateConditions(cluster, ns.object, namespaceDeletionConditions(tally));
      if (written === 'gone') return 'done';
      if (written !== 'unchanged') resourceVersion = written.resourceVersion;
    }
    if (cachedObjects > 0) return 'requeue';
    const finalizers = specFinalizers.filter((f) => f !== NAMESPACE_FINALIZER);
    if (finalizers.length === specFinalizers.length) return 'done';
    try {
      await this.client.update(`/clusters/${cluster}/api/v1/namespaces/${namespace}/finalize`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, resourceVersion },
        spec: { finalizers },
      });
    } catch (err) {
      if (isNotFound(err)) return 'done';
      throw err;
    }
    return 'done';
  }

  /**
   * Writes the deletion conditions to the namespace's status when they differ
   * from the stored ones (upstream's rule), and returns the new
   * resourceVersion, `'gone'` if the namespace is, or `'unchanged'` when
   * nothing was written. Unlike upstream, a namespace that never had any of
   * them, has nothing to report and goes as soon as its `kubernetes`
   * finalizer is removed gets none: upstream writes five `False` conditions
   * just before finalizing it, a write per deleted namespace nobody sees.
   */
  private async updateConditions(cluster: ClusterName, ns: Obj, desired: NamespaceCondition[]): Promise<{ resourceVersion: string | undefined } | 'gone' | 'unchanged'> {
    const status = (ns['status'] ?? {}) as { conditions?: NamespaceCondition[] };
    const stored = status.conditions ?? [];
    if (allDeletionConditionsFine(desired) && goesOnceFinalized(ns) && !stored.some((c) => OWNED_CONDITION_TYPES.has(c.type))) return 'unchanged';
    const conditions = mergeNamespaceConditions(stored, desired, nowTimestamp());
    if (!conditions) return 'unchanged';
    const name = ns.metadata.name ?? '';
    try {
      const updated = await this.client.update<Obj>(`/clusters/${cluster}/api/v1/namespaces/${name}/status`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, resourceVersion: ns.metadata.resourceVersion },
        status: { ...status, conditions },
      });
      return { resourceVersion: updated.metadata.resourceVersion };
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      // as upstream, a failed status write does not hold deletion up; a conflict means a newer namespace is on its way
      if (isConflict(err)) this.logger.debug({ err, cluster, namespace: name }, 'updating namespace status conditions conflicted');
      else this.logger.warn({ err, cluster, namespace: name }, 'updating namespace status conditions failed');
      return 'unchanged';
    }
  }
}

const OWNED_CONDITION_TYPES: ReadonlySet<string> = new Set(NAMESPACE_DELETION_CONDITION_TYPES);

/** Counts one remaining instance of `resourceName` and its finalizers. */
function countRemaining(tally: { remainingByResource: Map<string, number>; remainingByFinalizer: Map<string, number> }, resourceName: string, finalizers: readonly string[] = []): void {
  tally.remainingByResource.set(resourceName, (tally.remainingByResource.get(resourceName) ?? 0) + 1);
  for (const f of finalizers) tally.remainingByFinalizer.set(f, (tally.remainingByFinalizer.get(f) ?? 0) + 1);
}

/** Whether removing the `kubernetes` finalizer lets the namespace go (no other spec or metadata finalizers). */
function goesOnceFinalized(ns: Obj): boolean {
  const specFinalizers = ((ns['spec'] ?? {}) as { finalizers?: string[] }).finalizers ?? [];
  return specFinalizers.every((f) => f === NAMESPACE_FINALIZER) && (ns.metadata.finalizers ?? []).length === 0;
}
