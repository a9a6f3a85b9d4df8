/**
 * Server-side apply and managedFields tracking: the {@link FieldManager} the
 * REST layer calls on every write, composed as kube-apiserver composes its
 * field manager (version check, last-applied migration, capped update
 * entries, manager identifiers, timestamps, stripped metadata, structured
 * merge).
 */
import { type ManagedFieldsEntry, newBadRequest, newInternalError, newUnknownError } from '@kcp-ts/apimachinery';
import { builtinSchemas } from '../builtin/schemas';
import { resolveNode } from '../openapi/structural';
import type { Obj, ResourceDefinition } from '../registry/types';
import { nowTimestamp } from '../rest/metadata';
import { apiVersionOf } from '../rest/objects';
import type { FieldManager } from '../rest/scope';
import { newConflictError } from './conflict';
import { FieldSet } from './field-set';
import {
  KUBECTL_MANAGER,
  LAST_APPLIED_ANNOTATION,
  allowedConflictsFromLastApplied,
  buildLastApplied,
  lastApplied,
} from './last-applied';
import {
  capUpdateManagers,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  isResetManagedFields,
  type Managed,
  ManagedFieldsError,
  managerIdentifier,
} from './managed-fields';
import { typeForDefinition } from './schema-types';
import { changedFieldsV1, onlyField, toFieldSet, TypedValueError, withoutField } from './typed-value';
import { ApplyConflictsError, type ApplyOutcome, type FieldFilter, type ManagedSets, recordApply, recordUpdate, type UpdaterContext } from './updater';

/** Options of {@link ServerSideApplyFieldManager}. */
export interface ServerSideApplyOptions {
  /** the time written to `managedFields[].time` (RFC 3339, seconds); default: now */
  readonly now?: () => string;
  /** most `Update` entries kept before the oldest are merged into `ancient-changes` (default 10, as upstream) */
  readonly maxUpdateManagers?: number;
  /** told about failures to track an update (the write goes on with the previous managedFields, as upstream) */
  readonly onUpdateError?: (err: unknown, definition: ResourceDefinition) => void;
}

/** Upstream `DefaultMaxUpdateManagers`. */
export const DEFAULT_MAX_UPDATE_MANAGERS = 10;

/** The working name of the running update before it is credited to its manager. */
const CURRENT_OPERATION = 'current-operation';

/** The `metadata` fields no manager ever owns. */
const STRIPPED_METADATA = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];

/** Fields no manager ever owns (upstream `stripMetaManager`). */
const STRIPPED_FIELDS = FieldSet.of(['f:apiVersion'], ['f:kind'], ['f:metadata'], ...STRIPPED_METADATA.map((f) => ['f:metadata', `f:${f}`]));

/** The same for a create's direct encoding (trackCreate): top-level fields left out, metadata keys that are not members. */
const NEVER_OWNED: ReadonlySet<string> = new Set(['apiVersion', 'kind']);
const NEVER_OWNED_WITH_STATUS: ReadonlySet<string> = new Set([...NEVER_OWNED, 'status']);
const NEVER_OWNED_BELOW: ReadonlyMap<string, ReadonlySet<string>> = new Map([['metadata', new Set(STRIPPED_METADATA)]]);

/**
 * Tracks field ownership in `metadata.managedFields` and serves server-side
 * apply, for built-in and custom resources alike: the merge type of an object
 * comes from its OpenAPI schema (see `typeForDefinition`).
 */
export class ServerSideApplyFieldManager implements FieldManager {
  private readonly now: () => string;
  private readonly maxUpdateManagers: number;

  constructor(private readonly options: ServerSideApplyOptions = {}) {
    this.now = options.now ?? (() => nowTimestamp());
    this.maxUpdateManagers = options.maxUpdateManagers ?? DEFAULT_MAX_UPDATE_MANAGERS;
  }

  /**
   * Records a non-apply write (create, update, patch) by `manager`: it owns
   * what it added or changed. Managed fields sent in the request replace the
   * stored ones (`[]` or `[{}]` clears them), except on subresources. Never
   * throws: on an internal failure the previous managedFields are kept.
   */
  update(definition: ResourceDefinition, object: Obj, old: Obj | undefined, manager: string, subresource: string): Obj {
    try {
      return this.trackUpdate(definition, object, old, manager, subresource);
    } catch (err) {
      this.options.onUpdateError?.(err, definition);
      return withManagedFields(object, old?.metadata.managedFields);
    }
  }

  private trackUpdate(definition: ResourceDefinition, object: Obj, old: Obj | undefined, manager: string, subresource: string): Obj {
    if (old === undefined && subresource === '' && object.metadata.managedFields === undefined) {
      const created = this.trackCreate(definition, object, manager);
      if (created) return created;
    }
    const context = contextFor(definition, subresource);
    const managed = managedOfLiveOrNew(old, object, subresource !== '');
    const live = withoutManagedFields(old ?? baseline(definition));
    recordUpdate(context, live, withoutManagedFields(object), managed.sets, CURRENT_OPERATION);
    stripMetadataFields(managed.sets, CURRENT_OPERATION);
    const changed = managed.sets.get(CURRENT_OPERATION);
    if (changed) {
      managed.sets.delete(CURRENT_OPERATION);
      const identifier = managerIdentifier({ manager, operation: 'Update', apiVersion: context.version, subresource });
      const previous = managed.sets.get(identifier);
      managed.sets.set(identifier, { set: previous ? changed.set.union(previous.set) : changed.set, apiVersion: context.version, applied: false });
      managed.times.set(identifier, this.now());
    }
    capUpdateManagers(managed, this.maxUpdateManagers);
    return withManagedFields(object, encodeManagedFields(managed));
  }

  /**
   * A create whose request carries no managedFields, where nobody owns
   * anything yet: the manager owns every field the object sets beyond the
   * empty object it starts from, less the never-owned metadata and reset
   * fields, as the general path below computes it, written straight as
   * FieldsV1 (no comparison and field sets; see changedFieldsV1). `undefined`
   * leaves the object to the general path.
   */
  private trackCreate(definition: ResourceDefinition, object: Obj, manager: string): Obj | undefined {
    // the reset fields of a write to the main resource go with the never-owned ones (see contextFor)
    const skip = definition.strategy.statusSubresource ? NEVER_OWNED_WITH_STATUS : NEVER_OWNED;
    const fields = changedFieldsV1(baseline(definition), object, typeForDefinition(definition), skip, NEVER_OWNED_BELOW);
    if (!fields) return undefined;
    if (Object.keys(fields).length === 0) return withManagedFields(object, undefined);
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: apiVersionOf(definition), time: this.now(), fieldsType: 'FieldsV1', fieldsV1: fields };
    return withManagedFields(object, [entry]);
  }

  /**
   * Applies `applied` as `manager` to `current` (`undefined`: the object is
   * created). Throws 400 for a configuration of another kind or version or
   * one carrying managedFields, a 500 without a reason (upstream's
   * unclassified error) for one that does not fit the schema (values of the
   * wrong type, a list item without its key, duplicate keys), and 409 for
   * conflicts unless `force`.
   */
  apply(definition: ResourceDefinition, current: Obj | undefined, applied: Obj, manager: string, force: boolean, subresource: string): Obj {
    checkAppliedKind(definition, applied);
    const appliedMeta = applied.metadata as Record<string, unknown> | undefined;
    if (appliedMeta?.['managedFields'] !== undefined && appliedMeta['managedFields'] !== null) {
      throw newBadRequest('metadata.managedFields must be nil');
    }
    const context = contextFor(definition, subresource);
    const liveObject = current ?? baseline(definition);
    let managed: Managed;
    try {
      managed = decodeManagedFields(liveObject.metadata?.managedFields);
    } catch (err) {
      if (err instanceof ManagedFieldsError) throw newInternalError(`failed to decode managed fields: ${err.message}`);
      throw err;
    }
    const live = withoutManagedFields(liveObject);
    let configSet: FieldSet;
    try {
      configSet = toFieldSet(applied, context.type, { strict: true });
    } catch (err) {
      // upstream returns this error unclassified: a 500 without a reason
      if (err instanceof TypedValueError) throw newUnknownError(`failed to create typed patch object (${describeObject(applied)}): ${err.message}`);
      throw err;
    }
    const identifier = managerIdentifier({ manager, operation: 'Apply', subresource });
    const attempt = (forced: boolean): { outcome: ApplyOutcome; sets: ManagedSets } => {
      const sets: ManagedSets = new Map(managed.sets);
      return { outcome: recordApply(context, live, applied, configSet, sets, identifier, forced), sets };
    };
    let result: { outcome: ApplyOutcome; sets: ManagedSets };
    try {
      try {
        result = attempt(force);
      } catch (err) {
        if (!(err instanceof ApplyConflictsError)) throw err;
        // kubectl taking over from client-side apply: fields it last applied there are not conflicts
        const allowed = manager === KUBECTL_MANAGER ? allowedConflictsFromLastApplied(live, context.type, context.version) : undefined;
        const remaining = allowed ? err.conflicts.filter((c) => !allowed.has(c.path)) : err.conflicts;
        if (remaining.length > 0) throw newConflictError(remaining);
        result = attempt(true);
      }
    } catch (err) {
      if (err instanceof TypedValueError) throw newInternalError(`failed to create typed live object (${describeObject(live)}): ${err.message}`);
      throw err;
    }
    const sets = result.sets;
    stripMetadataFields(sets, identifier);
    const times = new Map(managed.times);
    let object: Record<string, unknown>;
    if (result.outcome.object !== undefined) {
      object = result.outcome.object;
      if (sets.has(identifier)) times.set(identifier, this.now());
    } else {
      object = live;
    }
    for (const key of times.keys()) if (!sets.has(key)) times.delete(key);
    object = structuredClone(object);
    if (manager === KUBECTL_MANAGER && lastApplied(object) !== undefined) {
      const meta = object['metadata'] as Record<string, unknown>;
      meta['annotations'] = { ...(meta['annotations'] as Record<string, unknown>), [LAST_APPLIED_ANNOTATION]: buildLastApplied(applied) };
    }
    object = resetFields(definition, subresource, live, object);
    return withManagedFields(object as Obj, encodeManagedFields({ sets, times }));
  }
}

/** The merge type, apiVersion and reset fields of a write to `definition` (and `subresource`). */
function contextFor(definition: ResourceDefinition, subresource: string): UpdaterContext {
  let filter: FieldFilter = (set) => set;
  if (subresource === 'status') filter = (set) => onlyField(set, 'status');
  else if (subresource === '' && definition.strategy.statusSubresource) filter = (set) => withoutField(set, 'status');
  return { type: typeForDefinition(definition), version: apiVersionOf(definition), filter };
}

/**
 * Values the request may not set are the live ones (upstream leaves this to
 * the strategies' reset fields): `status` when applying to the main resource
 * of a type with a status subresource, everything but `status` on /status.
 */
function resetFields(definition: ResourceDefinition, subresource: string, live: Record<string, unknown>, object: Record<string, unknown>): Record<string, unknown> {
  if (subresource === 'status') {
    const out = structuredClone(live);
    if (object['status'] === undefined) delete out['status'];
    else out['status'] = object['status'];
    return out;
  }
  if (subresource === '' && definition.strategy.statusSubresource) {
    if (live['status'] === undefined) delete object['status'];
    else object['status'] = structuredClone(live['status']);
  }
  return object;
}

/** Removes the never-owned metadata fields from `manager`'s set; drops the manager if nothing is left. */
function stripMetadataFields(sets: ManagedSets, manager: string): void {
  const owned = sets.get(manager);
  if (!owned) return;
  const set = owned.set.difference(STRIPPED_FIELDS);
  if (set.isEmpty()) sets.delete(manager);
  else sets.set(manager, { ...owned, set });
}

/**
 * The managed fields an update starts from (upstream `decodeLiveOrNew`): the
 * request's, unless it sent none or undecodable ones or writes a subresource,
 * in which case the stored ones; `[]` or `[{}]` in the request resets them.
 */
function managedOfLiveOrNew(old: Obj | undefined, object: Obj, subresource: boolean): Managed {
  const fromLive = (): Managed => {
    try {
      return decodeManagedFields(old?.metadata.managedFields);
    } catch {
      return emptyManaged();
    }
  };
  if (subresource) return fromLive();
  const requested: unknown = object.metadata?.managedFields;
  if (isResetManagedFields(requested)) return emptyManaged();
  try {
    const managed = decodeManagedFields(requested);
    if (managed.sets.size > 0) return managed;
  } catch {
    // undecodable managedFields in a request are ignored, as upstream
  }
  return fromLive();
}

/**
 * The object a create starts from, as upstream's empty Go object serializes:
 * for built-in kinds, `spec` and `status` structs exist (empty); custom
 * resources start empty.
 */
function baseline(definition: ResourceDefinition): Obj {
  const object: Obj = { apiVersion: apiVersionOf(definition), kind: definition.kind, metadata: {} };
  if (definition.openAPISchemas !== undefined || !definition.schemaName) return object;
  const schema = builtinSchemas[definition.schemaName];
  for (const field of ['spec', 'status']) {
    const node = schema?.properties?.[field];
    if (node && resolveNode(node, (name) => builtinSchemas[name]).properties !== undefined) object[field] = {};
  }
  return object;
}

function withoutManagedFields<T extends Record<string, unknown>>(object: T): T {
  const metadata = object['metadata'] as Record<string, unknown> | undefined;
  if (!metadata || !('managedFields' in metadata)) return object;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...object, metadata: rest };
}

function withManagedFields(object: Obj, managedFields: unknown): Obj {
  const source = object.metadata ?? {};
  let metadata: Record<string, unknown>;
  if (Object.hasOwn(source, 'managedFields')) {
    const { managedFields: _previous, ...rest } = source;
    metadata = rest;
  } else {
    metadata = { ...source };
  }
  // a new member goes last, as in a spread of the rest with managedFields
  if (managedFields !== undefined) metadata['managedFields'] = managedFields;
  return { ...object, metadata } as Obj;
}

/**
 * Upstream's version check: the configuration's group, version and kind are
 * the URL's, else 400 `invalid object type: <group>/<version>, Kind=<kind>`.
 */
export function checkAppliedKind(definition: ResourceDefinition, applied: Obj): void {
  const apiVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  if (apiVersion === apiVersionOf(definition) && kind === definition.kind) return;
  throw newBadRequest(`invalid object type: ${gvkString(apiVersion, kind)}`);
}

/** Go's `schema.GroupVersionKind` String() of an apiVersion and kind. */
function gvkString(apiVersion: string, kind: string): string {
  const parts = apiVersion.split('/');
  let group = '';
  let version = '';
  if (parts.length === 1) version = parts[0]!;
  else if (parts.length === 2) [group, version] = parts as [string, string];
  return `${group}/${version}, Kind=${kind}`;
}

/** `<namespace>/<name>; <gvk>`, as upstream names objects in typed-conversion errors. */
function describeObject(object: Record<string, unknown>): string {
  const meta = (object['metadata'] ?? {}) as Record<string, unknown>;
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${text(meta['namespace'])}/${text(meta['name'])}; ${gvkString(apiVersion, kind)}`;
}
