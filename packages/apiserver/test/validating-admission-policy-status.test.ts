import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './bad-input-helpers';
import { startTestServer } from './harness';

/*
 * The validatingadmissionpolicy-status controller: a policy's status gets
 * the generation it observed and the type-checking warnings of its
 * expressions against the kinds it matches in its logical cluster.
 */

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const policies = (cluster: string) => `/clusters/${cluster}/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies`;

const CONFIGMAPS = { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] };
const WIDGETS = { operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] };

function policy(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [CONFIGMAPS] }, ...spec },
  };
}

async function get(cluster: string, name: string): Promise<any> {
  const r = await t.request('GET', `${policies(cluster)}/${name}`);
  expect(r.status).toBe(200);
  return r.json();
}

/** Waits until the controller has observed `generation`; the policy then. */
async function observed(cluster: string, name: string, generation: number): Promise<any> {
  await eventually(async () => (await get(cluster, name)).status?.observedGeneration === generation, 4_000);
  return get(cluster, name);
}

const CONDITION = { type: 'Checked', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ByHand', message: 'set by a user' };

describe('ValidatingAdmissionPolicy status', () => {
  it('writes observedGeneration and the type-checking warnings, again after each spec change, keeping conditions', async () => {
    const created = await t.request(
      'POST',
      policies('vaps-a'),
      policy('typos', { validations: [{ expression: "object.data.x == 'y'" }, { expression: "object.dataa.x == 'y'", messageExpression: "'bad ' + object.metadata.name" }] }),
    );
    expect(created.status).toBe(201);
    expect((await observed('vaps-a', 'typos', 1)).status).toEqual({
      observedGeneration: 1,
      typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[1].expression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: dataa\n' }] },
    });

    // the spec changes: generation 2, warnings computed again
    let current = await get('vaps-a', 'typos');
    current.spec.validations = [{ expression: "object.data.x == 'y'", messageExpression: "'bad ' + object.metadata.nme" }];
    expect((await t.request('PUT', `${policies('vaps-a')}/typos`, current)).status).toBe(200);
    expect((await observed('vaps-a', 'typos', 2)).status).toEqual({
      observedGeneration: 2,
      typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].messageExpression', warning: '/v1, Kind=ConfigMap: ERROR: <input>: No such key: nme\n' }] },
    });

    // a user adds a condition: the generation was observed, the controller leaves the status as it is
    current = await get('vaps-a', 'typos');
    const withCondition = await t.request('PUT', `${policies('vaps-a')}/typos/status`, { ...current, status: { ...current.status, conditions: [CONDITION] } });
    expect(withCondition.status).toBe(200);
    // a later spec change is checked again; the condition is kept
    current = await get('vaps-a', 'typos');
    current.spec.validations = [{ expression: "object.data.x == 'y'" }];
    expect((await t.request('PUT', `${policies('vaps-a')}/typos`, current)).status).toBe(200);
    const third = await observed('vaps-a', 'typos', 3);
    expect(third.status).toEqual({ observedGeneration: 3, typeChecking: {}, conditions: [CONDITION] });

    // a user setting observedGeneration back makes the policy out of date: it is checked and written again
    const reset = await t.request('PUT', `${policies('vaps-a')}/typos/status`, { ...third, status: { ...third.status, observedGeneration: 0, typeChecking: {} } });
    expect(reset.status).toBe(200);
    expect((await observed('vaps-a', 'typos', 3)).status).toEqual({ observedGeneration: 3, typeChecking: {}, conditions: [CONDITION] });
    // a user writing a warning for the observed generation is not overwritten (upstream checks only newer generations)
    const now = await get('vaps-a', 'typos');
    const note = { fieldRef: 'spec.validations[0].expression', warning: 'noted by hand' };
    const noted = await t.request('PUT', `${policies('vaps-a')}/typos/status`, { ...now, status: { ...now.status, typeChecking: { expressionWarnings: [note] } } });
    expect(noted.status).toBe(200);
    const marker = await t.request('POST', policies('vaps-a'), policy('marker', { validations: [{ expression: 'object.nope == 1' }] }));
    expect(marker.status).toBe(201);
    // once a later policy has been checked, the earlier write has been seen by the controller too
    await observed('vaps-a', 'marker', 1);
    expect((await get('vaps-a', 'typos')).status.typeChecking).toEqual({ expressionWarnings: [note] });
  });

  it('checks against the custom resources and paramKind of the policy’s own logical cluster', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } } },
          },
        ],
      },
    };
    expect((await t.request('POST', '/clusters/vaps-b/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    await eventually(async () => (await t.request('GET', '/clusters/vaps-b/apis/example.com/v1/widgets')).status === 200, 4_000);

    const spec = {
      matchConstraints: { resourceRules: [WIDGETS] },
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [
        { expression: 'object.spec.replicas2 > 0' },
        { expression: 'params.data.max == string(object.spec.replicas) && object.metadata.labels.size() > 0' },
        { expression: "params.dat.x == 'y'" },
      ],
    };
    for (const cluster of ['vaps-b', 'vaps-c']) expect((await t.request('POST', policies(cluster), policy('widgets', spec))).status).toBe(201);
    expect((await observed('vaps-b', 'widgets', 1)).status).toEqual({
      observedGeneration: 1,
      typeChecking: {
        expressionWarnings: [
          { fieldRef: 'spec.validations[0].expression', warning: 'example.com/v1, Kind=Widget: ERROR: <input>: No such key: replicas2\n' },
          { fieldRef: 'spec.validations[2].expression', warning: 'example.com/v1, Kind=Widget: ERROR: <input>: No such key: dat\n' },
        ],
      },
    });
    // widgets are not served in vaps-c: nothing to check against
    expect((await observed('vaps-c', 'widgets', 1)).status).toEqual({ observedGeneration: 1, typeChecking: {} });
  });
});
