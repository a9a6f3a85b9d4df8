import { isConflict, isNotFound, jsonEqual } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { KeyQueue } from '../controllers/queue';
import { resourcePath } from '../controllers/namespace-controller';
import type { ResourceRegistry } from '../registry/resource-registry';
import { nowTimestamp } from '../rest/metadata';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import type { WatchCache } from '../watch/watch-cache';
import { crdCondition, crdConditionTrue, setCrdCondition } from './crd-resource';
import {
  CRD_CLEANUP_FINALIZER,
  CRD_GROUP,
  CRD_RESOURCE,
  type CustomResourceDefinition,
  type CustomResourceDefinitionCondition,
  type CustomResourceDefinitionStatus,
  type CustomResourceNames,
} from './types';

/** How the controller reaches the custom resources of a CRD being deleted. */
export interface CustomResourceLister {
  lookup(cluster: ClusterName, group: string, version: string, resource: string): { cache?: { objects(cluster: ClusterName): Iterable<{ namespace: string; name: string }> } } | undefined;
}

/** The names and conditions a CRD's status should have, given the other CRDs of its group in its cluster. */
export function calculateNamesAndConditions(
  crd: CustomResourceDefinition,
  others: readonly CustomResourceDefinition[],
  now: string,
): CustomResourceDefinitionStatus {
  const usedResources = new Set<string>();
  const usedKinds = new Set<string>();
  for (const other of others) {
    const names = other.status?.acceptedNames;
    if (!names) continue;
    usedResources.add(names.plural);
    if (names.singular) usedResources.add(names.singular);
    for (const short of names.shortNames ?? []) usedResources.add(short);
    usedKinds.add(names.kind);
    if (names.listKind) usedKinds.add(names.listKind);
  }
  const requested = crd.spec.names;
  const accepted: { -readonly [K in keyof CustomResourceNames]: CustomResourceNames[K] } = { ...(crd.status?.acceptedNames ?? { plural: '', kind: '' }) };
  let conflict: { reason: string; message: string } | undefined;
  const inUse = (name: string) => `"${name}" is already in use`;
  if (usedResources.has(requested.plural)) conflict ??= { reason: 'PluralConflict', message: inUse(requested.plural) };
  else accepted.plural = requested.plural;
  const singular = requested.singular || requested.kind.toLowerCase();
  if (usedResources.has(singular)) conflict ??= { reason: 'SingularConflict', message: inUse(singular) };
  else accepted.singular = singular;
  const taken = (requested.shortNames ?? []).find((s) => usedResources.has(s));
  if (taken !== undefined) conflict ??= { reason: 'ShortNamesConflict', message: inUse(taken) };
  else accepted.shortNames = [...(requested.shortNames ?? [])];
  if (usedKinds.has(requested.kind)) conflict ??= { reason: 'KindConflict', message: inUse(requested.kind) };
  else accepted.kind = requested.kind;
  const listKind = requested.listKind || `${requested.kind}List`;
  if (usedKinds.has(listKind)) conflict ??= { reason: 'ListKindConflict', message: inUse(listKind) };
  else accepted.listKind = listKind;
  accepted.categories = [...(requested.categories ?? [])];
  if (accepted.shortNames?.length === 0) delete accepted.shortNames;
  if (accepted.categories?.length === 0) delete accepted.categories;

  let conditions: CustomResourceDefinitionCondition[] = [...(crd.status?.conditions ?? [])];
  conditions = setCrdCondition(
    conditions,
    conflict ? { type: 'NamesAccepted', status: 'False', ...conflict } : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    now,
  );
  const established = crdConditionTrue(crd, 'Established');
  if (!conflict || established) {
    conditions = setCrdCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
  } else {
    conditions = setCrdCondition(conditions, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
  }
  return { ...crd.status, acceptedNames: accepted, conditions };
}

/**
 * kube-apiextensions-apiserver's naming, establishing and finalizing
 * controllers for every logical cluster, with one cache watcher and one
 * queue: names are accepted unless another CRD of the same group in the
 * cluster holds them, a CRD is Established once its names are accepted, and
 * a deleted CRD has its custom resources deleted before the cleanup
 * finalizer is removed.
 */
export class CustomResourceDefinitionController {
  private readonly queue = new KeyQueue({ baseDelayMs: 50, maxDelayMs: 5_000 });

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly resources: CustomResourceLister,
    private readonly client: LoopbackClient,
    private readonly logger: Logger,
  ) {}

  private crdCache(): WatchCache | undefined {
    return this.registry.lookup('*', CRD_GROUP, 'v1', CRD_RESOURCE)?.cache;
  }

  async run(signal: AbortSignal): Promise<void> {
    const cache = this.crdCache();
    if (!cache) return;
    await cache.whenReady();
    const stopObserving = cache.observe((event) => this.enqueueGroup(event.object.cluster, event.object.object as unknown as CustomResourceDefinition, event.object.name));
    for (const cached of cache.objects('*')) this.queue.add(`${cached.cluster}|${cached.name}`);
    try {
      await this.queue.run(signal, 2, (key) => this.sync(key));
    } finally {
      stopObserving();
    }
  }

  /** A change to one CRD can free or take names of the others of its group. */
  private enqueueGroup(cluster: ClusterName, crd: CustomResourceDefinition, name: string): void {
    this.queue.add(`${cluster}|${name}`);
    const cache = this.crdCache()!;
    for (const other of cache.objects(cluster)) {
      if (other.name !== name && (other.object as unknown as CustomResourceDefinition).spec?.group === crd.spec?.group) this.queue.add(`${cluster}|${other.name}`);
    }
  }

  private async sync(key: string): Promise<'done' | 'requeue'> {
    const [cluster, name] = key.split('|') as [ClusterName, string];
    const cache = this.crdCache()!;
    const cached = cache.get(cluster, `${cache.prefix}${cluster}/${name}`);
    if (!cached) return 'done';
    const crd = cached.object as unknown as CustomResourceDefinition;
    try {
      if (crd.metadata.deletionTimestamp) return await this.finalize(cluster, crd);
      return await this.updateNames(cluster, crd, cache.objects(cluster));
    } catch (err) {
      if (isNotFound(err)) return 'done';
      if (isConflict(err)) return 'requeue';
      this.logger.warn({ err, cluster, name }, 'syncing CustomResourceDefinition failed');
      return 'requeue';
    }
  }

  private async updateNames(cluster: ClusterName, crd: CustomResourceDefinition, all: Iterable<{ name: string; object: unknown }>): Promise<'done'> {
    const others: CustomResourceDefinition[] = [];
    for (const other of all) {
      const object = other.object as CustomResourceDefinition;
      if (other.name !== crd.metadata.name && object.spec?.group === crd.spec.group) others.push(object);
    }
    const status = calculateNamesAndConditions(crd, others, nowTimestamp());
    if (jsonEqual(status, crd.status ?? {})) return 'done';
    await this.client.update(`/clusters/${cluster}/apis/${CRD_GROUP}/v1/customresourcedefinitions/${crd.metadata.name}/status`, { ...crd, status });
    return 'done';
  }

  /** Deletes the custom resources of a terminating CRD, then releases it (upstream's finalizer controller). */
  private async finalize(cluster: ClusterName, crd: CustomResourceDefinition): Promise<'done' | 'requeue'> {
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return 'done';
    const path = `/clusters/${cluster}/apis/${CRD_GROUP}/v1/customresourcedefinitions/${crd.metadata.name}`;
    const served = crdConditionTrue(crd, 'Established') ? crd.spec.versions.find((v) => v.served) : undefined;
    if (served) {
      const plural = crd.status?.acceptedNames?.plural ?? crd.spec.names.plural;
      const resource = this.resources.lookup(cluster, crd.spec.group, served.name, plural);
      const remaining = [...(resource?.cache?.objects(cluster) ?? [])];
      if (remaining.length > 0) {
        const terminating = crdCondition(crd, 'Terminating');
        if (terminating?.reason !== 'InstanceDeletionInProgress') {
          const conditions = setCrdCondition(
            crd.status?.conditions ?? [],
            { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' },
            nowTimestamp(),
          );
          await this.client.update(`${path}/status`, { ...crd, status: { ...crd.status, conditions } });
        }
        for (const object of remaining) {
          try {
            await this.client.delete(resourcePath(cluster, crd.spec.group, served.name, plural, object.namespace, object.name), { propagationPolicy: 'Background' });
          } catch (err) {
            if (!isNotFound(err)) this.logger.warn({ err, cluster, name: object.name }, 'deleting custom resource failed');
          }
        }
        return 'requeue';
      }
    }
    await this.client.update(path, { ...crd, metadata: { ...crd.metadata, finalizers: (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER) } });
    return 'done';
  }
}
