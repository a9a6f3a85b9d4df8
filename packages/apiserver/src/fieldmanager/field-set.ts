/**
 * Sets of field paths as a trie, with the set algebra of structured-merge-diff
 * (`fieldpath.Set`) and the FieldsV1 encoding stored in `managedFields`.
 */
import { canonicalElement, compareElements, type FieldPath, type PathElement, PathElementError } from './path';

/** Thrown when a FieldsV1 value cannot be decoded. */
export class FieldsV1Error extends Error {
  override readonly name = 'FieldsV1Error';
}

/**
 * A set of field paths. Each level holds the elements that are members at
 * that level and the child sets of elements with members below them; a path
 * can be both a member and a prefix of other members (FieldsV1 `".": {}`).
 *
 * Sets are built with {@link FieldSet.insert} and then treated as immutable:
 * the algebra returns new sets that may share unchanged subtrees with their
 * operands.
 */
export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();
  /** the FieldsV1 form, once computed or when decoded from a canonical trie */
  private encoded: Record<string, unknown> | undefined;

  /** A set holding the given paths. */
  static of(...paths: FieldPath[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds a path (the empty path, the root, is never a member). */
  insert(path: FieldPath): void {
    insertFrom(this, path, 0);
  }

  /** Whether `path` is a member. */
  has(path: FieldPath): boolean {
    return hasFrom(this, path, 0);
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  /** The members below `element` (`undefined` when none). */
  withPrefix(element: PathElement): FieldSet | undefined {
    return this.children.get(element);
  }

  union(other: FieldSet): FieldSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    let changed = false;
    for (const m of this.members) out.members.add(m);
    for (const m of other.members) {
      if (!out.members.has(m)) changed = true;
      out.members.add(m);
    }
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      const both = theirs ? child.union(theirs) : child;
      if (both !== child) changed = true;
      out.children.set(element, both);
    }
    for (const [element, child] of other.children) {
      if (this.children.has(element)) continue;
      changed = true;
      out.children.set(element, child);
    }
    return changed ? out : this;
  }

  intersection(other: FieldSet): FieldSet {
    if (other === this) return this;
    const out = new FieldSet();
    let changed = false;
    for (const m of this.members) {
      if (other.members.has(m)) out.members.add(m);
      else changed = true;
    }
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      const both = theirs ? child.intersection(theirs) : undefined;
      if (both !== child) changed = true;
      if (both && !both.isEmpty()) out.children.set(element, both);
    }
    return changed ? out : this;
  }

  /** The members of this set that are not members of `other` (exact paths: a member of `other` does not remove the paths below it). */
  difference(other: FieldSet): FieldSet {
    return this.subtract(other, false);
  }

  /** Like {@link difference}, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    return this.subtract(other, true);
  }

  /** Set difference; returns `this` itself when nothing is removed, so unchanged sets keep their identity (and encoding). */
  private subtract(other: FieldSet, recursive: boolean): FieldSet {
    const out = new FieldSet();
    let changed = false;
    for (const m of this.members) {
      if (other.members.has(m)) changed = true;
      else out.members.add(m);
    }
    for (const [element, child] of this.children) {
      if (recursive && other.members.has(element)) {
        changed = true;
        continue;
      }
      const theirs = other.children.get(element);
      const rest = theirs ? child.subtract(theirs, recursive) : child;
      if (rest !== child) changed = true;
      if (!rest.isEmpty()) out.children.set(element, rest);
    }
    return changed ? out : this;
  }

  /** Every member path, in upstream's order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (set: FieldSet, prefix: PathElement[]) => {
      for (const element of sortedElements(set)) {
        if (set.members.has(element)) out.push([...prefix, element]);
        const child = set.children.get(element);
        if (child) walk(child, [...prefix, element]);
      }
    };
    walk(this, []);
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /**
   * The FieldsV1 trie: `{"f:data": {".": {}, "f:k": {}}}`, elements in
   * upstream order. The result is computed once per set and shared: treat it
   * as read-only.
   */
  toFieldsV1(): Record<string, unknown> {
    if (this.encoded) return this.encoded;
    const out: Record<string, unknown> = {};
    for (const element of sortedElements(this)) {
      const child = this.children.get(element);
      if (child && !child.isEmpty()) out[element] = this.members.has(element) ? { '.': {}, ...child.toFieldsV1() } : child.toFieldsV1();
      else if (this.members.has(element)) out[element] = {};
    }
    this.encoded = out;
    return out;
  }

  /** Decodes a FieldsV1 trie; throws {@link FieldsV1Error} on anything else. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (!isPlainObject(fields)) throw new FieldsV1Error('FieldsV1 must be a JSON object');
    if (readLevel(set, fields, true)) set.encoded = fields;
    return set;
  }
}

function insertFrom(set: FieldSet, path: FieldPath, i: number): void {
  if (i >= path.length) return;
  const element = path[i]!;
  if (i === path.length - 1) {
    set.members.add(element);
    return;
  }
  let child = set.children.get(element);
  if (!child) {
    child = new FieldSet();
    set.children.set(element, child);
  }
  insertFrom(child, path, i + 1);
}

function hasFrom(set: FieldSet, path: FieldPath, i: number): boolean {
  if (i >= path.length) return false;
  if (i === path.length - 1) return set.members.has(path[i]!);
  const child = set.children.get(path[i]!);
  return child !== undefined && hasFrom(child, path, i + 1);
}

/**
 * Reads one level of a trie into `set`; returns whether the level is exactly
 * what {@link FieldSet.toFieldsV1} would write (canonical elements in order,
 * `{}` for plain members, `"."` first), in which case the decoded object can
 * stand for its own encoding.
 */
function readLevel(set: FieldSet, fields: Record<string, unknown>, root: boolean): boolean {
  let canonical = true;
  let previous: PathElement | undefined;
  for (const [index, raw] of Object.keys(fields).entries()) {
    const value = fields[raw];
    if (raw === '.') {
      if (root || index !== 0 || !isPlainObject(value) || Object.keys(value).length > 0) canonical = false;
      continue;
    }
    let element: PathElement;
    try {
      element = canonicalElement(raw);
    } catch (err) {
      if (err instanceof PathElementError) throw new FieldsV1Error(err.message);
      throw err;
    }
    if (element !== raw || (previous !== undefined && compareElements(previous, element) >= 0)) canonical = false;
    previous = element;
    if (!isPlainObject(value)) throw new FieldsV1Error(`the value of ${JSON.stringify(raw)} must be a JSON object`);
    const keys = Object.keys(value);
    const hasSelf = Object.hasOwn(value, '.');
    if (keys.length === 0 || hasSelf) set.members.add(element);
    if (keys.length === 1 && hasSelf) canonical = false; // a plain member is written as {}
    if (keys.some((k) => k !== '.')) {
      let child = set.children.get(element);
      if (!child) {
        child = new FieldSet();
        set.children.set(element, child);
      }
      if (!readLevel(child, value, false)) canonical = false;
      if (child.isEmpty()) set.children.delete(element);
    }
  }
  return canonical;
}

function sortedElements(set: FieldSet): PathElement[] {
  const all = [...set.members];
  for (const element of set.children.keys()) if (!set.members.has(element)) all.push(element);
  return sortElements(all);
}

/** Sorts the elements of one level in place into upstream's order (FieldsV1 is written in it). */
export function sortElements(elements: PathElement[]): PathElement[] {
  if (elements.length < 2) return elements;
  // fields only, below U+D800: upstream's order is the plain order of the strings, JavaScript's default sort
  return elements.every(isPlainField) ? elements.sort() : elements.sort(compareElements);
}

/** Code units at or above U+D800 (where UTF-16 order and code point order part). */
const BEYOND_SURROGATES = /[\ud800-\uffff]/;

function isPlainField(element: PathElement): boolean {
  return element.charCodeAt(0) === 0x66 && element.charCodeAt(1) === 0x3a && !BEYOND_SURROGATES.test(element);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
