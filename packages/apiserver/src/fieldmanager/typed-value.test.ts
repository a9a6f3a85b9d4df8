import { describe, expect, it } from 'vitest';
import { FieldSet } from './field-set';
import { typeForDefinition } from './schema-types';
import { configMaps, cowboys } from './test-fixtures';
import { addedFieldsV1, compareValues, ensureNamedFieldsAreMembers, mergeValues, onlyField, removeItems, toFieldSet, TypedValueError, withoutField } from './typed-value';

const cowboy = typeForDefinition(cowboys);
const cm = typeForDefinition(configMaps);
const pathsOf = (s: FieldSet) => s.paths().map((p) => p.join('/'));
const set = (...paths: string[]) => FieldSet.of(...paths.map((p) => p.split('/')));

describe('toFieldSet', () => {
  it('owns leaves, set and list items, map keys, and null or empty fields', () => {
    const value = {
      apiVersion: 'example.io/v1',
      kind: 'Cowboy',
      metadata: { name: 'joe', labels: { a: 'b' }, finalizers: ['x'] },
      spec: {
        horses: [{ name: 'silver', color: 'white' }],
        ports: [{ port: 80 }],
        hats: ['stetson'],
        boots: ['left', 'right'],
        saddle: { brand: 'acme' },
        notes: { n: 'v' },
        extra: { known: 'k', free: { deep: 1 }, list: [1] },
        anything: { x: 1 },
        size: 3,
        nickname: null,
        status: {},
      },
    };
    expect(pathsOf(toFieldSet(value, cowboy, { strict: true }))).toEqual([
      'f:apiVersion',
      'f:kind',
      'f:metadata/f:finalizers/v:"x"',
      'f:metadata/f:labels/f:a',
      'f:metadata/f:name',
      'f:spec/f:anything',
      'f:spec/f:boots',
      'f:spec/f:extra/f:free',
      'f:spec/f:extra/f:free/f:deep',
      'f:spec/f:extra/f:known',
      'f:spec/f:extra/f:list',
      'f:spec/f:hats/v:"stetson"',
      'f:spec/f:horses/k:{"name":"silver"}',
      'f:spec/f:horses/k:{"name":"silver"}/f:color',
      'f:spec/f:horses/k:{"name":"silver"}/f:name',
      'f:spec/f:nickname',
      'f:spec/f:notes/f:n',
      'f:spec/f:ports/k:{"port":80,"protocol":"TCP"}',
      'f:spec/f:ports/k:{"port":80,"protocol":"TCP"}/f:port',
      'f:spec/f:saddle',
      'f:spec/f:size',
      'f:spec/f:status',
    ]);
  });

  it('owns an empty map field but not an empty granular list', () => {
    expect(pathsOf(toFieldSet({ data: {}, metadata: { finalizers: [] } }, cm, { strict: true }))).toEqual(['f:data']);
  });

  it.each([
    [
      'an item without its key',
      { spec: { horses: [{ color: 'white' }] } },
      '.spec.horses: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    ],
    ['an item whose key is null', { spec: { horses: [{ name: null }] } }, '.spec.horses: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)'],
    ['a non-object item', { spec: { horses: [{ name: 'a' }, 'b'] } }, '.spec.horses: element 1: associative list with keys may not have non-map elements'],
    ['duplicate keys', { spec: { horses: [{ name: 'a' }, { name: 'a', color: 'x' }] } }, '.spec.horses: duplicate entries for key [name="a"]'],
    ['duplicate set members', { spec: { hats: ['a', 'a'] } }, '.spec.hats: duplicate entries for key [="a"]'],
    ['an object in a set', { spec: { hats: [{ a: 1 }] } }, ".spec.hats: element 0: associative list without keys has an element that's a map type"],
    ['a list in a set', { spec: { hats: [[1]] } }, ".spec.hats: element 0: associative list without keys has an element that's a list type"],
  ])('rejects %s in an apply configuration', (_name, value, message) => {
    expect(() => toFieldSet(value, cowboy, { strict: true })).toThrow(new TypedValueError(message));
  });

  it('tolerates duplicates in live objects (first occurrence wins)', () => {
    const value = { spec: { horses: [{ name: 'a' }, { name: 'a', color: 'x' }] } };
    expect(pathsOf(toFieldSet(value, cowboy, { strict: false }))).toEqual(['f:spec/f:horses/k:{"name":"a"}', 'f:spec/f:horses/k:{"name":"a"}/f:name']);
  });
});

describe('mergeValues', () => {
  it('merges maps, replaces leaves and atomic values, merges sets and keyed lists by key', () => {
    const live = {
      metadata: { name: 'joe', labels: { a: '1', b: '2' } },
      spec: {
        horses: [{ name: 'silver', color: 'white', age: 3 }, { name: 'scout', color: 'brown' }],
        hats: ['stetson', 'bowler'],
        boots: ['left', 'right'],
        saddle: { brand: 'acme', size: 2 },
        motto: 'yeehaw',
        nickname: 'j',
      },
    };
    const config = {
      metadata: { name: 'joe', labels: { b: '3', c: '4' } },
      spec: { horses: [{ name: 'silver', color: 'grey' }], hats: ['cap'], boots: ['left'], saddle: { brand: 'other' }, motto: null, nickname: null },
    };
    expect(mergeValues(live, config, cowboy)).toEqual({
      metadata: { name: 'joe', labels: { a: '1', b: '3', c: '4' } },
      spec: {
        horses: [{ name: 'silver', color: 'grey', age: 3 }, { name: 'scout', color: 'brown' }],
        hats: ['stetson', 'bowler', 'cap'],
        boots: ['left'],
        saddle: { brand: 'other' },
        nickname: null,
      },
    });
  });

  it.each([
    ['configuration order for shared items, live-only items in place', ['a', 'b', 'c'], ['c', 'a'], ['b', 'c', 'a']],
    ['live-only items before a shared one stay before it', ['x', 'a'], ['a', 'y'], ['x', 'a', 'y']],
    ['new items after the shared ones', ['a', 'b'], ['b', 'z'], ['a', 'b', 'z']],
    ['reversed', ['a', 'b'], ['b', 'a'], ['b', 'a']],
    ['no live items', [], ['a'], ['a']],
  ])('orders list items: %s', (_name, live, config, expected) => {
    const horses = (names: string[]) => ({ spec: { horses: names.map((name) => ({ name })) } });
    const merged = mergeValues(horses(live), horses(config), cowboy) as { spec: { horses: Array<{ name: string }> } };
    expect(merged.spec.horses.map((h) => h.name)).toEqual(expected);
  });

  it('keeps the live map when the configuration sets it to null', () => {
    expect(mergeValues({ data: { a: 'b' } }, { data: null }, cm)).toEqual({ data: { a: 'b' } });
  });

  it('replaces a value whose shape changed (unstructured object to string)', () => {
    expect(mergeValues({ spec: { extra: { free: { a: 1 } } } }, { spec: { extra: { free: 'now a string' } } }, cowboy)).toEqual({
      spec: { extra: { free: 'now a string' } },
    });
  });

  it('keeps a key named __proto__ as data', () => {
    const merged = mergeValues({ data: {} }, JSON.parse('{"data":{"__proto__":"x"}}'), cm) as { data: Record<string, unknown> };
    expect(Object.keys(merged.data)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(merged.data)).toBe(Object.prototype);
  });
});

describe('compareValues', () => {
  it('reports modified and added leaves and added containers', () => {
    const c = compareValues({ metadata: {}, data: { a: '1', b: '2' } }, { metadata: { labels: { x: 'y' } }, data: { a: '1', b: '3', c: '4' } }, cm);
    expect(pathsOf(c.modified)).toEqual(['f:data/f:b']);
    expect(pathsOf(c.added)).toEqual(['f:data/f:c', 'f:metadata/f:labels', 'f:metadata/f:labels/f:x']);
    expect(c.removed.isEmpty()).toBe(true);
  });

  it('reports removed leaves and containers', () => {
    const c = compareValues({ data: { a: '1' }, binaryData: {} }, {}, cm);
    expect(pathsOf(c.removed)).toEqual(['f:binaryData', 'f:data', 'f:data/f:a']);
  });

  it('compares atomic values as a whole and keyed items by key', () => {
    const c = compareValues(
      { spec: { boots: ['a'], saddle: { brand: 'x' }, horses: [{ name: 'a', color: 'b' }, { name: 'c' }] } },
      { spec: { boots: ['a', 'b'], saddle: { brand: 'x' }, horses: [{ name: 'c' }, { name: 'a', color: 'z' }] } },
      cowboy,
    );
    expect(pathsOf(c.modified)).toEqual(['f:spec/f:boots', 'f:spec/f:horses/k:{"name":"a"}/f:color']);
    expect(c.added.isEmpty() && c.removed.isEmpty()).toBe(true);
  });
});

describe('addedFieldsV1', () => {
  it('encodes what compareValues finds added, less the exact paths omitted, in one walk', () => {
    const value = {
      keep: { a: 1, '\u{1F600}': 2, '\uE000': 3, b: [1, { c: 2 }] },
      omitLeaf: 'x',
      omitMap: { inner: { deep: true }, leaf: null },
      list: [],
      empty: {},
    };
    const deduced = typeForDefinition(configMaps).field('data')!; // a map of strings: values typed, keys free
    const expected = (type: typeof deduced) =>
      compareValues(undefined, value, type)
        .added.difference(set('f:omitLeaf'))
        .difference(set('f:omitMap'))
        .toFieldsV1();
    const untyped = { kind: 'deduced' } as const;
    for (const type of [untyped, deduced]) {
      expect(JSON.stringify(addedFieldsV1(value, type, false, new Set(['omitLeaf', 'omitMap'])))).toBe(JSON.stringify(expected(type)));
    }
    // an associative list's items by key, first occurrence, keyless items left out
    const horses = [{ name: 'b', color: 'c' }, { name: 'a' }, { name: 'b' }, { color: 'keyless' }];
    const horsesType = (cowboy.field('spec') as typeof cm).field('horses')!;
    expect(addedFieldsV1(horses, horsesType, false)).toEqual(compareValues(undefined, horses, horsesType).added.toFieldsV1());
    expect(Object.keys(addedFieldsV1(horses, horsesType, true))).toEqual(['.', 'k:{"name":"a"}', 'k:{"name":"b"}']);
  });
});

describe('removeItems', () => {
  it('removes fields, map keys, set members and keyed items, dropping emptied containers', () => {
    const value = { data: { k: 'v' }, metadata: { name: 'n', finalizers: ['a', 'b'], labels: { x: 'y', z: 'w' } } };
    const removed = removeItems(value, set('f:data/f:k', 'f:metadata/f:finalizers/v:"a"', 'f:metadata/f:labels/f:x'), cm);
    expect(removed).toEqual({ metadata: { name: 'n', finalizers: ['b'], labels: { z: 'w' } } });
    const horses = { spec: { horses: [{ name: 'a', color: 'x' }, { name: 'b', color: 'y' }] } };
    expect(removeItems(horses, set('f:spec/f:horses/k:{"name":"a"}', 'f:spec/f:horses/k:{"name":"b"}/f:color'), cowboy)).toEqual({
      spec: { horses: [{ name: 'b' }] },
    });
  });
});

describe('field set helpers', () => {
  it('makes declared struct fields above members into members, not map keys', () => {
    const named = ensureNamedFieldsAreMembers(set('f:spec/f:horses/k:{"name":"a"}/f:color', 'f:spec/f:notes/f:n/f:x'), cowboy);
    expect(pathsOf(named)).toEqual([
      'f:spec',
      'f:spec/f:horses',
      'f:spec/f:horses/k:{"name":"a"}/f:color',
      'f:spec/f:notes',
      'f:spec/f:notes/f:n/f:x',
    ]);
  });

  it('narrows to or removes the status subtree', () => {
    const s = set('f:spec/f:a', 'f:status', 'f:status/f:phase');
    expect(pathsOf(onlyField(s, 'status'))).toEqual(['f:status', 'f:status/f:phase']);
    expect(pathsOf(withoutField(s, 'status'))).toEqual(['f:spec/f:a']);
  });
});
