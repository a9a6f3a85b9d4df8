import { randomUUID } from 'node:crypto';
import {
  type FieldError,
  type ObjectMeta,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePathSegmentName,
  jsonEqual,
} from '@kcp-ts/apimachinery';
import type { Obj, ResourceDefinition } from '../registry/types';

let lastSecond = Number.NaN;
let lastTimestamp = '';

/** RFC 3339 with second precision, as metav1.Time serializes (formatted once per second). */
export function nowTimestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastTimestamp = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastTimestamp;
}

const NAME_FUNCS = {
  'dns1123-subdomain': nameIsDNSSubdomain,
  'dns1123-label': nameIsDNSLabel,
  'path-segment': validatePathSegmentName,
} as const;

/**
 * Validates the metadata of a new object (upstream `ValidateObjectMeta`, in
 * apimachinery): name by the type's rule, namespace, labels, annotations,
 * owner references and finalizers.
 */
export function validateNewObjectMeta(definition: ResourceDefinition, meta: ObjectMeta): FieldError[] {
  return validateObjectMeta(meta, { namespaced: definition.namespaced, nameFn: NAME_FUNCS[definition.nameValidation] });
}

/**
 * Validates metadata on update (upstream `ValidateObjectMetaUpdate`):
 * immutable fields, no new finalizers while deleting, labels, annotations,
 * owner references and finalizers.
 */
export function validateUpdatedObjectMeta(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  return validateObjectMetaUpdate(meta, old);
}

const OMITTED_WHEN_EMPTY = ['labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields', 'name', 'generateName', 'uid'] as const;

/**
 * Leaves out the members of ObjectMeta that Go encodes with `omitempty` when
 * they are empty (`labels: {}`, `finalizers: []`, `generateName: ""`…), as
 * an object decoded into ObjectMeta and encoded again has them, so that an
 * empty map or list written by a client or a patch is stored as none.
 */
function omitEmptyMetadata(meta: ObjectMeta): void {
  const members = meta as Record<string, unknown>;
  for (const name of OMITTED_WHEN_EMPTY) {
    const value = members[name];
    if (value === '' || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
      delete members[name];
    }
  }
}

/** Fields of ObjectMeta that clients may not set on create (and the empty members Go leaves out). */
export function prepareMetadataForCreate(object: Obj, definition: ResourceDefinition, namespace: string, now: string): void {
  const meta = object.metadata;
  omitEmptyMetadata(meta);
  meta.uid = randomUUID();
  meta.creationTimestamp = now;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete (meta as Record<string, unknown>)['selfLink'];
  if (definition.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  if (definition.strategy.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/**
 * Carries over what an update does not set, as upstream `BeforeUpdate`: the
 * uid when the body has none, the creation time, the deletion timestamp and
 * grace period once set, the generation; and the current resourceVersion for
 * an unconditional update. Changes left (a different uid, a new deletion
 * timestamp) fail validation as immutable.
 */
export function prepareMetadataForUpdate(object: Obj, old: Obj, definition: ResourceDefinition): void {
  const meta = object.metadata;
  const oldMeta = old.metadata;
  omitEmptyMetadata(meta);
  if (!meta.uid && oldMeta.uid !== undefined) meta.uid = oldMeta.uid;
  if (oldMeta.creationTimestamp !== undefined) meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp !== undefined) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  }
  if (!meta.resourceVersion && oldMeta.resourceVersion !== undefined) meta.resourceVersion = oldMeta.resourceVersion;
  delete (meta as Record<string, unknown>)['selfLink'];
  if (definition.namespaced) meta.namespace = oldMeta.namespace ?? '';
  if (definition.strategy.tracksGeneration) meta.generation = oldMeta.generation ?? 1;
  else delete meta.generation;
}

/** Whether anything outside metadata (and, with a status subresource, outside status) changed: the generation rule. */
export function specChanged(object: Obj, old: Obj, statusSubresource: boolean): boolean {
  const strip = (o: Obj) => {
    const { metadata: _m, status: _s, ...rest } = o as Record<string, unknown>;
    return statusSubresource ? rest : { ...rest, status: (o as Record<string, unknown>)['status'] };
  };
  return !jsonEqual(strip(object), strip(old));
}
