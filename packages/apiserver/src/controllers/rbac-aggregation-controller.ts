import { jsonEqual } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { type LabelSelector, labelSelectorAsSelector, matches } from '@kcp-ts/topology';
import type { PolicyRule } from '../auth/rbac';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import { KeyQueue } from './queue';

/**
 * ClusterRole aggregation (upstream `clusterrole-aggregation` controller): a
 * ClusterRole with `aggregationRule.clusterRoleSelectors` gets the union of
 * the rules of the ClusterRoles of its logical cluster that match.
 */
export class RbacAggregationController {
  private readonly queue = new KeyQueue();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const { cache } = this.registry.builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles');
    await cache.whenReady();
    const stopObserving = cache.observe((e) => this.queue.add(e.object.cluster));
    const clusters = new Set<string>();
    for (const cached of cache.objects('*')) if (cached.object['aggregationRule']) clusters.add(cached.cluster);
    for (const c of clusters) this.queue.add(c);
    try {
      await this.queue.run(signal, 1, (cluster) => this.sync(cluster as ClusterName));
    } finally {
      stopObserving();
    }
  }

  private async sync(cluster: ClusterName): Promise<'done'> {
    const { cache } = this.registry.builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles');
    const roles = [...cache.objects(cluster)];
    for (const role of roles) {
      const rule = role.object['aggregationRule'] as { clusterRoleSelectors?: LabelSelector[] } | undefined;
      if (!rule) continue;
      const selectors = (rule.clusterRoleSelectors ?? []).map((s) => labelSelectorAsSelector(s));
      const rules: PolicyRule[] = [];
      for (const other of roles.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (other.name === role.name) continue;
        if (!selectors.some((s) => matches(s, other.object.metadata.labels ?? {}))) continue;
        for (const r of (other.object['rules'] as PolicyRule[] | undefined) ?? []) {
          if (!rules.some((existing) => jsonEqual(existing, r))) rules.push(r);
        }
      }
      if (jsonEqual(rules, role.object['rules'] ?? [])) continue;
      await this.client.update(`/clusters/${cluster}/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.name}`, { ...role.object, rules });
    }
    return 'done';
  }
}
