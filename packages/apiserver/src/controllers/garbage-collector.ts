import { isConflict, isNotFound, type OwnerReference } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { Obj } from '../registry/types';
import { apiVersionOf } from '../rest/objects';
import { objectKey } from '../rest/resource-store';
import type { ServedResource } from '../rest/scope';
import type { Logger } from '../server/logger';
import type { LoopbackClient } from '../server/loopback';
import type { CacheEvent, CachedObject } from '../watch/watch-cache';
import { resourcePath } from './namespace-controller';
import { KeyQueue } from './queue';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

interface ObjectRef {
  readonly served: ServedResource;
  readonly cluster: ClusterName;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * Garbage collection of `ownerReferences` within each logical cluster
 * (upstream's garbage collector, kcp's `kcp-garbage-collector`):
 * - a dependent whose owners are all gone is deleted (background deletion),
 *   one with some owners left loses the references to the gone ones;
 * - an owner deleted with `propagationPolicy: Orphan` (`orphan` finalizer)
 *   has its dependents' references removed, then the finalizer;
 * - an owner deleted with `Foreground` (`foregroundDeletion`) has its
 *   dependents deleted first; the finalizer goes when none blocks any more.
 * State: an index from owner uid to dependents, covering only objects that
 * have owner references — nothing per idle logical cluster.
 */
export class GarbageCollector {
  private readonly dependents = new Map<string, Map<string, ObjectRef>>();
  private readonly ownersOf = new Map<string, string[]>();
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });
  private readonly refs = new Map<string, ObjectRef>();
  /** owners being deleted with the orphan/foreground finalizer: `cluster|uid` → their ref key */
  private readonly finalizing = new Map<string, string>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const watchers: Array<() => void> = [];
    const stopObserving = this.registry.observeCaches((cache, served) => {
      const definition = served.definition;
      if (!definition.storage || definition.storage.storageApiVersion !== apiVersionOf(definition)) return;
      let stopWatching: (() => void) | undefined;
      void cache.whenReady().then(() => {
        if (signal.aborted) return;
        for (const cached of cache.objects('*')) this.index(served, cached);
        stopWatching = cache.observe((e) => this.observe(served, e));
      });
      watchers.push(() => stopWatching?.());
    });
    try {
      await this.queue.run(signal, 2, (key) => this.sync(key));
    } finally {
      stopObserving();
      for (const remove of watchers) remove();
    }
  }

  private refKey(served: ServedResource, cached: { cluster: ClusterName; namespace: string; name: string }): string {
    return `${served.definition.storage!.prefix}\u0000${cached.cluster}\u0000${cached.namespace}\u0000${cached.name}`;
  }

  /** Indexes an object's owner references and queues what needs attention. */
  private index(served: ServedResource, cached: CachedObject): void {
    const key = this.refKey(served, cached);
    this.unindex(key);
    // most objects have no owners and are not being deleted: they need not even be decoded
    if (cached.mayContain?.('"ownerReferences"') === false && !cached.mayContain('"deletionTimestamp"')) return;
    const object = cached.object;
    const owners = object.metadata.ownerReferences ?? [];
    const ref: ObjectRef = { served, cluster: cached.cluster, namespace: cached.namespace, name: cached.name, uid: object.metadata.uid ?? '' };
    if (owners.length > 0) {
      const ownerKeys = owners.map((o) => `${cached.cluster}|${o.uid}`);
      for (const ownerKey of ownerKeys) {
        let set = this.dependents.get(ownerKey);
        if (!set) this.dependents.set(ownerKey, (set = new Map<string, ObjectRef>()));
        set.set(key, ref);
      }
      this.ownersOf.set(key, ownerKeys);
      this.refs.set(key, ref);
      this.queue.add(`dep|${key}`);
    }
    const finalizers = object.metadata.finalizers ?? [];
    if (object.metadata.deletionTimestamp && (finalizers.includes(ORPHAN) || finalizers.includes(FOREGROUND))) {
      this.refs.set(`owner:${key}`, ref);
      this.finalizing.set(`${cached.cluster}|${ref.uid}`, key);
      this.queue.add(`own|${key}`);
    }
  }

  /** A dependent changed: owners waiting on their dependents look again. */
  private wakeOwners(ownerKeys: readonly string[]): void {
    for (const ownerKey of ownerKeys) {
      const owner = this.finalizing.get(ownerKey);
      if (owner !== undefined) this.queue.add(`own|${owner}`);
    }
  }

  private unindex(key: string): void {
    for (const ownerKey of this.ownersOf.get(key) ?? []) {
      const set = this.dependents.get(ownerKey);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(ownerKey);
    }
    this.ownersOf.delete(key);
    this.refs.delete(key);
  }

  private observe(served: ServedResource, event: CacheEvent): void {
    const key = this.refKey(served, event.object);
    const ownerKeys = this.ownersOf.get(key) ?? [];
    if (event.type === 'DELETED') {
      this.unindex(key);
      this.refs.delete(`owner:${key}`);
      const uidKey = `${event.object.cluster}|${event.object.object.metadata.uid}`;
      this.finalizing.delete(uidKey);
      for (const dependent of this.dependents.get(uidKey)?.keys() ?? []) this.queue.add(`dep|${dependent}`);
    } else {
      this.index(served, event.object);
    }
    this.wakeOwners(ownerKeys);
  }

  private current(ref: ObjectRef): Obj | undefined {
    const cache = ref.served.cache!;
    return cache.get(ref.cluster, objectKey(ref.served.definition.storage!.prefix, ref.cluster, ref.namespace, ref.name))?.object;
  }

  /** Whether the owner a reference names still exists (same uid), and whether it is being deleted in the foreground. */
  private ownerState(cluster: ClusterName, namespace: string, owner: OwnerReference): 'absent' | 'present' | 'foreground' {
    const [group, version] = owner.apiVersion.includes('/') ? owner.apiVersion.split('/') as [string, string] : ['', owner.apiVersion];
    const served = this.registry.resources(cluster).find((r) => r.definition.group === group && r.definition.version === version && r.definition.kind === owner.kind);
    if (!served || !served.cache || !served.definition.storage) return 'present'; // unknown kinds are never collected
    const ns = served.definition.namespaced ? namespace : '';
    const cached = served.cache.get(cluster, objectKey(served.definition.storage.prefix, cluster, ns, owner.name));
    if (!cached || cached.object.metadata.uid !== owner.uid) return 'absent';
    const meta = cached.object.metadata;
    return meta.deletionTimestamp && (meta.finalizers ?? []).includes(FOREGROUND) ? 'foreground' : 'present';
  }

  private async sync(item: string): Promise<'done' | 'requeue'> {
    const [kind, key] = [item.slice(0, 3), item.slice(4)];
    try {
      if (kind === 'dep') return await this.attemptToDelete(key);
      return await this.processOwner(key);
    } catch (err) {
      if (isNotFound(err)) return 'done';
      if (!isConflict(err)) this.logger.warn({ err, item }, 'garbage collection failed');
      return 'requeue';
    }
  }

  private pathOf(ref: ObjectRef): string {
    const d = ref.served.definition;
    return resourcePath(ref.cluster, d.group, d.version, d.resource, ref.namespace, ref.name);
  }

  private async attemptToDelete(key: string): Promise<'done' | 'requeue'> {
    const ref = this.refs.get(key);
    if (!ref) return 'done';
    const object = this.current(ref);
    if (!object || object.metadata.deletionTimestamp) return 'done';
    const owners = object.metadata.ownerReferences ?? [];
    const states = owners.map((o) => this.ownerState(ref.cluster, ref.namespace, o));
    const gone = owners.filter((_, i) => states[i] === 'absent');
    const foregroundOwners = owners.filter((_, i) => states[i] === 'foreground');
    if (gone.length === 0 && foregroundOwners.length === 0) return 'done';
    if (gone.length + foregroundOwners.length === owners.length) {
      const blocking = foregroundOwners.some((o) => o.blockOwnerDeletion);
      await this.client.delete(this.pathOf(ref), {
        propagationPolicy: blocking ? 'Foreground' : 'Background',
        preconditions: { uid: object.metadata.uid },
      });
      return 'done';
    }
    if (gone.length > 0) {
      const keep = owners.filter((o) => !gone.includes(o));
      await this.client.patch(this.pathOf(ref), [
        { op: 'test', path: '/metadata/uid', value: object.metadata.uid },
        { op: 'replace', path: '/metadata/ownerReferences', value: keep },
      ], 'json');
    }
    return 'done';
  }

  private async processOwner(key: string): Promise<'done' | 'requeue'> {
    const ref = this.refs.get(`owner:${key}`);
    if (!ref) return 'done';
    const owner = this.current(ref);
    if (!owner || !owner.metadata.deletionTimestamp) return 'done';
    const finalizers = owner.metadata.finalizers ?? [];
    const uid = owner.metadata.uid ?? '';
    const dependents = [...(this.dependents.get(`${ref.cluster}|${uid}`)?.values() ?? [])];
    if (finalizers.includes(ORPHAN)) {
      for (const dep of dependents) {
        const object = this.current(dep);
        if (!object) continue;
        const keep = (object.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        await this.client.patch(this.pathOf(dep), [
          { op: 'test', path: '/metadata/uid', value: object.metadata.uid },
          { op: 'replace', path: '/metadata/ownerReferences', value: keep },
        ], 'json');
      }
      await this.removeFinalizer(ref, owner, ORPHAN);
      return 'done';
    }
    if (finalizers.includes(FOREGROUND)) {
      let blocking = 0;
      for (const dep of dependents) {
        const object = this.current(dep);
        if (!object) continue;
        const reference = (object.metadata.ownerReferences ?? []).find((o) => o.uid === uid);
        if (reference?.blockOwnerDeletion) blocking++;
        if (!object.metadata.deletionTimestamp) {
          const otherOwners = (object.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
          const remaining = otherOwners.filter((o) => this.ownerState(dep.cluster, dep.namespace, o) === 'present');
          if (remaining.length === 0) {
            await this.client.delete(this.pathOf(dep), { propagationPolicy: 'Foreground', preconditions: { uid: object.metadata.uid } });
          } else {
            await this.client.patch(this.pathOf(dep), [
              { op: 'test', path: '/metadata/uid', value: object.metadata.uid },
              { op: 'replace', path: '/metadata/ownerReferences', value: otherOwners },
            ], 'json');
          }
        }
      }
      if (blocking > 0) return 'requeue';
      await this.removeFinalizer(ref, owner, FOREGROUND);
    }
    return 'done';
  }

  private async removeFinalizer(ref: ObjectRef, owner: Obj, finalizer: string): Promise<void> {
    const finalizers = owner.metadata.finalizers ?? [];
    await this.client.patch(this.pathOf(ref), [
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== finalizer) },
    ], 'json');
  }
}
