import { isConflict, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { servedKind } from '../admission/policy/param-kind';
import { type PolicyTypeSource, typeCheckPolicy } from '../admission/policy/type-checking';
import { obj } from '../registry/json';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { Obj } from '../registry/types';
import type { ServedResource } from '../rest/scope';
import type { Logger } from '../server/logger';
import type { LoopbackClient } from '../server/loopback';
import { resourcePath } from './namespace-controller';
import { KeyQueue } from './queue';

const GROUP = 'admissionregistration.k8s.io';
const VERSION = 'v1';
const RESOURCE = 'validatingadmissionpolicies';

/** `metadata.generation` and `status.observedGeneration` of a policy (0 when absent). */
function generations(policy: Obj): { generation: number; observed: number } {
  const generation = policy.metadata.generation;
  const observed = obj(policy['status'])['observedGeneration'];
  return { generation: typeof generation === 'number' ? generation : 0, observed: typeof observed === 'number' ? observed : 0 };
}

/** Whether the status controller has work on `policy`: its generation is past the one its status observed. */
function outOfDate(policy: Obj): boolean {
  const { generation, observed } = generations(policy);
  return generation > observed;
}

/**
 * Upstream's `validatingadmissionpolicy-status` controller (kube-controller-manager;
 * kcp runs it per shard, cluster-aware): when a ValidatingAdmissionPolicy's
 * `metadata.generation` is past `status.observedGeneration`, it type-checks
 * the policy against the kinds it matches in its logical cluster (see
 * `typeCheckPolicy`) and writes `status.observedGeneration` and
 * `status.typeChecking` through `/status`, keeping `status.conditions`.
 * Like upstream it reacts to policy changes only (a CRD created later does
 * not re-check a policy until its spec changes).
 *
 * State: the queue of policies to check. One watcher on the policies' cache
 * for every logical cluster, no timer, nothing per logical cluster.
 */
export class ValidatingAdmissionPolicyStatusController {
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });

  constructor(private readonly registry: ResourceRegistry, private readonly client: LoopbackClient, private readonly logger: Logger) {}

  private get policies(): Required<ServedResource> {
    return this.registry.builtin(GROUP, VERSION, RESOURCE);
  }

  /** Checks policies until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { cache } = this.policies;
    await cache.whenReady();
    const key = (cached: { cluster: ClusterName; name: string }) => `${cached.cluster}|${cached.name}`;
    const stop = cache.observe((event) => {
      if (event.type !== 'DELETED' && outOfDate(event.object.object)) this.queue.add(key(event.object));
    });
    for (const cached of cache.objects('*')) if (outOfDate(cached.object)) this.queue.add(key(cached));
    try {
      await this.queue.run(signal, 2, (queued) => this.sync(queued));
    } finally {
      stop();
    }
  }

  /** The resources of `cluster` as type checking resolves them (upstream's REST mapper and schema resolver). */
  private typeSource(cluster: ClusterName): PolicyTypeSource {
    return {
      resource: (group, version, resource) => this.registry.lookup(cluster, group, version, resource)?.definition,
      kind: (group, version, kind) => servedKind(this.registry, cluster, group, version, kind)?.definition,
    };
  }

  private async sync(queued: string): Promise<'done' | 'requeue'> {
    const separator = queued.indexOf('|');
    const cluster = queued.slice(0, separator) as ClusterName;
    const name = queued.slice(separator + 1);
    const { cache, store } = this.policies;
    const policy = cache.get(cluster, store.key(cluster, '', name))?.object;
    if (!policy || !outOfDate(policy)) return 'done';
    const warnings = typeCheckPolicy(obj(policy['spec']), this.typeSource(cluster));
    const status = obj(policy['status']);
    const next = {
      ...status,
      observedGeneration: generations(policy).generation,
      typeChecking: warnings.length > 0 ? { expressionWarnings: warnings } : {},
    };
    try {
      await this.client.update(`${resourcePath(cluster, GROUP, VERSION, RESOURCE, '', name)}/status`, { ...policy, status: next });
    } catch (err) {
      if (isNotFound(err)) return 'done';
      // the policy changed since it was read: check it again from the newer one
      if (isConflict(err)) return 'requeue';
      this.logger.warn({ err, cluster, name }, 'updating the policy status failed');
      return 'requeue';
    }
    return 'done';
  }
}
