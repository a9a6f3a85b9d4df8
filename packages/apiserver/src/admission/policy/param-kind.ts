import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ResourceRegistry } from '../../registry/resource-registry';
import type { ServedResource } from '../../rest/scope';

/** `schema.ParseGroupVersion`: `v1` is the core group, `g/v` a group; more slashes do not parse. */
export function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return undefined;
}

/** The resource serving a kind in a logical cluster (custom resources included), as upstream's resource resolver finds a paramKind's. */
export function servedKind(registry: ResourceRegistry, cluster: ClusterName, group: string, version: string, kind: string): ServedResource | undefined {
  return registry.resources(cluster).find((r) => r.definition.group === group && r.definition.version === version && r.definition.kind === kind);
}
