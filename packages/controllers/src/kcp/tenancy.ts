import type { ApiServer } from '@kcp-ts/apiserver';
import { CORE_GROUP, CORE_VERSION, type LogicalCluster, type Shard, TENANCY_GROUP, TENANCY_VERSION, type Workspace } from '@kcp-ts/apis';
import { type ClusterClient, createClusterClient } from '../client/cluster-client';
import type { Logger } from '../logger';
import { InProcessTransport } from '../transport/in-process-transport';
import { logicalClusterAdmission, workspaceAdmission, workspaceTypeAdmission } from './admission';
import { bootstrapRoot } from './bootstrap';
import { CacheInformer } from './cache-informer';
import { WorkspaceContentAuthorizer } from './content-authorizer';
import { homeWorkspaceInterceptor } from './home-workspaces';
import { LogicalClusterController } from './logicalcluster-controller';
import { RootOnlyProvider, type TenancyDefinitions } from './resources';
import { ShardLoad } from './shard-load';
import { TenancyState } from './tenancy-state';
import { WorkspaceController } from './workspace-controller';
import { WorkspaceResolver } from './workspace-resolver';
import { WorkspaceTypeResolver } from './workspace-types';

/**
 * Workers per tenancy controller. A reconcile mostly waits for its writes to
 * commit, and the store commits the writes that arrive together in one
 * transaction (one fsync): more reconciles in flight make bigger groups, not
 * more CPU work.
 */
export const DEFAULT_TENANCY_WORKERS = 32;

/** The identity of kcp's own controllers inside a shard. */
export const KCP_CONTROLLERS_USER = { username: 'system:kcp:controllers', groups: ['system:masters', 'system:authenticated'] };

export interface TenancyOptions {
  readonly server: ApiServer;
  /** the kcp kinds the server was built with (`extraBuiltins` gets `logicalClusters`, `workspaces`, `workspaceTypes`) */
  readonly definitions: TenancyDefinitions;
  readonly shardName: string;
  /** how clients reach this shard, `https://host:port` */
  readonly externalURL: string;
  readonly logger: Logger;
  /** bootstrap root (the root shard); default true */
  readonly bootstrapRoot?: boolean;
  /** workers per controller (default {@link DEFAULT_TENANCY_WORKERS}) */
  readonly workers?: number;
}

/**
 * kcp's tenancy layer on an API server: Workspaces, WorkspaceTypes and
 * LogicalClusters with their admission, path resolution over the workspace
 * tree, the workspace content authorizer, home workspaces, the root
 * bootstrap, and the controllers that schedule, initialize and delete
 * logical clusters. Construct before the server runs; `run(signal)` after it
 * is ready.
 */
export class Tenancy {
  readonly state: TenancyState;
  readonly resolver: WorkspaceResolver;
  readonly types: WorkspaceTypeResolver;
  readonly client: ClusterClient;
  /** logical clusters per shard, for placement (tracks the LogicalCluster informer once running) */
  private readonly shardLoad = new ShardLoad();

  constructor(private readonly options: TenancyOptions) {
    const { server } = options;
    this.state = new TenancyState(server);
    this.resolver = new WorkspaceResolver(this.state);
    this.types = new WorkspaceTypeResolver(this.state, this.resolver);
    this.client = createClusterClient({ transport: new InProcessTransport({ server, user: KCP_CONTROLLERS_USER, userAgent: 'kcp-ts-controllers' }) }, { retry: false });
    server.setClusterResolver(this.resolver);
    server.addAuthorizer(new WorkspaceContentAuthorizer(server, this.state));
    server.addAdmission(logicalClusterAdmission({ externalURL: options.externalURL }), workspaceAdmission(server, this.state, this.types, this.shardLoad), workspaceTypeAdmission(this.state));
    server.registry.addProvider(new RootOnlyProvider(server, [options.definitions.shards]));
    server.addRequestInterceptor(
      homeWorkspaceInterceptor({ server, state: this.state, types: this.types, client: this.client, shardName: options.shardName, externalURL: options.externalURL }),
    );
    server.clusterBeingDeleted = (cluster) => this.state.logicalCluster(cluster)?.metadata?.deletionTimestamp !== undefined;
  }

  private bootstrapped!: () => void;
  private failed!: (err: unknown) => void;
  private readonly bootstrap = new Promise<void>((resolve, reject) => {
    this.bootstrapped = resolve;
    this.failed = reject;
  });

  /** Resolves once root is bootstrapped (or rejects with why it could not be). */
  whenBootstrapped(): Promise<void> {
    return this.bootstrap;
  }

  /** Bootstraps root (idempotently), then runs the controllers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { options } = this;
    try {
      await this.state.whenReady();
      if (options.bootstrapRoot !== false) {
        await bootstrapRoot({ client: this.client, shardName: options.shardName, externalURL: options.externalURL });
      }
      this.bootstrapped();
    } catch (err) {
      this.failed(err);
      throw err;
    }
    // the controllers read and follow the server's watch caches directly (no second copy, no JSON in between)
    const { registry } = options.server;
    const workspaces = new CacheInformer<Workspace>(registry.builtin(TENANCY_GROUP, TENANCY_VERSION, 'workspaces'), options.logger);
    const logicalClusters = new CacheInformer<LogicalCluster>(registry.builtin(CORE_GROUP, CORE_VERSION, 'logicalclusters'), options.logger);
    this.shardLoad.track(logicalClusters);
    logicalClusters.onRelist(() => this.shardLoad.recount(logicalClusters.list()));
    const workspaceController = new WorkspaceController({
      client: this.client,
      shardClient: (shard: Shard) => {
        if (shard.metadata?.name === options.shardName) return this.client;
        throw new Error(`shard ${JSON.stringify(shard.metadata?.name)} is not reachable from shard ${JSON.stringify(options.shardName)}`);
      },
      state: this.state,
      types: this.types,
      workspaces,
      logicalClusters,
      shardLoad: this.shardLoad,
      logger: options.logger,
      workers: options.workers ?? DEFAULT_TENANCY_WORKERS,
    });
    const logicalClusterController = new LogicalClusterController({
      server: options.server,
      client: this.client,
      logicalClusters,
      logger: options.logger,
      workers: options.workers ?? DEFAULT_TENANCY_WORKERS,
    });
    await Promise.all([workspaces.run(signal), logicalClusters.run(signal), workspaceController.run(signal), logicalClusterController.run(signal)]);
  }
}
