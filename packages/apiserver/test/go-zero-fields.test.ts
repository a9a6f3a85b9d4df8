import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './harness';

// kube-apiserver writes objects from Go structs: a struct member is written
// even when empty (`omitempty` does not leave a struct out), a zero time is
// `null`, and a member without `omitempty` is always there.

let t: Awaited<ReturnType<typeof startTestServer>>;
const C = '/clusters/zero';
beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', `${C}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
});
afterAll(async () => {
  await t.stop();
});

const CORE_EVENT_ZEROS = { source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' };

describe('members the Go types always write', () => {
  it('are in what a create answers, a get reads and a list holds', async () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [`${C}/apis/coordination.k8s.io/v1/namespaces/default/leases`, { metadata: { name: 'l1' } }, { spec: {} }],
      [`${C}/apis/rbac.authorization.k8s.io/v1/clusterroles`, { metadata: { name: 'no-rules' } }, { rules: null }],
      [`${C}/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles`, { metadata: { name: 'no-rules' } }, { rules: null }],
      [`${C}/api/v1/namespaces/default/events`, { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm', type: 'Normal' }, CORE_EVENT_ZEROS],
    ];
    for (const [url, body, zeros] of cases) {
      const created = await t.request('POST', url, body);
      expect([url, created.status]).toEqual([url, 201]);
      expect(created.json()).toMatchObject(zeros);
      const name = (body['metadata'] as { name: string }).name;
      for (const query of ['', '?resourceVersion=0']) {
        expect((await t.request('GET', `${url}/${name}${query}`)).json()).toMatchObject(zeros);
        const items = (await t.request('GET', `${url}${query}`)).json().items;
        expect(items.find((i: any) => i.metadata.name === name)).toMatchObject(zeros);
      }
    }
  });

  it('are kept, not replaced, when set; a dry run answers with them', async () => {
    const leases = `${C}/apis/coordination.k8s.io/v1/namespaces/default/leases`;
    const held = await t.request('POST', leases, { metadata: { name: 'held' }, spec: { holderIdentity: 'me' } });
    expect(held.json().spec).toEqual({ holderIdentity: 'me' });
    const dry = await t.request('POST', `${leases}?dryRun=All`, { metadata: { name: 'dry' } });
    expect([dry.status, dry.json().spec]).toEqual([201, {}]);
    expect((await t.request('GET', `${leases}/dry`)).status).toBe(404);
  });

  it('make a replace that leaves them out a no-op, as upstream decodes both into the same struct', async () => {
    const roles = `${C}/apis/rbac.authorization.k8s.io/v1/clusterroles`;
    const created = (await t.request('POST', roles, { metadata: { name: 'same' } }, { 'user-agent': 'kubectl/v1.32.4' })).json();
    // nobody owns what the Go type writes by itself (upstream's field manager starts from the empty object)
    expect(created.metadata.managedFields).toBeUndefined();
    const { rules: _rules, ...withoutRules } = created;
    const replaced = await t.request('PUT', `${roles}/same`, withoutRules);
    expect(replaced.status).toBe(200);
    expect(replaced.json().metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(replaced.json().rules).toBeNull();
  });

  it('are written by the version an event is read through (events.k8s.io/v1 over core/v1 storage)', async () => {
    const events = `${C}/apis/events.k8s.io/v1/namespaces/default/events`;
    const body = { metadata: { name: 'e2' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'a/b', reportingInstance: 'i', action: 'A', reason: 'R', regarding: { kind: 'Pod', name: 'p' }, type: 'Normal' };
    const created = await t.request('POST', events, body);
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null, eventTime: '2026-01-01T00:00:00.000000Z' });
    // the stored core/v1 Event has core's members
    const core = (await t.request('GET', `${C}/api/v1/namespaces/default/events/e2`)).json();
    expect(core).toMatchObject({ source: {}, firstTimestamp: null, lastTimestamp: null, reportingComponent: 'a/b', reportingInstance: 'i' });
    // and the other way round
    const fromCore = (await t.request('GET', `${events}/e1`)).json();
    expect(fromCore).toMatchObject({ regarding: { kind: 'Pod', name: 'p' }, deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null, eventTime: null });
    expect(fromCore).not.toHaveProperty('reportingController');
  });

  it('leave kinds whose unset members Go leaves out alone', async () => {
    const cm = (await t.request('POST', `${C}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'bare' } })).json();
    expect(Object.keys(cm).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
  });
});
