import { LOGICAL_CLUSTER_SHARD_ANNOTATION, type LogicalCluster } from '@kcp-ts/apis';
import type { ObjectSource } from './cache-informer';

const shardOf = (lc: LogicalCluster) => lc.metadata?.annotations?.[LOGICAL_CLUSTER_SHARD_ANNOTATION];

/**
 * How many logical clusters each shard holds (by their `core.kcp.io/shard`
 * annotation), kept up to date from a LogicalCluster informer's events:
 * placement reads it in O(shards) instead of walking every LogicalCluster for
 * each workspace it schedules.
 */
export class ShardLoad {
  private readonly byShard = new Map<string, number>();
  private informer: ObjectSource<LogicalCluster> | undefined;

  /** Counts from this informer's events on (once). */
  track(informer: ObjectSource<LogicalCluster>): void {
    if (this.informer) throw new Error('ShardLoad already tracks an informer');
    this.informer = informer;
    informer.addEventHandler({
      onAdd: (lc) => this.add(shardOf(lc), 1),
      onUpdate: (old, lc) => {
        if (shardOf(old) === shardOf(lc)) return;
        this.add(shardOf(old), -1);
        this.add(shardOf(lc), 1);
      },
      onDelete: (lc) => this.add(shardOf(lc), -1),
    });
  }

  /** Whether the counts cover every LogicalCluster (the informer has synced). */
  synced(): boolean {
    return this.informer?.hasSynced() ?? false;
  }

  /** Counts these LogicalClusters afresh (after the informer relisted). */
  recount(logicalClusters: Iterable<LogicalCluster>): void {
    this.byShard.clear();
    for (const lc of logicalClusters) this.add(shardOf(lc), 1);
  }

  /** The logical clusters counted on `shard`. */
  load(shard: string): number {
    return this.byShard.get(shard) ?? 0;
  }

  private add(shard: string | undefined, delta: number): void {
    if (shard === undefined) return;
    const next = (this.byShard.get(shard) ?? 0) + delta;
    if (next > 0) this.byShard.set(shard, next);
    else this.byShard.delete(shard);
  }
}
