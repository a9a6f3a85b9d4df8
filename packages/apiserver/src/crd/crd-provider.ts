import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Store } from '@kcp-ts/storage';
import type { DynamicResourceProvider, ResourceRegistry } from '../registry/resource-registry';
import { ResourceStore, decodeObject } from '../rest/resource-store';
import type { ServedResource } from '../rest/scope';
import { type CachedObject, type CacheWatcher, WatchCache } from '../watch/watch-cache';
import { crdConditionTrue } from './crd-resource';
import { CustomResourceType, aliasDefinition } from './custom-resource-type';
import type { SchemaCache } from './schema/compiled-schema';
import { CRD_GROUP, CRD_RESOURCE, type CustomResourceDefinition, type CustomResourceTypeSpec, customResourcePrefix } from './types';

/** The custom resource types of one logical cluster: a map entry that goes with its last CRD. */
interface ClusterResources {
  generation: number;
  readonly crds: Map<string, SharedType>;
  byResource: Map<string, ServedResource>;
  list: ServedResource[];
}

/** A compiled type with its served resources, shared by every cluster whose CRD is identical. */
interface SharedType {
  readonly key: string;
  /** the key of what it serves: its spec but for `terminating` (a CRD being deleted still serves its watches) */
  readonly servingKey: string;
  readonly type: CustomResourceType;
  readonly served: readonly ServedResource[];
  refs: number;
}

const gvrKey = (group: string, version: string, resource: string) => `${group}/${version}/${resource}`;
const specKey = (spec: CustomResourceTypeSpec) => createHash('sha256').update(JSON.stringify(spec)).digest('hex');
const NOTHING_SERVED = new Map<string, ServedResource>();

/** The key root storage layouts are written against (a store with another `keyPrefix` gets them rebased). */
const DEFAULT_ROOT = '/registry/';

/** The served-type description of a CRD: its accepted names, scope, versions, storage. */
export function customResourceTypeSpecOf(crd: CustomResourceDefinition): CustomResourceTypeSpec {
  const accepted = crd.status?.acceptedNames ?? crd.spec.names;
  const kind = accepted.kind;
  return {
    group: crd.spec.group,
    names: {
      plural: accepted.plural,
      singular: accepted.singular || kind.toLowerCase(),
      kind,
      listKind: accepted.listKind || `${kind}List`,
      shortNames: [...(accepted.shortNames ?? [])],
      categories: [...(accepted.categories ?? [])],
    },
    namespaced: crd.spec.scope === 'Namespaced',
    versions: crd.spec.versions,
    storagePrefix: customResourcePrefix(crd.spec.group, crd.spec.names.plural),
    terminating: crdConditionTrue(crd, 'Terminating'),
  };
}

/**
 * Serves custom resources per logical cluster from the Established CRDs of
 * that cluster (`DynamicResourceProvider`). State is an index kept from the
 * CRD watch cache: one map entry per cluster that has CRDs, removed with its
 * last CRD; identical CRDs in many clusters share one compiled type (schema
 * validators, definitions). Objects of a group/resource live under one
 * storage prefix with one watch cache for all clusters; a cluster that
 * declares the same group/resource with the other scope gets a cache of its
 * own over the same prefix (the cache parses keys by scope).
 *
 * When a resource stops being served in a cluster (its CRD deleted, the
 * version no longer served) or what it serves changes (another spec or
 * accepted names), the watches of that cluster on it end, as upstream tears
 * down the CRD's storage and every watch with it: clients relist and see the
 * 404 or the new type. A CRD that only becomes Terminating keeps them (its
 * watches see the custom resources' deletions).
 */
export class CustomResourceDefinitionProvider implements DynamicResourceProvider {
  private readonly clusters = new Map<ClusterName, ClusterResources>();
  private readonly shared = new Map<string, SharedType>();
  /** the shared type each served resource comes from */
  private readonly owners = new WeakMap<ServedResource, SharedType>();
  private readonly scopeByPrefix = new Map<string, boolean>();
  private readonly otherScope = new Map<string, { store: ResourceStore; cache: WatchCache }>();
  private generationCounter = 0;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private signal: AbortSignal | undefined;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly store: Store,
    private readonly schemas: SchemaCache,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  lookup(cluster: ClusterName, group: string, version: string, resource: string): ServedResource | undefined {
    return this.clusters.get(cluster)?.byResource.get(gvrKey(group, version, resource));
  }

  resources(cluster: ClusterName): Iterable<ServedResource> {
    return this.clusters.get(cluster)?.list ?? [];
  }

  generation(cluster: ClusterName): number {
    return this.clusters.get(cluster)?.generation ?? 0;
  }

  /** Resolves once the CRDs present at start are served. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** How many clusters have custom resources (for leak tests). */
  clusterCount(): number {
    return this.clusters.size;
  }

  /** How many distinct compiled types are shared (for tests). */
  sharedTypeCount(): number {
    return this.shared.size;
  }

  /** Follows the CRD watch cache until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const cache = this.registry.lookup('*', CRD_GROUP, 'v1', CRD_RESOURCE)?.cache;
    if (!cache) {
      this.markReady();
      return;
    }
    this.signal = signal;
    setMaxListeners(0, signal);
    await cache.whenReady();
    const watcher: CacheWatcher = {
      cluster: '*',
      deliver: (event) => {
        this.apply(event.object.cluster, event.object.name, event.type === 'DELETED' ? undefined : event.object);
        return true;
      },
      stop: (reason) => {
        if (reason === 'relist' && !signal.aborted) queueMicrotask(() => this.resync(cache, watcher));
      },
    };
    this.resync(cache, watcher);
    this.markReady();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    cache.removeWatcher(watcher);
    await Promise.all(this.running);
    for (const cluster of [...this.clusters.keys()]) {
      for (const name of [...this.clusters.get(cluster)!.crds.keys()]) this.apply(cluster, name, undefined);
    }
  }

  /** Rebuilds the index from the cache's current state (start, and after the cache relisted). */
  private resync(cache: WatchCache, watcher: CacheWatcher): void {
    const present = new Set<string>();
    for (const cached of cache.objects('*')) {
      present.add(`${cached.cluster}\u0000${cached.name}`);
      this.apply(cached.cluster, cached.name, cached);
    }
    for (const [cluster, state] of [...this.clusters]) {
      for (const name of [...state.crds.keys()]) if (!present.has(`${cluster}\u0000${name}`)) this.apply(cluster, name, undefined);
    }
    cache.addWatcher(watcher);
  }

  /** Brings one CRD of one cluster up to date with its cached state (`undefined`: gone). */
  private apply(cluster: ClusterName, name: string, cached: CachedObject | undefined): void {
    const crd = cached?.object as unknown as CustomResourceDefinition | undefined;
    const spec = crd && crdConditionTrue(crd, 'Established') ? customResourceTypeSpecOf(crd) : undefined;
    let state = this.clusters.get(cluster);
    const current = state?.crds.get(name);
    const key = spec ? specKey(spec) : undefined;
    if (current?.key === key) return;
    let next: SharedType | undefined;
    if (spec && key) {
      try {
        next = this.acquire(key, spec);
      } catch (err) {
        this.onError(err);
      }
    }
    if (!state) {
      if (!next) return;
      state = { generation: 0, crds: new Map(), byResource: new Map(), list: [] };
      this.clusters.set(cluster, state);
    }
    const before = state.byResource;
    if (next) state.crds.set(name, next);
    else state.crds.delete(name);
    if (current) this.releaseShared(current);
    if (state.crds.size === 0) {
      this.clusters.delete(cluster);
      this.endWatches(cluster, before, NOTHING_SERVED);
      return;
    }
    const byResource = new Map<string, ServedResource>();
    const list: ServedResource[] = [];
    for (const type of state.crds.values()) {
      for (const served of type.served) {
        const k = gvrKey(served.definition.group, served.definition.version, served.definition.resource);
        if (byResource.has(k)) continue;
        byResource.set(k, served);
        list.push(served);
      }
    }
    state.byResource = byResource;
    state.list = list;
    state.generation = ++this.generationCounter;
    this.endWatches(cluster, before, byResource);
  }

  /**
   * Ends the cluster's watches on each resource it served `before` that it no
   * longer serves `after`, or serves from another spec or cache.
   */
  private endWatches(cluster: ClusterName, before: ReadonlyMap<string, ServedResource>, after: ReadonlyMap<string, ServedResource>): void {
    for (const [gvr, was] of before) {
      const now = after.get(gvr);
      if (now === was || !was.cache) continue;
      if (now && now.cache === was.cache && this.owners.get(now)?.servingKey === this.owners.get(was)?.servingKey) continue;
      was.cache.endWatches(cluster, was.definition.version);
    }
  }

  private acquire(key: string, spec: CustomResourceTypeSpec): SharedType {
    let shared = this.shared.get(key);
    if (!shared) {
      const type = new CustomResourceType(spec, this.schemas);
      const servingKey = spec.terminating ? specKey({ ...spec, terminating: false }) : key;
      shared = { key, servingKey, type, served: type.definitions.map((d) => this.serve(d, spec)), refs: 0 };
      for (const served of shared.served) this.owners.set(served, shared);
      this.shared.set(key, shared);
    }
    shared.refs++;
    return shared;
  }

  private releaseShared(shared: SharedType): void {
    if (--shared.refs > 0) return;
    this.shared.delete(shared.key);
    shared.type.release();
  }

  /** Storage and watch cache of a definition: the registry's for the prefix, or this provider's for the other scope. */
  private serve(definition: ServedResource['definition'], spec: CustomResourceTypeSpec): ServedResource {
    const prefix = spec.storagePrefix;
    const scope = this.scopeByPrefix.get(prefix);
    if (scope === undefined || scope === spec.namespaced) {
      this.scopeByPrefix.set(prefix, spec.namespaced);
      const served = this.registry.serve(definition);
      // the registry may serve a copy (its layout rebased onto the store's key prefix)
      if (served.definition !== definition) aliasDefinition(served.definition, definition);
      return served;
    }
    let other = this.otherScope.get(prefix);
    if (!other) {
      const root = this.store.keyPrefix;
      const rebased = root === DEFAULT_ROOT || !prefix.startsWith(DEFAULT_ROOT) ? prefix : root + prefix.slice(DEFAULT_ROOT.length);
      const layout = { ...definition.storage!, prefix: rebased };
      other = {
        store: new ResourceStore(this.store, layout, { group: definition.group, resource: definition.resource }),
        cache: new WatchCache({ store: this.store, prefix: rebased, namespaced: spec.namespaced, decode: decodeObject }),
      };
      this.otherScope.set(prefix, other);
      if (this.signal && !this.signal.aborted) this.running.push(other.cache.run(this.signal).catch(this.onError));
    }
    return { definition, store: other.store, cache: other.cache };
  }
}
