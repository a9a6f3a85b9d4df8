/**
 * Operations on JSON values under a merge type, as structured-merge-diff's
 * `typed` package defines them: the field set a value sets, merging an apply
 * configuration into a live object, comparing two objects, and removing
 * items named by a field set.
 */
import { jsonEqual } from '@kcp-ts/apimachinery';
import { goQuote } from '@kcp-ts/topology';
import { FieldSet, sortElements } from './field-set';
import { goFormat } from '../rest/go-format';
import { compareStrings, elementToString, fieldElement, keyElement, type PathElement, pathToString, valueElement } from './path';
import { DEDUCED, DEDUCED_MAP, type FieldType, type ListType, type MapType, SCALAR } from './schema-types';

/** A value that does not fit its merge type (an associative-list item without its key, duplicate keys). */
export class TypedValueError extends Error {
  override readonly name = 'TypedValueError';
}

type Atom = 'leaf' | MapType | ListType;

/** How a value is walked: as a leaf (scalars, atomic containers) or as a granular map or list. */
function atomOf(type: FieldType, value: unknown): Atom {
  switch (type.kind) {
    case 'scalar':
      return 'leaf';
    case 'deduced':
      return isPlainObject(value) ? DEDUCED_MAP : 'leaf';
    case 'map':
      if (type.atomic) return 'leaf';
      return value === null || value === undefined || isPlainObject(value) ? type : 'leaf';
    case 'list':
      if (type.relationship === 'atomic') return 'leaf';
      return value === null || value === undefined || Array.isArray(value) ? type : 'leaf';
  }
}

function childType(map: MapType, key: string): FieldType {
  return map.field(key) ?? map.elementType ?? DEDUCED;
}

/** Why an item has no path element. */
interface NoElement {
  readonly reason: string;
}

/** The path element of one item of a set or associative list, or why it has none. */
function itemElement(list: ListType, item: unknown): PathElement | NoElement {
  if (list.relationship === 'map') {
    if (!isPlainObject(item)) return { reason: 'associative list with keys may not have non-map elements' };
    const fields: Array<[string, unknown]> = [];
    for (const key of list.keys) {
      let value = Object.hasOwn(item, key) ? item[key] : undefined;
      if (value === undefined || value === null) {
        value = list.keyDefault(key);
        if (value === undefined) {
          return { reason: `associative list with keys has an element that omits key field ${goQuote(key)} (and doesn't have default value)` };
        }
      }
      fields.push([key, value]);
    }
    return keyElement(fields);
  }
  if (isPlainObject(item)) return { reason: "associative list without keys has an element that's a map type" };
  if (Array.isArray(item)) return { reason: "associative list without keys has an element that's a list type" };
  return valueElement(item);
}

/** The element of an item, or `undefined` when it has none (lenient walks over live objects). */
function itemElementOrUndefined(list: ListType, item: unknown): PathElement | undefined {
  const element = itemElement(list, item);
  return typeof element === 'string' ? element : undefined;
}

/**
 * The elements of a list's items, first occurrences only. Strict (an apply
 * configuration): a missing key or a duplicate is a {@link TypedValueError}.
 * Lenient (live objects): repeated items get `undefined`, and a missing key is
 * still an error.
 */
function listElements(list: ListType, items: readonly unknown[], path: readonly PathElement[], strict: boolean): Array<PathElement | undefined> {
  const seen = new Set<PathElement>();
  const prefix = path.length === 0 ? '' : `${pathToString(path)}: `;
  return items.map((item, i) => {
    const element = itemElement(list, item);
    if (typeof element !== 'string') throw new TypedValueError(`${prefix}element ${i}: ${element.reason}`);
    if (seen.has(element)) {
      if (strict) throw new TypedValueError(`${prefix}duplicate entries for key ${elementToString(element)}`);
      return undefined;
    }
    seen.add(element);
    return element;
  });
}

/**
 * The fields a value sets (upstream `ToFieldSet`): every leaf, every item of
 * sets and associative lists, every key of maps whose values are not declared
 * struct fields, and fields set to `null` or `{}`.
 */
export function toFieldSet(value: unknown, type: FieldType, options: { strict: boolean }): FieldSet {
  const set = new FieldSet();
  const path: PathElement[] = [];
  // strict (an apply configuration): values of the wrong type, all of them, as upstream validates it
  const invalid: string[] = [];
  const walk = (v: unknown, t: FieldType): void => {
    if (options.strict) {
      const mismatch = typeMismatch(v, t);
      if (mismatch !== undefined) {
        invalid.push(`${pathToString(path)}: ${mismatch}`);
        return;
      }
    }
    const atom = atomOf(t, v);
    if (atom === 'leaf') {
      set.insert(path);
      return;
    }
    if (atom.kind === 'map') {
      if (!isPlainObject(v)) return;
      for (const key of Object.keys(v)) {
        const child = v[key];
        const declared = atom.field(key);
        path.push(fieldElement(key));
        walk(child, declared ?? atom.elementType ?? DEDUCED);
        if (child === null || (isPlainObject(child) && isEmptyObject(child)) || declared === undefined) set.insert(path);
        path.pop();
      }
      return;
    }
    if (!Array.isArray(v)) return;
    const elements = listElements(atom, v, path, options.strict);
    for (const [i, element] of elements.entries()) {
      if (element === undefined) continue;
      path.push(element);
      walk(v[i], atom.elementType);
      set.insert(path);
      path.pop();
    }
  };
  walk(value, type);
  if (invalid.length === 1) throw new TypedValueError(invalid[0]);
  if (invalid.length > 1) throw new TypedValueError(`errors:\n  ${invalid.join('\n  ')}`);
  return set;
}

/**
 * Why `value` does not fit `type` (structured-merge-diff's validation of a
 * typed value, with its words), or `undefined`. `null` fits everything.
 */
function typeMismatch(value: unknown, type: FieldType): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type.kind) {
    case 'map':
      return isPlainObject(value) ? undefined : `expected map, got ${goValueOf(value)}`;
    case 'list':
      return Array.isArray(value) ? undefined : `expected list, got ${goValueOf(value)}`;
    case 'scalar':
      switch (type.scalar) {
        case 'string':
          return typeof value === 'string' ? undefined : `expected string, got &value.valueUnstructured{Value:${goSharpV(value)}}`;
        case 'numeric':
          return typeof value === 'number' ? undefined : `expected numeric (int or float), got ${goTypeName(value)}`;
        case 'boolean':
          return typeof value === 'boolean' ? undefined : `expected boolean, got ${goValueOf(value)}`;
        default:
          return undefined;
      }
    default:
      return undefined;
  }
}

/** `%v` of a structured-merge-diff value holding `value` (a pointer to its struct). */
function goValueOf(value: unknown): string {
  return `&{${goFormat(value)}}`;
}

/** Go's `%#v` of unstructured content. */
function goSharpV(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSharpV).join(', ')}}`;
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .sort(compareStrings)
      .map((key) => `${goQuote(key)}:${goSharpV(record[key])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  return goFormat(value);
}

/** Go's `%T` of unstructured content. */
function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'object') return 'map[string]interface {}';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/**
 * Merges an apply configuration into a live value (upstream `Merge` with the
 * keep-right-hand-side rule): leaves and atomic containers are replaced,
 * maps are merged key by key, set and associative-list items by their key,
 * in the configuration's order with live-only items kept in place. Nothing
 * is removed; a field set to `null` is dropped unless the schema allows null.
 * The result shares unchanged subtrees with its inputs.
 */
export function mergeValues(live: unknown, config: unknown, type: FieldType): unknown {
  if (config === undefined) return live;
  if (live === undefined) return config;
  const atomLive = atomOf(type, live);
  const atomConfig = atomOf(type, config);
  if (atomLive === 'leaf' || atomConfig === 'leaf' || atomLive !== atomConfig) return config;
  if (atomLive.kind === 'map') {
    const l = isPlainObject(live) ? live : undefined;
    const r = isPlainObject(config) ? config : undefined;
    if (isEmptyMap(l) && isEmptyMap(r)) return config;
    const out: Record<string, unknown> = {};
    if (l) {
      for (const key of Object.keys(l)) {
        const right = r && Object.hasOwn(r, key) ? r[key] : undefined;
        put(out, key, right === undefined ? l[key] : mergeValues(l[key], right, childType(atomLive, key)));
      }
    }
    if (r) for (const key of Object.keys(r)) if (!l || !Object.hasOwn(l, key)) put(out, key, r[key]);
    for (const key of Object.keys(out)) if (out[key] === null && !atomLive.nullable(key)) delete out[key];
    return out;
  }
  const l = Array.isArray(live) ? live : [];
  const r = Array.isArray(config) ? config : [];
  if (l.length === 0 && r.length === 0) return config;
  return mergeLists(atomLive, l, r);
}

function indexItems(list: ListType, items: readonly unknown[]): { order: PathElement[]; byElement: Map<PathElement, unknown> } {
  const order: PathElement[] = [];
  const byElement = new Map<PathElement, unknown>();
  for (const item of items) {
    const element = itemElementOrUndefined(list, item);
    if (element === undefined || byElement.has(element)) continue;
    byElement.set(element, item);
    order.push(element);
  }
  return { order, byElement };
}

/**
 * Items in the configuration's order; items only the live list has stay where
 * they were relative to the shared ones (upstream's merge order).
 */
function mergeLists(list: ListType, live: readonly unknown[], config: readonly unknown[]): unknown[] {
  const lhs = indexItems(list, live);
  const rhs = indexItems(list, config);
  const shared = rhs.order.filter((e) => lhs.byElement.has(e));
  let sharedIndex = 0;
  let nextShared = shared[sharedIndex++];
  const out: unknown[] = [];
  const merge = (e: PathElement) => mergeValues(lhs.byElement.get(e), rhs.byElement.get(e), list.elementType);
  let li = 0;
  let ri = 0;
  while (li < lhs.order.length || ri < rhs.order.length) {
    const before = li + ri;
    if (li < lhs.order.length && ri < rhs.order.length) {
      const e = lhs.order[li]!;
      if (e === rhs.order[ri]) {
        out.push(merge(e));
        li++;
        ri++;
        nextShared = shared[sharedIndex++];
        continue;
      }
      if (rhs.byElement.has(e) && nextShared !== undefined && nextShared !== e) {
        // a shared item, merged when the configuration reaches it
        li++;
        continue;
      }
    }
    if (li < lhs.order.length) {
      const e = lhs.order[li]!;
      if (!rhs.byElement.has(e)) {
        out.push(lhs.byElement.get(e));
        li++;
        continue;
      }
    }
    if (ri < rhs.order.length) {
      const e = rhs.order[ri]!;
      out.push(merge(e));
      ri++;
      if (nextShared === e) nextShared = shared[sharedIndex++];
    }
    if (li + ri === before) li++; // a live item already merged through the configuration
  }
  return out;
}

/** What changed between two values (upstream `Comparison`). */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * Compares two values: leaves (and atomic containers) added, removed or
 * modified, and containers added or removed as a whole.
 */
export function compareValues(lhs: unknown, rhs: unknown, type: FieldType): Comparison {
  const added = new FieldSet();
  const modified = new FieldSet();
  const removed = new FieldSet();
  const path: PathElement[] = [];
  const leaf = (l: unknown, r: unknown) => {
    if (l === undefined) added.insert(path);
    else if (r === undefined) removed.insert(path);
    else if (!jsonEqual(l, r)) modified.insert(path);
  };
  const walk = (l: unknown, r: unknown, t: FieldType): void => {
    const atomL = l === undefined ? undefined : atomOf(t, l);
    const atomR = r === undefined ? undefined : atomOf(t, r);
    const atom = atomL === undefined ? atomR! : atomR === undefined ? atomL : atomL === atomR ? atomL : 'leaf';
    if (atom === 'leaf') return leaf(l, r);
    if (atom.kind === 'map') {
      const lm = isPlainObject(l) ? l : undefined;
      const rm = isPlainObject(r) ? r : undefined;
      if (isEmptyMap(lm) && isEmptyMap(rm)) return leaf(l, r);
      if (lm) {
        for (const key of Object.keys(lm)) {
          path.push(fieldElement(key));
          walk(lm[key], rm && Object.hasOwn(rm, key) ? rm[key] : undefined, childType(atom, key));
          path.pop();
        }
      }
      if (rm) {
        for (const key of Object.keys(rm)) {
          if (lm && Object.hasOwn(lm, key)) continue;
          path.push(fieldElement(key));
          walk(undefined, rm[key], childType(atom, key));
          path.pop();
        }
      }
    } else {
      const ll = Array.isArray(l) ? l : [];
      const rl = Array.isArray(r) ? r : [];
      if (ll.length === 0 && rl.length === 0) return leaf(l, r);
      const lhsItems = indexItems(atom, ll);
      const rhsItems = indexItems(atom, rl);
      for (const e of lhsItems.order) {
        path.push(e);
        walk(lhsItems.byElement.get(e), rhsItems.byElement.get(e), atom.elementType);
        path.pop();
      }
      for (const e of rhsItems.order) {
        if (lhsItems.byElement.has(e)) continue;
        path.push(e);
        walk(undefined, rhsItems.byElement.get(e), atom.elementType);
        path.pop();
      }
    }
    if (l === undefined) added.insert(path);
    else if (r === undefined) removed.insert(path);
  };
  walk(lhs, rhs, type);
  return { added, modified, removed };
}

/**
 * The FieldsV1 encoding of everything below a value that is new, as
 * `compareValues(undefined, value, type).added` would have it (every map key
 * and list item a member; containers with contents carry `"."`), written in
 * one walk without building a field set. `self` adds the value's own `"."`
 * when it has contents (it is a member itself). Map keys in `omit` are not
 * members (what is below them still is), as a difference with those exact
 * paths would leave them. A create's manager owns this (see the field manager).
 */
export function addedFieldsV1(value: unknown, type: FieldType, self: boolean, omit?: ReadonlySet<string>): Record<string, unknown> {
  const atom = atomOf(type, value);
  if (atom === 'leaf') return {};
  if (atom.kind === 'map') {
    if (!isPlainObject(value)) return {};
    const keys = Object.keys(value);
    if (keys.length === 0) return {};
    const out: Record<string, unknown> = self ? { '.': {} } : {};
    for (const key of sortKeys(keys)) {
      // a member set to undefined is not written (JSON has no such value)
      if (value[key] === undefined) continue;
      const omitted = omit?.has(key) === true;
      const fields = addedFieldsV1(value[key], childType(atom, key), !omitted);
      if (omitted && isEmptyObject(fields)) continue;
      out[fieldElement(key)] = fields;
    }
    return out;
  }
  if (!Array.isArray(value) || value.length === 0) return {};
  const { order, byElement } = indexItems(atom, value);
  if (order.length === 0) return {};
  const out: Record<string, unknown> = self ? { '.': {} } : {};
  for (const element of sortElements(order)) out[element] = addedFieldsV1(byElement.get(element), atom.elementType, true);
  return out;
}

/** Map keys in upstream's order of their field elements: the code point order of the keys. */
function sortKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  for (const key of keys) {
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0xd800) return keys.sort(compareStrings);
  }
  // below U+D800, UTF-16 order is code point order: JavaScript's default sort
  return keys.sort();
}

/**
 * The FieldsV1 encoding of the fields `compareValues(base, value, type)`
 * finds added or modified, for a `base` that is a map of scalars and empty
 * maps (the object a create starts from), in one walk: the fields of `skip`
 * left out with everything below them, and the keys `omitBelow` names for a
 * field not members there (see addedFieldsV1). `undefined` when a field of
 * `base` meets a value this does not decide (anything but an equal value,
 * another scalar, or a granular map): the general comparison does.
 */
export function changedFieldsV1(
  base: Record<string, unknown>,
  value: Record<string, unknown>,
  type: MapType,
  skip: ReadonlySet<string>,
  omitBelow: ReadonlyMap<string, ReadonlySet<string>>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of sortKeys(Object.keys(value))) {
    const child = value[key];
    if (skip.has(key) || child === undefined) continue;
    const t = childType(type, key);
    if (!Object.hasOwn(base, key)) {
      out[fieldElement(key)] = addedFieldsV1(child, t, true, omitBelow.get(key));
      continue;
    }
    const from = base[key];
    if (jsonEqual(from, child)) continue;
    const atomFrom = atomOf(t, from);
    const atomTo = atomOf(t, child);
    if (atomFrom === 'leaf' && atomTo === 'leaf') {
      // a changed leaf: modified, a member without contents
      out[fieldElement(key)] = {};
    } else if (atomFrom !== 'leaf' && atomFrom === atomTo && atomFrom.kind === 'map' && isPlainObject(from) && isEmptyObject(from) && isPlainObject(child)) {
      // an empty map gaining keys: they are added, the map itself was there
      const fields = addedFieldsV1(child, t, false, omitBelow.get(key));
      if (!isEmptyObject(fields)) out[fieldElement(key)] = fields;
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * The value without the fields, map keys and list items that are members of
 * `set` (upstream `RemoveItems`). Containers emptied by the removal are
 * dropped, as a Go object drops its nil maps and slices.
 */
export function removeItems(value: unknown, set: FieldSet, type: FieldType): unknown {
  const atom = atomOf(type, value);
  if (atom === 'leaf') return value;
  if (atom.kind === 'map') {
    if (!isPlainObject(value) || isEmptyObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const element = fieldElement(key);
      if (set.members.has(element)) continue;
      const below = set.children.get(element);
      const child = below ? removeItems(value[key], below, childType(atom, key)) : value[key];
      if (child !== undefined) put(out, key, child);
    }
    return isEmptyObject(out) ? undefined : out;
  }
  if (!Array.isArray(value) || value.length === 0) return value;
  const out: unknown[] = [];
  for (const item of value as unknown[]) {
    const element = itemElementOrUndefined(atom, item);
    if (element !== undefined && set.members.has(element)) continue;
    const below = element === undefined ? undefined : set.children.get(element);
    const child = below ? removeItems(item, below, atom.elementType) : item;
    if (child !== undefined) out.push(child);
  }
  return out.length === 0 ? undefined : out;
}

/**
 * The set plus, as members, every declared struct field that has members
 * below it (upstream `EnsureNamedFieldsAreMembers`): owning `spec.replicas`
 * implies owning the struct field `spec`, but owning `data.k` does not make
 * the map key `k`'s parent a member.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: FieldType): FieldSet {
  const out = new FieldSet();
  for (const member of set.members) out.members.add(member);
  const map = type.kind === 'map' ? type : type.kind === 'deduced' ? DEDUCED_MAP : undefined;
  for (const [element, child] of set.children) {
    if (map && element.startsWith('f:') && map.field(element.slice(2)) !== undefined) out.members.add(element);
    out.children.set(element, ensureNamedFieldsAreMembers(child, typeBelow(type, element)));
  }
  return out;
}

/** The type of the values under `element` of a value of `type`. */
function typeBelow(type: FieldType, element: PathElement): FieldType {
  switch (type.kind) {
    case 'map':
      return element.startsWith('f:') ? childType(type, element.slice(2)) : SCALAR;
    case 'list':
      return type.elementType;
    case 'deduced':
      return DEDUCED;
    default:
      return SCALAR;
  }
}

/** Keeps only the paths under the top-level field `name` (a status subresource's view of a set). */
export function onlyField(set: FieldSet, name: string): FieldSet {
  const element = fieldElement(name);
  const out = new FieldSet();
  if (set.members.has(element)) out.members.add(element);
  const below = set.children.get(element);
  if (below) out.children.set(element, below);
  return out;
}

/** Removes every path under the top-level field `name` (status written through the main resource). */
export function withoutField(set: FieldSet, name: string): FieldSet {
  return set.recursiveDifference(FieldSet.of([fieldElement(name)]));
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyObject(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 0;
}

function isEmptyMap(value: Record<string, unknown> | undefined): boolean {
  return value === undefined || isEmptyObject(value);
}
