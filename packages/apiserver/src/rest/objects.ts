import { type FieldSelector, newBadRequest } from '@kcp-ts/apimachinery';
import { type Selector, goQuote, matches } from '@kcp-ts/topology';
import { withGoZeroFields } from '../builtin/go-zero-fields';
import type { Obj, ResourceDefinition } from '../registry/types';
import type { CachedObject } from '../watch/watch-cache';

/** The apiVersion a definition serves. */
export function apiVersionOf(definition: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return definition.group === '' ? definition.version : `${definition.group}/${definition.version}`;
}

/** A stored object as this version serves it. */
export function toServed(definition: ResourceDefinition, stored: Obj): Obj {
  // a conversion writes the served version's Go type: with the members it always has
  const converted = definition.storage?.fromStorage ? withGoZeroFields(definition.storage.fromStorage(stored)) : stored;
  const apiVersion = apiVersionOf(definition);
  if (converted.apiVersion === apiVersion && converted.kind === definition.kind) return converted;
  return { ...converted, apiVersion, kind: definition.kind };
}

/** A served object as an item of its list: without `apiVersion` and `kind` for typed lists (see `ResourceDefinition.typedList`). */
export function toListItem(definition: ResourceDefinition, served: Obj): Obj {
  if (!definition.typedList || (!Object.hasOwn(served, 'apiVersion') && !Object.hasOwn(served, 'kind'))) return served;
  const { apiVersion: _apiVersion, kind: _kind, ...item } = served;
  return item as Obj;
}

/**
 * The JSON of a served object (`JSON.stringify` of it) as an item of its
 * list, {@link toListItem}: the leading `apiVersion` and `kind` members cut
 * off the text, as they lead every object the server writes; anything else
 * is parsed and written again.
 */
export function listItemJson(definition: ResourceDefinition, json: string): string {
  if (!definition.typedList) return json;
  for (const head of typeMetaHeads(definition)) {
    if (!json.startsWith(head)) continue;
    const next = json[head.length];
    if (next === ',') return `{${json.slice(head.length + 1)}`;
    if (next === '}') return '{}';
  }
  return JSON.stringify(toListItem(definition, JSON.parse(json) as Obj));
}

const typeMetaHeadsByDefinition = new WeakMap<ResourceDefinition, readonly [string, string]>();

/** How the served JSON of a definition's objects starts with its `apiVersion` and `kind`, in either order (made once per definition). */
function typeMetaHeads(definition: ResourceDefinition): readonly [string, string] {
  let heads = typeMetaHeadsByDefinition.get(definition);
  if (heads === undefined) {
    const apiVersion = JSON.stringify(apiVersionOf(definition));
    const kind = JSON.stringify(definition.kind);
    heads = [`{"apiVersion":${apiVersion},"kind":${kind}`, `{"kind":${kind},"apiVersion":${apiVersion}`];
    typeMetaHeadsByDefinition.set(definition, heads);
  }
  return heads;
}

/** Whether {@link toServed} hands a stored object of this apiVersion and kind back unchanged (so its stored JSON is its served JSON). */
export function servedAsStored(definition: ResourceDefinition, apiVersion: unknown, kind: unknown): boolean {
  return !definition.storage?.fromStorage && apiVersion === apiVersionOf(definition) && kind === definition.kind;
}

/** A served object in the form it is stored. */
export function toStored(definition: ResourceDefinition, served: Obj): Obj {
  const converted = definition.storage?.toStorage ? definition.storage.toStorage(served) : served;
  const apiVersion = definition.storage?.storageApiVersion ?? apiVersionOf(definition);
  // stored as the storage version's Go type writes it
  return withGoZeroFields(converted.apiVersion === apiVersion ? converted : { ...converted, apiVersion });
}

/** The field-selector labels of an object: `metadata.name`, `metadata.namespace` and the type's own. */
export function fieldsOf(definition: ResourceDefinition, object: Obj): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': object.metadata.name ?? '',
    'metadata.namespace': object.metadata.namespace ?? '',
  };
  return definition.fieldLabels ? { ...fields, ...definition.fieldLabels(object) } : fields;
}

/** Refuses a field selector on labels the type does not support (400, with upstream's message for the type). */
export function checkFieldSelector(definition: ResourceDefinition, selector: FieldSelector | undefined): void {
  if (!selector) return;
  const supported = new Set(['metadata.name', 'metadata.namespace']);
  if (definition.fieldLabels) {
    for (const key of Object.keys(definition.fieldLabels(emptyObject))) supported.add(key);
  }
  const unsupported = selector.unsupportedField(supported);
  if (unsupported === undefined) return;
  if (definition.defaultFieldSelectorConversion) {
    throw newBadRequest(`${goQuote(unsupported)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  throw newBadRequest(`field label not supported: ${unsupported}`);
}
const emptyObject = { metadata: {} } as Obj;

/** A predicate over stored objects for a list or watch: namespace, label and field selectors. */
export function objectFilter(
  definition: ResourceDefinition,
  namespace: string,
  labelSelector: Selector | undefined,
  fieldSelector: FieldSelector | undefined,
): (object: Obj) => boolean {
  return (object) => {
    if (namespace !== '' && object.metadata.namespace !== namespace) return false;
    if (labelSelector && !matches(labelSelector, object.metadata.labels ?? {})) return false;
    if (fieldSelector && !fieldSelector.isEmpty() && !fieldSelector.matches(fieldsOf(definition, toServed(definition, object)))) return false;
    return true;
  };
}

/** The same predicate over cache entries (namespace checked on the entry, cheaply). */
export function cachedFilter(filter: (object: Obj) => boolean, namespace: string): (cached: CachedObject) => boolean {
  return (cached) => (namespace === '' || cached.namespace === namespace) && filter(cached.object);
}
