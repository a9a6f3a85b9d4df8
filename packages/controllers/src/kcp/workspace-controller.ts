import { isAlreadyExists, isConflict, isNotFound } from '@kcp-ts/apimachinery';
import {
  LOGICAL_CLUSTER_DELETION_FINALIZER,
  LOGICAL_CLUSTER_FINALIZER,
  LOGICAL_CLUSTER_NAME,
  LOGICAL_CLUSTER_SHARD_ANNOTATION,
  LOGICAL_CLUSTER_TYPE_ANNOTATION,
  type LogicalCluster,
  REQUIRED_GROUPS_ANNOTATION,
  type Shard,
  WORKSPACE_CLUSTER_ANNOTATION,
  WORKSPACE_INITIALIZED,
  WORKSPACE_INITIALIZED_INITIALIZER_EXISTS,
  WORKSPACE_OWNER_ANNOTATION,
  WORKSPACE_REASON_UNSCHEDULABLE,
  WORKSPACE_SCHEDULED,
  type Workspace,
  initializerForType,
  withCondition,
  terminatorForType,
} from '@kcp-ts/apis';
import { type ClusterName, PATH_ANNOTATION, joinClusterPath } from '@kcp-ts/logicalcluster';
import type { ClusterClient } from '../client/cluster-client';
import { Controller } from '../controller/controller';
import { parseObjectKey } from '../informer/keys';
import type { ObjectSource } from './cache-informer';
import type { Logger } from '../logger';
import { LOGICAL_CLUSTERS, WORKSPACES } from './refs';
import { ShardLoad } from './shard-load';
import { isPlaced, placeWorkspace, withPlacement } from './workspace-placement';
import type { TenancyState } from './tenancy-state';
import type { WorkspaceTypeResolver } from './workspace-types';

export interface WorkspaceControllerOptions {
  /** a privileged client into this shard (in-process) */
  readonly client: ClusterClient;
  /** a privileged client into the shard named (itself included) */
  readonly shardClient: (shard: Shard) => ClusterClient;
  readonly state: TenancyState;
  readonly types: WorkspaceTypeResolver;
  readonly workspaces: ObjectSource<Workspace>;
  readonly logicalClusters: ObjectSource<LogicalCluster>;
  readonly logger: Logger;
  readonly workers?: number;
  readonly now?: () => Date;
  /** the shards' loads, tracking `logicalClusters` (default: a new one) */
  readonly shardLoad?: ShardLoad;
}

/**
 * kcp's `kcp-workspace` controller: schedules a Workspace onto a shard and a
 * fresh logical cluster (seed 001: random name → consistent hashing → create
 * the LogicalCluster on that shard, a new name on a conflict), mirrors the
 * LogicalCluster's phase, and deletes the LogicalCluster when the Workspace is
 * deleted (the Workspace goes once its content is gone).
 */
export class WorkspaceController {
  readonly controller: Controller;
  private readonly now: () => Date;
  private readonly shardLoad: ShardLoad;

  constructor(private readonly options: WorkspaceControllerOptions) {
    this.now = options.now ?? (() => new Date());
    if (options.shardLoad) {
      this.shardLoad = options.shardLoad;
    } else {
      this.shardLoad = new ShardLoad();
      this.shardLoad.track(options.logicalClusters);
    }
    this.controller = new Controller({
      name: 'kcp-workspace',
      informers: [options.workspaces as never],
      reconcile: (key) => this.reconcile(key),
      workers: options.workers ?? 4,
      logger: options.logger,
    });
    // a LogicalCluster's changes move its Workspace along
    options.logicalClusters.addEventHandler({
      onAdd: (lc) => this.enqueueOwner(lc),
      onUpdate: (_, lc) => this.enqueueOwner(lc),
      onDelete: (lc) => this.enqueueOwner(lc),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }

  private enqueueOwner(lc: LogicalCluster): void {
    const owner = lc.spec?.owner;
    if (owner?.resource === 'workspaces' && owner.cluster && owner.name) this.controller.enqueue(`${owner.cluster}|${owner.name}`);
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const ws = this.options.workspaces.get(key);
    if (!ws) return;
    const parent = parseObjectKey(key).cluster as ClusterName;
    if (ws.metadata?.deletionTimestamp) return this.reconcileDeletion(parent, ws);
    if (!isPlaced(ws)) return this.place(parent, ws);
    const clusterName = ws.metadata!.annotations![WORKSPACE_CLUSTER_ANNOTATION] as ClusterName;
    const lc = this.options.state.logicalCluster(clusterName);
    if (ws.spec?.cluster !== clusterName || !lc || lc.spec?.owner?.uid !== ws.metadata?.uid) return this.schedule(parent, ws, clusterName);
    return this.setStatus(parent, ws, (status) => this.scheduledStatus(status, lc));
  }

  private workspaces(cluster: ClusterName) {
    return this.options.client.cluster(cluster).resource<Workspace>(WORKSPACES);
  }

  private shardOf(ws: Workspace): Shard | undefined {
    const name = ws.metadata?.annotations?.[LOGICAL_CLUSTER_SHARD_ANNOTATION];
    return [...this.options.state.shards()].find((s) => s.metadata?.name === name);
  }

  /** Phase 1 (usually done by admission, in the create): pick a cluster name and a shard and persist them. */
  private async place(parent: ClusterName, ws: Workspace): Promise<{ requeueAfterMs?: number } | void> {
    const placement = placeWorkspace(ws, this.options.state, this.shardLoad);
    if (!placement) {
      await this.setStatus(parent, ws, (status) => ({
        ...status,
        phase: status.phase ?? 'Scheduling',
        conditions: withCondition(status.conditions ?? [], { type: WORKSPACE_SCHEDULED, status: 'False', reason: WORKSPACE_REASON_UNSCHEDULABLE, severity: 'Error', message: 'No available shards to schedule the workspace' }, { now: this.now }),
      }));
      return { requeueAfterMs: 5_000 };
    }
    await this.workspaces(parent).update({ ...ws, metadata: withPlacement(ws.metadata ?? {}, placement) });
    // the update brings the workspace back
  }

  /**
   * Phase 2: create the LogicalCluster on its shard (admission has it start
   * Initializing), point `spec.cluster` and `spec.URL` at it (admission
   * already did when it drew the name), and record Scheduled.
   */
  private async schedule(parent: ClusterName, ws: Workspace, clusterName: ClusterName): Promise<{ requeueAfterMs?: number } | void> {
    const shard = this.shardOf(ws);
    if (!shard) return { requeueAfterMs: 2_000 };
    const shardName = shard.metadata?.name ?? '';
    const shardClient = this.options.shardClient(shard).cluster(clusterName).resource<LogicalCluster>(LOGICAL_CLUSTERS);
    const canonicalPath = joinClusterPath(this.options.state.canonicalPath(parent), ws.metadata?.name ?? '');
    let lc: LogicalCluster;
    try {
      lc = await shardClient.create(this.desiredLogicalCluster(parent, ws, canonicalPath, shardName));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      lc = await shardClient.get(LOGICAL_CLUSTER_NAME);
      if (lc.spec?.owner?.uid !== ws.metadata?.uid) {
        // the name is taken by someone else: draw a new one
        const { [WORKSPACE_CLUSTER_ANNOTATION]: _taken, ...annotations } = ws.metadata?.annotations ?? {};
        const { cluster: _cluster, URL: _url, ...spec } = ws.spec ?? {};
        await this.workspaces(parent).update({ ...ws, metadata: { ...ws.metadata, annotations }, spec: ws.spec?.cluster === clusterName ? spec : ws.spec ?? {} });
        return;
      }
    }
    const base = shard.spec?.externalURL ?? shard.spec?.baseURL ?? '';
    if (lc.status?.phase === undefined || lc.status.phase === 'Scheduling') {
      lc = await shardClient.updateStatus({ ...lc, status: { ...lc.status, phase: 'Initializing', URL: `${base}/clusters/${clusterName}` } });
    }
    const url = `${base}/clusters/${canonicalPath}`;
    const updated = ws.spec?.cluster === clusterName && ws.spec.URL === url ? ws : await this.workspaces(parent).update({ ...ws, spec: { ...ws.spec, cluster: clusterName, URL: url } });
    // scheduled, and already where the LogicalCluster is (Initializing, its initializers): one status write
    await this.setStatus(parent, updated, (status) => this.scheduledStatus(status, lc));
  }

  private desiredLogicalCluster(parent: ClusterName, ws: Workspace, canonicalPath: string, shardName: string): LogicalCluster {
    const annotations = ws.metadata?.annotations ?? {};
    const typeRef = ws.spec?.type ?? { name: 'universal', path: 'root' };
    const type = this.options.types.get(typeRef.path ?? 'root', typeRef.name);
    const aliases = type ? this.options.types.aliases(type) : [];
    const initializers = [...new Set(aliases.filter((t) => t.spec?.initializer).map(initializerForType))];
    const terminators = [...new Set(aliases.filter((t) => t.spec?.terminator).map(terminatorForType))];
    const owner = annotations[WORKSPACE_OWNER_ANNOTATION];
    let createdBy: Record<string, unknown> | undefined;
    try {
      createdBy = owner ? (JSON.parse(owner) as Record<string, unknown>) : undefined;
    } catch {
      createdBy = undefined;
    }
    return {
      apiVersion: 'core.kcp.io/v1alpha1',
      kind: 'LogicalCluster',
      metadata: {
        name: LOGICAL_CLUSTER_NAME,
        annotations: {
          [PATH_ANNOTATION]: canonicalPath,
          [LOGICAL_CLUSTER_TYPE_ANNOTATION]: `${typeRef.path ?? 'root'}:${typeRef.name}`,
          [LOGICAL_CLUSTER_SHARD_ANNOTATION]: shardName,
          ...(owner ? { [WORKSPACE_OWNER_ANNOTATION]: owner } : {}),
          ...(annotations[REQUIRED_GROUPS_ANNOTATION] ? { [REQUIRED_GROUPS_ANNOTATION]: annotations[REQUIRED_GROUPS_ANNOTATION] } : {}),
        },
        finalizers: [LOGICAL_CLUSTER_DELETION_FINALIZER],
      },
      spec: {
        owner: { apiVersion: 'tenancy.kcp.io/v1alpha1', resource: 'workspaces', name: ws.metadata?.name ?? '', cluster: parent, uid: ws.metadata?.uid ?? '' },
        ...(createdBy ? { createdBy } : {}),
        ...(initializers.length > 0 ? { initializers } : {}),
        ...(terminators.length > 0 ? { terminators } : {}),
      },
    } as LogicalCluster;
  }

  /** Scheduled, and the phase, initializers and Initialized condition of the LogicalCluster (Initializing until it is Ready). */
  private scheduledStatus(current: NonNullable<Workspace['status']>, lc: LogicalCluster): NonNullable<Workspace['status']> {
    return this.phaseStatus({ ...current, conditions: withCondition(current.conditions ?? [], { type: WORKSPACE_SCHEDULED, status: 'True' }, { now: this.now }) }, lc);
  }

  /** The Workspace's phase, initializers and Initialized condition, as its LogicalCluster's status has them. */
  private phaseStatus(current: NonNullable<Workspace['status']>, lc: LogicalCluster): NonNullable<Workspace['status']> {
    const phase = lc.status?.phase === 'Ready' || lc.status?.phase === 'Inactive' ? lc.status.phase : 'Initializing';
    const initializers = lc.status?.initializers ?? [];
    const { initializers: _previous, ...status } = current;
    return {
      ...status,
      phase,
      ...(initializers.length > 0 ? { initializers } : {}),
      conditions: withCondition(
        status.conditions ?? [],
        initializers.length > 0
          ? { type: WORKSPACE_INITIALIZED, status: 'False', reason: WORKSPACE_INITIALIZED_INITIALIZER_EXISTS, severity: 'Info', message: `Initializers still exist: ${JSON.stringify(initializers)}` }
          : { type: WORKSPACE_INITIALIZED, status: 'True' },
        { now: this.now },
      ),
    };
  }

  /** Delete the LogicalCluster (its content goes first), then let the Workspace go. */
  private async reconcileDeletion(parent: ClusterName, ws: Workspace): Promise<{ requeueAfterMs?: number } | void> {
    if (!(ws.metadata?.finalizers ?? []).includes(LOGICAL_CLUSTER_FINALIZER)) return;
    const cluster = (ws.spec?.cluster ?? ws.metadata?.annotations?.[WORKSPACE_CLUSTER_ANNOTATION]) as ClusterName | undefined;
    const shard = this.shardOf(ws);
    if (cluster && shard) {
      const lcs = this.options.shardClient(shard).cluster(cluster).resource<LogicalCluster>(LOGICAL_CLUSTERS);
      // the local cache answers for this shard's clusters; an absent one is confirmed by the shard itself
      let lc: LogicalCluster | undefined = this.options.state.logicalCluster(cluster);
      if (!lc) {
        try {
          lc = await lcs.get(LOGICAL_CLUSTER_NAME);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      if (lc && lc.spec?.owner?.uid === ws.metadata?.uid) {
        if (!lc.metadata?.deletionTimestamp) await lcs.delete(LOGICAL_CLUSTER_NAME, { propagationPolicy: 'Background' });
        const phase = (lc.status?.terminators ?? []).length > 0 ? 'Terminating' : 'Deleting';
        if (ws.status?.phase !== phase) await this.setStatus(parent, ws, (status) => ({ ...status, phase }));
        return; // the LogicalCluster's disappearance brings the workspace back
      }
    }
    // the content is gone: the workspace may go
    try {
      await this.workspaces(parent).update({
        ...ws,
        metadata: { ...ws.metadata, finalizers: (ws.metadata?.finalizers ?? []).filter((f) => f !== LOGICAL_CLUSTER_FINALIZER) },
      } as Workspace);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async setStatus(cluster: ClusterName, ws: Workspace, change: (status: NonNullable<Workspace['status']>) => NonNullable<Workspace['status']>): Promise<void> {
    const next = change(ws.status ?? {});
    if (JSON.stringify(stripTimes(next)) === JSON.stringify(stripTimes(ws.status ?? {}))) return;
    try {
      await this.workspaces(cluster).updateStatus({ ...ws, status: next });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}

function stripTimes(status: object): unknown {
  return JSON.parse(JSON.stringify(status, (k, v: unknown) => (k === 'lastTransitionTime' ? undefined : v)));
}
