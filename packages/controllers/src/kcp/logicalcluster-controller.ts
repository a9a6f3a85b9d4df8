import { isAlreadyExists, isConflict, isNotFound } from '@kcp-ts/apimachinery';
import type { ApiServer, CacheWatcher } from '@kcp-ts/apiserver';
import {
  LOGICAL_CLUSTER_DELETION_FINALIZER,
  LOGICAL_CLUSTER_NAME,
  type LogicalCluster,
  WORKSPACE_OWNER_ANNOTATION,
  withoutEntry,
} from '@kcp-ts/apis';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ClusterClient } from '../client/cluster-client';
import { Controller } from '../controller/controller';
import { parseObjectKey } from '../informer/keys';
import type { ObjectSource } from './cache-informer';
import type { Logger } from '../logger';
import { CLUSTER_ROLE_BINDINGS, LOGICAL_CLUSTERS, NAMESPACES } from './refs';

function withoutInitializers(status: LogicalCluster['status']): NonNullable<LogicalCluster['status']> {
  const { initializers: _done, ...rest } = status ?? {};
  return rest;
}

/** The initializer of the `universal` WorkspaceType, which every built-in type extends. */
export const UNIVERSAL_INITIALIZER = 'root:universal';
/** Namespaces the universal initializer creates (upstream `config/universal`). */
const UNIVERSAL_NAMESPACES = ['default', 'kube-system'];

export interface LogicalClusterControllerOptions {
  readonly server: ApiServer;
  /** a privileged client into this shard (in-process) */
  readonly client: ClusterClient;
  readonly logicalClusters: ObjectSource<LogicalCluster>;
  readonly logger: Logger;
  readonly workers?: number;
}

/**
 * The lifecycle of the logical clusters of this shard, in one controller
 * (upstream splits it over `kcp-logicalcluster`, the universal bootstrap
 * initializer, `kcp-tenancy-logicalcluster` and `kcp-logicalcluster-deletion`):
 * - Initializing: the `root:universal` initializer creates the `default`
 *   and `kube-system` namespaces and removes itself; the creator gets the `workspace-admin`
 *   ClusterRoleBinding to cluster-admin; with no initializer left the
 *   cluster becomes Ready (in the same status write as the last removal);
 * - deleted: Deleting, every object of the cluster is deleted (namespaces
 *   with their content, child workspaces with their subtrees), then the
 *   deletion finalizer goes and so does the LogicalCluster.
 */
export class LogicalClusterController {
  readonly controller: Controller;

  constructor(private readonly options: LogicalClusterControllerOptions) {
    this.controller = new Controller({
      name: 'kcp-logicalcluster',
      informers: [options.logicalClusters as never],
      reconcile: (key) => this.reconcile(key),
      workers: options.workers ?? 4,
      logger: options.logger,
    });
  }

  /**
   * Runs until `signal` aborts. A LogicalCluster being deleted waits for its
   * namespaces and child workspaces to go, which takes their own controllers'
   * time (a child workspace waits for its whole subtree): their disappearance,
   * seen on the watch caches, brings it back, instead of a poll per cluster.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { server } = this.options;
    const watched = [server.registry.builtin('', 'v1', 'namespaces').cache, server.registry.builtin('tenancy.kcp.io', 'v1alpha1', 'workspaces').cache];
    const watcher: CacheWatcher = {
      cluster: '*',
      deliver: (event) => {
        if (event.type === 'DELETED') {
          const key = `${event.object.cluster}|${LOGICAL_CLUSTER_NAME}`;
          if (this.options.logicalClusters.get(key)?.metadata?.deletionTimestamp) this.controller.enqueue(key);
        }
        return true;
      },
      stop: () => {},
    };
    for (const cache of watched) cache.addWatcher(watcher);
    try {
      await this.controller.run(signal);
    } finally {
      for (const cache of watched) cache.removeWatcher(watcher);
    }
  }

  private lcs(cluster: ClusterName) {
    return this.options.client.cluster(cluster).resource<LogicalCluster>(LOGICAL_CLUSTERS);
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const lc = this.options.logicalClusters.get(key);
    if (!lc) return;
    const cluster = parseObjectKey(key).cluster as ClusterName;
    if (lc.metadata?.deletionTimestamp) return this.reconcileDeletion(cluster, lc);
    if (lc.status?.phase !== 'Initializing') return;
    await this.ensureOwnerAdmin(cluster, lc);
    let initializers = lc.status?.initializers ?? [];
    if (initializers.includes(UNIVERSAL_INITIALIZER)) {
      for (const name of UNIVERSAL_NAMESPACES) await this.createIfAbsent(cluster, NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      initializers = withoutEntry(initializers, UNIVERSAL_INITIALIZER);
    }
    if (initializers.length === (lc.status?.initializers ?? []).length && initializers.length > 0) return; // waiting for other initializers
    try {
      await this.lcs(cluster).updateStatus({
        ...lc,
        status: initializers.length === 0 ? { ...withoutInitializers(lc.status), phase: 'Ready' } : { ...lc.status, initializers },
      });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }

  /** The creator becomes the workspace's admin (`workspace-admin` → cluster-admin). */
  private async ensureOwnerAdmin(cluster: ClusterName, lc: LogicalCluster): Promise<void> {
    const owner = lc.metadata?.annotations?.[WORKSPACE_OWNER_ANNOTATION];
    if (!owner) return;
    let username: string | undefined;
    try {
      username = (JSON.parse(owner) as { username?: string }).username;
    } catch {
      return;
    }
    if (!username || username.startsWith('system:kcp-bootstrapper')) return;
    await this.createIfAbsent(cluster, CLUSTER_ROLE_BINDINGS, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'workspace-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: username }],
    });
  }

  private async createIfAbsent(cluster: ClusterName, ref: typeof NAMESPACES, object: { apiVersion: string; kind: string; metadata: { name: string } } & Record<string, unknown>): Promise<void> {
    try {
      await this.options.client.cluster(cluster).resource(ref).create(object as never);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** Content first (everything the cluster serves), then the finalizer. */
  private async reconcileDeletion(cluster: ClusterName, lc: LogicalCluster): Promise<{ requeueAfterMs?: number } | void> {
    if (!(lc.metadata?.finalizers ?? []).includes(LOGICAL_CLUSTER_DELETION_FINALIZER)) return;
    const phase = (lc.status?.terminators ?? []).length > 0 ? 'Terminating' : 'Deleting';
    if (lc.status?.phase !== phase) {
      try {
        lc = await this.lcs(cluster).updateStatus({ ...lc, status: { ...lc.status, phase } });
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        return; // a newer version brings it back
      }
    }
    if (phase === 'Terminating') return; // terminators act first
    const { remaining, others } = await this.deleteContent(cluster);
    // namespaces and workspaces take their controllers' time and their deletion brings this cluster
    // back (see run); anything else that lingers (finalizers of other controllers) is polled
    if (others > 0) return { requeueAfterMs: 200 };
    if (remaining > 0) return { requeueAfterMs: SAFETY_RECHECK_MS };
    try {
      await this.lcs(cluster).update({
        ...lc,
        metadata: { ...lc.metadata, finalizers: (lc.metadata?.finalizers ?? []).filter((f) => f !== LOGICAL_CLUSTER_DELETION_FINALIZER) },
      } as LogicalCluster);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * Deletes every object of the cluster but its LogicalCluster, straight from
   * the watch caches of every resource it serves (up to
   * {@link DELETE_CONCURRENCY} deletes at a time, so they share commits);
   * returns how many remain, and how many of those are neither namespaces
   * nor workspaces.
   */
  private async deleteContent(cluster: ClusterName): Promise<{ remaining: number; others: number }> {
    const { server } = this.options;
    let remaining = 0;
    let others = 0;
    const deletes: (() => Promise<void>)[] = [];
    const seen = new Set<string>();
    for (const served of server.registry.resources(cluster)) {
      const { definition, cache } = served;
      if (!cache || !definition.storage || seen.has(definition.storage.prefix)) continue;
      if (definition.storage.storageApiVersion !== (definition.group === '' ? definition.version : `${definition.group}/${definition.version}`)) continue;
      seen.add(definition.storage.prefix);
      if (definition.group === 'core.kcp.io' && definition.resource === 'logicalclusters') continue;
      const watched = (definition.group === '' && definition.resource === 'namespaces') || (definition.group === 'tenancy.kcp.io' && definition.resource === 'workspaces');
      const resource = this.options.client.cluster(cluster).resource({ group: definition.group, version: definition.version, resource: definition.resource });
      for (const cached of cache.objects(cluster)) {
        remaining++;
        if (!watched) others++;
        if (cached.object.metadata.deletionTimestamp) continue;
        deletes.push(async () => {
          try {
            await (definition.namespaced ? resource.namespace(cached.namespace) : resource).delete(cached.name, { propagationPolicy: 'Background' });
          } catch (err) {
            if (!isNotFound(err)) this.options.logger.warn({ err, cluster, resource: definition.resource, name: cached.name }, 'deleting logical cluster content failed');
          }
        });
      }
    }
    for (let i = 0; i < deletes.length; i += DELETE_CONCURRENCY) await Promise.all(deletes.slice(i, i + DELETE_CONCURRENCY).map((d) => d()));
    return { remaining, others };
  }
}

/** How long a LogicalCluster waiting for its namespaces and workspaces to go waits before it looks again without an event. */
const SAFETY_RECHECK_MS = 10_000;
/** Deletes of one cluster's content in flight at a time. */
const DELETE_CONCURRENCY = 32;
