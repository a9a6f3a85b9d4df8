import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './bad-input-helpers';
import { readEvents, startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
const NS = '/clusters/negotiation/api/v1/namespaces';
const CMS = `${NS}/default/configmaps`;
beforeAll(async () => {
  t = await startTestServer();
  expect((await t.request('POST', NS, { metadata: { name: 'default' } })).status).toBe(201);
  expect((await t.request('POST', CMS, { metadata: { name: 'c1', labels: { app: 'x' } }, data: { num: '123', text: 'a: b' } })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

const YAML = 'application/yaml';
const PARTIAL = (as: string) => `application/json;as=${as};g=meta.k8s.io;v=v1,application/json`;

function text(response: Awaited<ReturnType<typeof t.request>>): string {
  if (!('body' in response)) throw new Error('a stream');
  return typeof response.body === 'string' ? response.body : Buffer.from(response.body).toString();
}

async function get(url: string, accept?: string) {
  return t.request('GET', url, undefined, accept === undefined ? {} : { accept });
}

describe('YAML responses (Accept: application/yaml)', () => {
  it('serves an object, a list and a created object as YAML, the same content as the JSON', async () => {
    const json = (await get(`${CMS}/c1`)).json();
    const r = await get(`${CMS}/c1`, YAML);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/yaml');
    expect(text(r)).toMatch(/^apiVersion: v1\ndata:\n {2}num: "123"\n {2}text: 'a: b'\nkind: ConfigMap\nmetadata:\n/);
    expect(parse(text(r))).toEqual(json);

    const list = await get(`${CMS}?labelSelector=app%3Dx`, YAML);
    expect(list.headers['content-type']).toBe('application/yaml');
    expect(text(list)).toMatch(/\nitems:\n- data:\n/);
    expect(parse(text(list))).toMatchObject({ kind: 'ConfigMapList', items: [{ metadata: { name: 'c1' } }] });

    const created = await t.request('POST', CMS, { metadata: { name: 'c2' } }, { accept: YAML });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/yaml');
    expect(parse(text(created))).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'c2', namespace: 'default' } });
  });

  it('serves errors and discovery as YAML, /version and OpenAPI as JSON', async () => {
    const missing = await get(`${CMS}/nope`, YAML);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/yaml');
    expect(parse(text(missing))).toEqual(failure(404, 'NotFound', 'configmaps "nope" not found', { name: 'nope', kind: 'configmaps' }));

    const api = await get('/clusters/negotiation/api', YAML);
    expect(api.headers['content-type']).toBe('application/yaml');
    expect(parse(text(api))).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });

    for (const path of ['/version', '/clusters/negotiation/openapi/v3']) {
      const r = await get(path, YAML);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toBe('application/json');
    }
  });

  it('refuses a watch in YAML with 406, as kube-apiserver does (YAML has no stream form)', async () => {
    const before = await t.store.currentRevision();
    const r = await get(`${CMS}?watch=true`, YAML);
    expect(r.status).toBe(406);
    expect(r.headers['content-type']).toBe('application/yaml');
    expect(parse(text(r))).toEqual(
      failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'),
    );
    expect(await t.store.currentRevision()).toBe(before);
    const watch = await get(`${CMS}?watch=true&resourceVersion=0`, 'application/json, application/yaml');
    expect((await readEvents(watch, 1))[0].type).toBe('ADDED');
    if ('stream' in watch) await watch.stream[Symbol.asyncIterator]().return?.();
  });

  it('picks the media range as goautoneg orders them: by quality, then the most specific, then as listed', async () => {
    const cases: Array<[accept: string, type: string | 406]> = [
      ['application/json, application/yaml', 'application/json'],
      ['application/yaml, application/json', 'application/yaml'],
      ['application/json;q=0.5, application/yaml', 'application/yaml'],
      ['*/*, application/yaml', 'application/yaml'],
      ['application/*', 'application/json'],
      ['*/*', 'application/json'],
      ['application/vnd.kubernetes.protobuf, application/yaml', 'application/json'],
      ['Application/YAML', 'application/yaml'],
      ['application/yaml;q=0, application/json', 'application/json'],
      ['text/html', 406],
      ['application/yaml;q=0, text/plain', 406],
    ];
    for (const [accept, expected] of cases) {
      const r = await get(`${CMS}/c1`, accept);
      if (expected === 406) {
        expect(r.status, accept).toBe(406);
        expect(r.json().reason, accept).toBe('NotAcceptable');
      } else {
        expect(r.status, accept).toBe(200);
        expect(r.headers['content-type'], accept).toBe(expected);
      }
    }
    // a Table asked for first is a Table in JSON, whatever comes after it
    const table = await get(`${CMS}/c1`, 'application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml');
    expect(table.headers['content-type']).toBe('application/json');
    expect(table.json().kind).toBe('Table');
  });
});

describe('PartialObjectMetadata (the metadata client)', () => {
  it('serves an object, a list and watch events as metadata only', async () => {
    const object = (await get(`${CMS}/c1`)).json();
    const one = (await get(`${CMS}/c1`, PARTIAL('PartialObjectMetadata'))).json();
    expect(one).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata });

    const list = (await get(`${CMS}?labelSelector=app%3Dx`, PARTIAL('PartialObjectMetadataList'))).json();
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.apiVersion).toBe('meta.k8s.io/v1');
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items).toEqual([{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata }]);

    const watch = await get(`${CMS}?watch=true&resourceVersion=0&labelSelector=app%3Dx`, PARTIAL('PartialObjectMetadata'));
    const [event] = await readEvents(watch, 1);
    expect(event).toEqual({ type: 'ADDED', object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } });
    if ('stream' in watch) await watch.stream[Symbol.asyncIterator]().return?.();
  });
  it('refuses the list form for one object and the object form for a list (406, the Go type read), after reading', async () => {
    const before = await t.request('GET', CMS);
    const cases: Array<[string, string, string]> = [
      [`${CMS}/c1`, 'PartialObjectMetadataList', 'you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)'],
      [CMS, 'PartialObjectMetadata', 'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)'],
      [`${CMS}?resourceVersion=0`, 'PartialObjectMetadata', 'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)'],
      ['/clusters/negotiation/apis/events.k8s.io/v1/events', 'PartialObjectMetadata', 'you requested PartialObjectMetadata, but the requested object is a list (*core.EventList)'],
      ['/clusters/negotiation/apis/rbac.authorization.k8s.io/v1/clusterroles', 'PartialObjectMetadata', 'you requested PartialObjectMetadata, but the requested object is a list (*rbac.ClusterRoleList)'],
    ];
    for (const [url, as, message] of cases) {
      const r = await get(url, PARTIAL(as));
      expect([url, r.status, r.json()]).toEqual([url, 406, failure(406, 'NotAcceptable', message)]);
    }
    // what is not there is not found first
    expect((await get(`${CMS}/missing`, PARTIAL('PartialObjectMetadataList'))).status).toBe(404);
    expect((await t.request('GET', CMS)).json().metadata.resourceVersion).toBe(before.json().metadata.resourceVersion);
  });
});
