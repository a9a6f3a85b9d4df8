import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
  expect((await t.request('POST', '/clusters/tables/api/v1/namespaces', { metadata: { name: 'default' } })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const columnsOf = (table: any) => table.columnDefinitions.map((c: any) => `${c.name}:${c.type}:${c.priority}`);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('Tables of built-in types (kubectl get)', () => {
  it('prints roles and cluster roles with their creation time, as upstream does (CREATED AT 2026-…Z, not an age)', async () => {
    expect((await t.request('POST', '/clusters/tables/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'reader' }, rules: [] })).status).toBe(201);
    const created = (await t.request('GET', '/clusters/tables/apis/rbac.authorization.k8s.io/v1/clusterroles/reader')).json().metadata.creationTimestamp;
    const table = (await t.request('GET', '/clusters/tables/apis/rbac.authorization.k8s.io/v1/clusterroles/reader', undefined, { accept: TABLE })).json();
    expect(columnsOf(table)).toEqual(['Name:string:0', 'Created At:date:0']);
    expect(table.rows[0].cells).toEqual(['reader', created]);
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('prints core events with the wide columns of upstream (Subobject, Source, First Seen, Count, Name)', async () => {
    const event = {
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'ConfigMap', name: 'c1', namespace: 'default', fieldPath: 'data[a]' },
      reason: 'Changed',
      message: '  changed twice \n',
      type: 'Normal',
      source: { component: 'tester' },
      reportingInstance: 'host-1',
      firstTimestamp: minutesAgo(90),
      lastTimestamp: minutesAgo(5),
      count: 2,
    };
    expect((await t.request('POST', '/clusters/tables/api/v1/namespaces/default/events', event)).status).toBe(201);
    const table = (await t.request('GET', '/clusters/tables/api/v1/namespaces/default/events/e1', undefined, { accept: TABLE })).json();
    expect(columnsOf(table)).toEqual([
      'Last Seen:string:0',
      'Type:string:0',
      'Reason:string:0',
      'Object:string:0',
      'Subobject:string:1',
      'Source:string:1',
      'Message:string:0',
      'First Seen:string:1',
      'Count:string:1',
      'Name:string:1',
    ]);
    expect(table.rows[0].cells).toEqual(['5m', 'Normal', 'Changed', 'configmap/c1', 'data[a]', 'tester, host-1', 'changed twice', '90m', 2, 'e1']);
  });

  it('prints events.k8s.io events as the same core columns: deprecated times and counts, a series, the reporting controller', async () => {
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e2', namespace: 'default' },
      eventTime: new Date(Date.now() - 3 * 3_600_000).toISOString().replace('Z', '000Z'),
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-0',
      action: 'Sync',
      reason: 'Synced',
      type: 'Warning',
      regarding: { kind: 'Secret', name: 's1', namespace: 'default' },
      note: 'done',
      deprecatedLastTimestamp: new Date(Date.now() - 689 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    expect((await t.request('POST', '/clusters/tables/apis/events.k8s.io/v1/namespaces/default/events', event)).status).toBe(201);
    let table = (await t.request('GET', '/clusters/tables/apis/events.k8s.io/v1/namespaces/default/events/e2', undefined, { accept: TABLE })).json();
    // no firstTimestamp: First Seen is the event time; no count: a singleton
    expect(table.rows[0].cells).toEqual(['689d', 'Warning', 'Synced', 'secret/s1', '', 'example.com/ctl, ctl-0', 'done', '3h', 1, 'e2']);
    const series = { ...event, metadata: { name: 'e3', namespace: 'default' }, series: { count: 4, lastObservedTime: new Date(Date.now() - 30_000).toISOString().replace('Z', '000Z') } };
    expect((await t.request('POST', '/clusters/tables/apis/events.k8s.io/v1/namespaces/default/events', series)).status).toBe(201);
    table = (await t.request('GET', '/clusters/tables/apis/events.k8s.io/v1/namespaces/default/events/e3', undefined, { accept: TABLE })).json();
    expect(table.rows[0].cells[0]).toMatch(/^3[0-9]s$/);
    expect(table.rows[0].cells[8]).toBe(4);
  });
});
