import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../registry/types';
import { acceptedMediaRanges } from '../rest/negotiate';

/**
 * Orders versions by Kubernetes version priority: GA before beta before
 * alpha, higher numbers first; names that do not follow the convention last,
 * alphabetically (upstream `version.CompareKubeAwareVersionStrings`).
 */
export function compareKubeVersions(a: string, b: string): number {
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (pa && pb) {
    if (pa.rank !== pb.rank) return pb.rank - pa.rank;
    if (pa.major !== pb.major) return pb.major - pa.major;
    return pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseKubeVersion(v: string): { rank: number; major: number; minor: number } | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return undefined;
  return { rank: m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, major: Number(m[1]), minor: m[3] === undefined ? 0 : Number(m[3]) };
}

interface GroupVersions {
  name: string;
  versions: string[];
  byVersion: Map<string, ResourceDefinition[]>;
}

function groupsOf(definitions: readonly ResourceDefinition[]): GroupVersions[] {
  const groups = new Map<string, GroupVersions>();
  for (const d of definitions) {
    let g = groups.get(d.group);
    if (!g) groups.set(d.group, (g = { name: d.group, versions: [], byVersion: new Map() }));
    let list = g.byVersion.get(d.version);
    if (!list) {
      g.byVersion.set(d.version, (list = []));
      g.versions.push(d.version);
    }
    list.push(d);
  }
  for (const g of groups.values()) g.versions.sort(compareKubeVersions);
  return [...groups.values()];
}

function apiResource(d: ResourceDefinition): Record<string, unknown> {
  return {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: [...d.verbs],
    ...(d.shortNames.length > 0 ? { shortNames: [...d.shortNames] } : {}),
    ...(d.categories.length > 0 ? { categories: [...d.categories] } : {}),
    ...(d.storageVersionHash ? { storageVersionHash: d.storageVersionHash } : {}),
  };
}

function subresourceEntries(d: ResourceDefinition): Record<string, unknown>[] {
  return Object.entries(d.subresources).map(([name, sub]) => ({
    name: `${d.resource}/${name}`,
    singularName: '',
    namespaced: d.namespaced,
    ...(sub.kind ? { group: sub.kind.group, version: sub.kind.version, kind: sub.kind.kind } : { kind: d.kind }),
    verbs: [...sub.verbs],
  }));
}

/** The discovery documents of one set of resources (one logical cluster's). */
export class DiscoveryDocuments {
  private readonly groups: GroupVersions[];
  private readonly resourceLists = new Map<string, string>();
  private apiGroupList?: string;
  private aggregatedApis?: { body: string; etag: string };
  private aggregatedCore?: { body: string; etag: string };

  constructor(definitions: readonly ResourceDefinition[]) {
    this.groups = groupsOf(definitions);
  }

  /** `GET /api`: the core versions. */
  apiVersions(serverAddress: string): string {
    return JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
  }

  /** `GET /apis`: every group except core, versions in preference order. */
  groupList(): string {
    this.apiGroupList ??= JSON.stringify({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups
        .filter((g) => g.name !== '')
        .map((g) => ({
          name: g.name,
          versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${g.name}/${g.versions[0]!}`, version: g.versions[0]! },
        })),
    });
    return this.apiGroupList;
  }

  /** `GET /apis/<group>`: one group, or `undefined` when it is not served. */
  group(name: string): string | undefined {
    const g = this.groups.find((x) => x.name === name && name !== '');
    if (!g) return undefined;
    return JSON.stringify({
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: g.name,
      versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.name}/${g.versions[0]!}`, version: g.versions[0]! },
    });
  }

  /** `GET /api/v1` or `/apis/<group>/<version>`, or `undefined` when not served. */
  resourceList(group: string, version: string): string | undefined {
    const key = `${group}/${version}`;
    const cached = this.resourceLists.get(key);
    if (cached !== undefined) return cached;
    const definitions = this.groups.find((g) => g.name === group)?.byVersion.get(version);
    if (!definitions) return undefined;
    const body = JSON.stringify({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : key,
      resources: definitions.flatMap((d) => [apiResource(d), ...subresourceEntries(d)]),
    });
    this.resourceLists.set(key, body);
    return body;
  }

  /** Aggregated discovery (`apidiscovery.k8s.io/v2`) of `/api` (core) or `/apis` (groups). */
  aggregated(core: boolean, version: 'v2' | 'v2beta1'): { body: string; etag: string } {
    const memo = core ? this.aggregatedCore : this.aggregatedApis;
    if (memo && version === 'v2') return memo;
    const items = this.groups
      .filter((g) => (core ? g.name === '' : g.name !== ''))
      .map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          freshness: 'Current',
          resources: g.byVersion.get(v)!.map((d) => ({
            resource: d.resource,
            responseKind: { group: d.group, version: d.version, kind: d.kind },
            scope: d.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: d.singular,
            verbs: [...d.verbs],
            ...(d.shortNames.length > 0 ? { shortNames: [...d.shortNames] } : {}),
            ...(d.categories.length > 0 ? { categories: [...d.categories] } : {}),
            ...(Object.keys(d.subresources).length > 0
              ? {
                  subresources: Object.entries(d.subresources).map(([name, sub]) => ({
                    subresource: name,
                    responseKind: sub.kind ?? { group: d.group, version: d.version, kind: d.kind },
                    verbs: [...sub.verbs],
                  })),
                }
              : {}),
          })),
        })),
      }));
    const body = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items });
    const result = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
    if (version === 'v2') {
      if (core) this.aggregatedCore = result;
      else this.aggregatedApis = result;
    }
    return result;
  }
}

/** Which aggregated discovery version `Accept` asks for, if any (in the order the ranges are tried). */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const { params } of acceptedMediaRanges(accept)) {
    if (params['g'] === 'apidiscovery.k8s.io' && params['as'] === 'APIGroupDiscoveryList') {
      const v = params['v'];
      if (v === 'v2' || v === 'v2beta1') return v;
    }
  }
  return undefined;
}
