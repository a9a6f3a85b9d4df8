import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/clusters/sj/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
});
afterAll(async () => {
  await t.stop();
});

const text = (r: object) => {
  const body = (r as { body?: unknown }).body;
  return typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString();
};
const configMaps = '/clusters/sj/api/v1/namespaces/default/configmaps';

describe('objects read again', () => {
  it('are answered with the same bytes until they change, then with the new state', async () => {
    const created = await t.request('POST', configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'again' }, data: { a: '1' } });
    expect(created.status).toBe(201);
    const first = await t.request('GET', `${configMaps}/again`);
    const second = await t.request('GET', `${configMaps}/again`);
    expect(text(second)).toBe(text(first));
    expect(text(first)).toBe(text(created));
    expect(first.headers).toEqual({ 'content-type': 'application/json' });

    const updated = await t.request('PUT', `${configMaps}/again`, { ...first.json(), data: { a: '2' } });
    expect(updated.status).toBe(200);
    const third = await t.request('GET', `${configMaps}/again`);
    expect(third.json().data).toEqual({ a: '2' });
    expect(third.json().metadata.resourceVersion).toBe(updated.json().metadata.resourceVersion);
    expect(text(third)).toBe(text(updated));
  });

  it('are listed from the watch cache as JSON.stringify would list them', async () => {
    for (const name of ['l1', 'l2']) await t.request('POST', configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { list: 'yes' } } });
    await t.request('GET', `${configMaps}/l2`);
    const url = `${configMaps}?resourceVersion=0&labelSelector=list%3Dyes`;
    const listed = await t.request('GET', url);
    const list = listed.json();
    expect(list.items.map((i: any) => i.metadata.name)).toEqual(['l1', 'l2']);
    expect(text(listed)).toBe(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: list.metadata, items: list.items }));
    expect(text(await t.request('GET', url))).toBe(text(listed));
    const empty = await t.request('GET', `${configMaps}?resourceVersion=0&labelSelector=list%3Dno`);
    expect(text(empty)).toBe(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: empty.json().metadata, items: [] }));
  });

  it('keep the form of the version they are read through (events.k8s.io/v1 over core/v1 storage)', async () => {
    const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started', message: 'hi', type: 'Normal' };
    expect((await t.request('POST', '/clusters/sj/api/v1/namespaces/default/events', event)).status).toBe(201);
    for (let round = 0; round < 2; round++) {
      for (const [base, apiVersion] of [
        ['/clusters/sj/api/v1/namespaces/default/events', 'v1'],
        ['/clusters/sj/apis/events.k8s.io/v1/namespaces/default/events', 'events.k8s.io/v1'],
      ] as const) {
        for (const query of ['', '?resourceVersion=0']) {
          const one = (await t.request('GET', `${base}/e1${query}`)).json();
          expect([one.apiVersion, one.kind, one.note ?? one.message]).toEqual([apiVersion, 'Event', 'hi']);
          const list = (await t.request('GET', `${base}${query}`)).json();
          // a typed list's items carry no apiVersion: the version shows in the fields (`note` is events.k8s.io's `message`)
          expect(list.apiVersion).toBe(apiVersion);
          expect(list.items.map((i: any) => [i.apiVersion, i.note, i.message])).toEqual([apiVersion === 'v1' ? [undefined, undefined, 'hi'] : [undefined, 'hi', undefined]]);
        }
      }
    }
  });
});
