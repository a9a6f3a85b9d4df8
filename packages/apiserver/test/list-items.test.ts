import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBuiltin } from '../src/builtin/define';
import { listItemJson, toListItem } from '../src/rest/objects';
import { readEvents, startTestServer } from './harness';

// kube-apiserver serves its own types as Go typed lists: the items carry no
// apiVersion and kind (python's `items[0].kind` is None). Custom resources'
// items keep them (crd.test.ts); single objects and watch events keep them.

let t: Awaited<ReturnType<typeof startTestServer>>;
const CMS = '/clusters/li/api/v1/namespaces/default/configmaps';
beforeAll(async () => {
  t = await startTestServer();
  for (const cluster of ['li', 'li2']) {
    await t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  }
  for (const name of ['a', 'b', 'c']) {
    expect((await t.request('POST', CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: 'one' } }, data: { k: name } })).status).toBe(201);
  }
  // the kind first, as a protobuf or Go client may order it
  const kindFirst = '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"d","labels":{"set":"one"}}}';
  expect((await t.request('POST', CMS, kindFirst)).status).toBe(201);
  // python's member order, and no type at all: stored with both in front
  const pythonOrder = '{"apiVersion":"v1","data":{"k":"p"},"kind":"ConfigMap","metadata":{"name":"p","labels":{"set":"one"}}}';
  expect((await t.request('POST', CMS, pythonOrder)).status).toBe(201);
  expect((await t.request('POST', CMS, '{"metadata":{"name":"q","labels":{"set":"one"}}}')).status).toBe(201);
  await t.request('POST', '/clusters/li2/api/v1/namespaces/default/configmaps', { metadata: { name: 'other', labels: { set: 'one' } } });
});
afterAll(async () => {
  await t.stop();
});

const typeMeta = (items: any[]) => items.map((i) => [i.metadata.name, i.apiVersion, i.kind]);
const noTypeMeta = (names: string[]) => names.map((name) => [name, undefined, undefined]);

describe('items of built-in lists', () => {
  it('carry no apiVersion and kind, from the watch cache and from the store', async () => {
    for (const query of ['?labelSelector=set%3Done', '?labelSelector=set%3Done&resourceVersion=0']) {
      const list = (await t.request('GET', `${CMS}${query}`)).json();
      expect([list.kind, list.apiVersion]).toEqual(['ConfigMapList', 'v1']);
      expect(typeMeta(list.items)).toEqual(noTypeMeta(['a', 'b', 'c', 'd', 'p', 'q']));
      expect(list.items[0]).toMatchObject({ metadata: { namespace: 'default' }, data: { k: 'a' } });
    }
    // paged: read from the store
    const first = (await t.request('GET', `${CMS}?labelSelector=set%3Done&limit=3`)).json();
    expect(typeMeta(first.items)).toEqual(noTypeMeta(['a', 'b', 'c']));
    const rest = (await t.request('GET', `${CMS}?labelSelector=set%3Done&limit=3&continue=${first.metadata.continue}`)).json();
    expect(typeMeta(rest.items)).toEqual(noTypeMeta(['d', 'p', 'q']));
    // every cluster
    const all = (await t.request('GET', '/clusters/*/api/v1/configmaps?labelSelector=set%3Done')).json();
    expect(typeMeta(all.items)).toEqual(noTypeMeta(['a', 'b', 'c', 'd', 'p', 'q', 'other']));
  });

  it('come from objects stored with apiVersion and kind in front, whatever the body had', async () => {
    for (const name of ['p', 'q']) {
      const r = await t.request('GET', `${CMS}/${name}`);
      if (!('body' in r)) throw new Error('a stream');
      expect(Buffer.from(r.body).toString()).toMatch(/^\{"apiVersion":"v1","kind":"ConfigMap","(metadata|data)":/);
    }
  });

  it('carry none as YAML either', async () => {
    const r = await t.request('GET', `${CMS}?labelSelector=set%3Done`, undefined, { accept: 'application/yaml' });
    if (!('body' in r)) throw new Error('a stream');
    const text = Buffer.from(r.body).toString();
    expect(text).toMatch(/^apiVersion: v1\nitems:\n- data:\n {4}k: a\n {2}metadata:\n/);
    expect(text).toMatch(/\nkind: ConfigMapList\n/);
    expect(text).not.toMatch(/\n {2}kind: ConfigMap\n/);
  });

  it('carry none in the answer of a delete collection, while the object and its watch events keep them', async () => {
    const one = (await t.request('GET', `${CMS}/a`)).json();
    expect([one.apiVersion, one.kind]).toEqual(['v1', 'ConfigMap']);
    const watch = await t.request('GET', `${CMS}?watch=true&labelSelector=gone%3Dyes&resourceVersion=${one.metadata.resourceVersion}`);
    await t.request('POST', CMS, { metadata: { name: 'e', labels: { gone: 'yes' } } });
    const deleted = await t.request('DELETE', `${CMS}?labelSelector=gone%3Dyes`);
    expect(deleted.status).toBe(200);
    expect(deleted.json().kind).toBe('ConfigMapList');
    expect(typeMeta(deleted.json().items)).toEqual(noTypeMeta(['e']));
    const events = await readEvents(watch, 2);
    watch.abort();
    expect(events.map((e) => [e.type, e.object.apiVersion, e.object.kind])).toEqual([
      ['ADDED', 'v1', 'ConfigMap'],
      ['DELETED', 'v1', 'ConfigMap'],
    ]);
  });
});

describe('listItemJson', () => {
  const definition = defineBuiltin({ group: 'example.io', version: 'v1', resource: 'things', kind: 'Thing', singular: 'thing', namespaced: true, strategy: {} as never });
  const custom = defineBuiltin({ group: 'example.io', version: 'v1', resource: 'things', kind: 'Thing', singular: 'thing', namespaced: true, strategy: {} as never, typedList: false });

  it('cuts the leading apiVersion and kind off, in either order, as toListItem drops them', () => {
    for (const json of [
      '{"apiVersion":"example.io/v1","kind":"Thing","metadata":{"name":"x"}}',
      '{"kind":"Thing","apiVersion":"example.io/v1","metadata":{"name":"x"}}',
      '{"metadata":{"name":"x"},"apiVersion":"example.io/v1","kind":"Thing"}',
      '{"apiVersion":"example.io/v1","metadata":{"name":"x"},"kind":"Thing"}',
    ]) {
      expect(listItemJson(definition, json)).toBe('{"metadata":{"name":"x"}}');
      expect(JSON.stringify(toListItem(definition, JSON.parse(json)))).toBe('{"metadata":{"name":"x"}}');
    }
    expect(listItemJson(definition, '{"apiVersion":"example.io/v1","kind":"Thing"}')).toBe('{}');
    // a prefix that only looks alike is not cut
    expect(listItemJson(definition, '{"apiVersion":"example.io/v1","kind":"Things","metadata":{}}')).toBe('{"metadata":{}}');
    expect(listItemJson(definition, '{"apiVersion":"example.io/v1","kind":"Thing2","metadata":{}}')).toBe('{"metadata":{}}');
  });

  it('leaves items of custom resources alone', () => {
    const json = '{"apiVersion":"example.io/v1","kind":"Thing","metadata":{"name":"x"}}';
    expect(listItemJson(custom, json)).toBe(json);
    expect(toListItem(custom, JSON.parse(json))).toEqual(JSON.parse(json));
  });
});
