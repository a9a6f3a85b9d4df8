import { Quantity, isConflict, newForbidden } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission/types';
import { resourcePath } from '../controllers/namespace-controller';
import type { ResourceRegistry } from '../registry/resource-registry';
import { obj } from '../registry/json';
import type { Obj } from '../registry/types';
import type { LoopbackClient } from '../server/loopback';
import { CLUSTER_SCOPED_QUOTA_NAMESPACE, hasScopes, isClusterScopedQuota, objectCountNames, prettyPrint, resourceList } from './object-count';

/** Charging retries when a quota changed between reading and writing it (upstream retries too). */
const MAX_ATTEMPTS = 5;

/**
 * Upstream's `ResourceQuota` admission for object counts (kcp's
 * `KCPKubeResourceQuota`, per logical cluster): a create is checked against
 * every quota of its namespace, and kcp's cluster-scoped quotas of its
 * logical cluster, whose `status.hard` names what it counts
 * (`count/<resource>[.<group>]`, or the legacy `configmaps`, `secrets`, …).
 * Past the limit it is refused (403 `exceeded quota: …`); otherwise each such
 * quota's `status.used` goes up by one before the object is written, so that
 * creates racing each other cannot both pass. Charges of one logical cluster
 * are serialized; the quota controller recounts after deletes.
 *
 * A cluster without quotas costs one empty cache lookup per create.
 */
export function resourceQuotaAdmission(registry: ResourceRegistry, client: () => LoopbackClient): AdmissionPlugin {
  const chains = new Map<ClusterName, Promise<void>>();

  /** Runs `charge` after the charges of `cluster` queued before it; the map entry goes when the chain is idle. */
  const serialized = (cluster: ClusterName, charge: () => Promise<void>): Promise<void> => {
    const previous = chains.get(cluster) ?? Promise.resolve();
    const next = previous.then(charge, charge);
    const tail = next.catch(() => undefined);
    chains.set(cluster, tail);
    void tail.then(() => {
      if (chains.get(cluster) === tail) chains.delete(cluster);
    });
    return next;
  };

  /** The quotas that may count an object of `namespace` ("" for a cluster-scoped object). */
  const candidates = (cluster: ClusterName, namespace: string): Obj[] => {
    const { cache } = registry.builtin('', 'v1', 'resourcequotas');
    const found: Obj[] = [];
    for (const cached of cache.objects(cluster)) {
      if ((namespace !== '' && cached.namespace === namespace) || cached.namespace === CLUSTER_SCOPED_QUOTA_NAMESPACE) {
        const quota = cached.object;
        if (cached.namespace === namespace || isClusterScopedQuota(quota)) found.push(quota);
      }
    }
    return found;
  };

  /** The names among `names` a quota limits (upstream matches on `status.hard`); none for a scoped quota. */
  const limited = (quota: Obj, names: readonly string[]): string[] => {
    if (hasScopes(quota)) return [];
    const hard = resourceList(obj(quota['status'])['hard']);
    return names.filter((name) => hard[name] !== undefined);
  };

  const charge = async (attributes: AdmissionAttributes, names: readonly string[]): Promise<void> => {
    const { store } = registry.builtin('', 'v1', 'resourcequotas');
    const { group, resource } = attributes.definition;
    const refuse = (message: string) => newForbidden({ group, resource }, attributes.name, message);
    // quotas charged by an earlier attempt (a later quota's write conflicted): not charged twice
    const charged = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      // read the quotas afresh: a charge made just before may not be in the cache yet
      const quotas: Array<{ quota: Obj; used: Record<string, string> }> = [];
      for (const candidate of candidates(attributes.cluster, attributes.namespace)) {
        let quota: Obj;
        try {
          quota = await store.get(attributes.cluster, candidate.metadata.namespace ?? '', candidate.metadata.name ?? '');
        } catch {
          continue; // deleted meanwhile
        }
        const counted = limited(quota, names);
        if (counted.length === 0 || charged.has(quota.metadata.uid ?? '')) continue;
        const status = obj(quota['status']);
        const hard = resourceList(status['hard']);
        const used = resourceList(status['used']);
        const unknown = counted.filter((name) => used[name] === undefined);
        if (unknown.length > 0) {
          throw refuse(`status unknown for quota: ${quota.metadata.name ?? ''}, resources: ${[...counted].sort().join(',')}`);
        }
        const requested: Record<string, string> = {};
        const next: Record<string, string> = { ...used };
        const exceeded: string[] = [];
        for (const name of counted) {
          requested[name] = '1';
          const total = Quantity.parse(used[name]!).add(Quantity.fromInteger(1));
          next[name] = total.toString();
          if (total.cmp(Quantity.parse(hard[name]!)) > 0) exceeded.push(name);
        }
        if (exceeded.length > 0) {
          const mask = (list: Record<string, string>) => Object.fromEntries(exceeded.map((name) => [name, list[name] ?? '0']));
          throw refuse(
            `exceeded quota: ${quota.metadata.name ?? ''}, requested: ${prettyPrint(mask(requested))}, used: ${prettyPrint(mask(used))}, limited: ${prettyPrint(
              mask(hard),
            )}`,
          );
        }
        quotas.push({ quota, used: next });
      }
      // a dry run is checked but charges nothing
      if (quotas.length === 0 || attributes.dryRun) return;
      try {
        for (const { quota, used } of quotas) {
          const namespace = quota.metadata.namespace ?? '';
          const path = `${resourcePath(attributes.cluster, '', 'v1', 'resourcequotas', namespace, quota.metadata.name ?? '')}/status`;
          await client().update(path, {
            ...quota,
            status: { ...obj(quota['status']), used },
          });
          charged.add(quota.metadata.uid ?? '');
        }
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  };

  return {
    name: 'ResourceQuota',
    validate(attributes) {
      if (attributes.operation !== 'CREATE' || attributes.subresource !== '') return;
      // the common case: no quota in the logical cluster
      const quotas = candidates(attributes.cluster, attributes.namespace);
      if (quotas.length === 0) return;
      const names = objectCountNames(attributes.definition.group, attributes.definition.resource);
      if (!quotas.some((quota) => limited(quota, names).length > 0)) return;
      return serialized(attributes.cluster, () => charge(attributes, names));
    },
  };
}
