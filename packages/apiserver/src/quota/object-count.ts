import type { Obj } from '../registry/types';
import { obj } from '../registry/json';

/** kcp: a quota in this namespace with {@link CLUSTER_SCOPED_QUOTA_ANNOTATION} covers its whole logical cluster. */
export const CLUSTER_SCOPED_QUOTA_NAMESPACE = 'admin';
/** kcp's annotation (value `"true"`) that makes a quota in {@link CLUSTER_SCOPED_QUOTA_NAMESPACE} cluster-wide. */
export const CLUSTER_SCOPED_QUOTA_ANNOTATION = 'experimental.quota.kcp.io/cluster-scoped';

/** Upstream's `legacyObjectCountAliases`: core resources also counted under their bare name. */
const LEGACY_ALIASES: ReadonlySet<string> = new Set(['configmaps', 'resourcequotas', 'replicationcontrollers', 'secrets']);

/**
 * The quota resource names one object of `group`/`resource` counts against
 * (upstream's object count evaluator): `count/<resource>[.<group>]`, and the
 * bare name for the legacy core aliases (`configmaps`, `secrets`, …).
 */
export function objectCountNames(group: string, resource: string): string[] {
  const count = group === '' ? `count/${resource}` : `count/${resource}.${group}`;
  return group === '' && LEGACY_ALIASES.has(resource) ? [count, resource] : [count];
}

/** The resource a quota resource name counts objects of, if it is an object count. */
export function countedResource(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  return LEGACY_ALIASES.has(name) ? { group: '', resource: name } : undefined;
}

/** Whether a quota covers its logical cluster (kcp's cluster-scoped quota). */
export function isClusterScopedQuota(quota: Obj): boolean {
  return quota.metadata.namespace === CLUSTER_SCOPED_QUOTA_NAMESPACE && quota.metadata.annotations?.[CLUSTER_SCOPED_QUOTA_ANNOTATION] === 'true';
}

/**
 * Whether a quota has scopes (`scopes` or `scopeSelector`). Scopes select
 * pods only: upstream's object count evaluator matches no scoped quota, and
 * counts nothing for one.
 */
export function hasScopes(quota: Obj): boolean {
  const spec = obj(quota['spec']);
  const scopes = spec['scopes'];
  const expressions = obj(spec['scopeSelector'])['matchExpressions'];
  return (Array.isArray(scopes) && scopes.length > 0) || (Array.isArray(expressions) && expressions.length > 0);
}

/** A quota's `status.hard` / `status.used` / `spec.hard` as a name → quantity text map. */
export function resourceList(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, quantity] of Object.entries(obj(value))) if (typeof quantity === 'string') out[name] = quantity;
  return out;
}

/** Upstream's `prettyPrint` of a resource list: `a=1,b=2`, names in order. */
export function prettyPrint(list: Readonly<Record<string, string>>): string {
  return Object.keys(list)
    .sort()
    .map((name) => `${name}=${list[name]}`)
    .join(',');
}
