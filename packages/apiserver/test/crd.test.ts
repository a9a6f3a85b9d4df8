import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents, startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function widgetCrd(overrides: { scope?: string; versions?: unknown[]; names?: Record<string, unknown>; group?: string } = {}) {
  const group = overrides.group ?? 'example.com';
  const names = { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all', 'toys'], ...overrides.names };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${group}` },
    spec: {
      group,
      scope: overrides.scope ?? 'Namespaced',
      names,
      versions: overrides.versions ?? [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  description: 'The desired state of the widget.',
                  'x-kubernetes-validations': [{ rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' }],
                  properties: {
                    replicas: { type: 'integer', minimum: 0, description: 'How many.' },
                    maxReplicas: { type: 'integer', default: 10 },
                    color: { type: 'string', enum: ['red', 'green'] },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    replicas: { type: 'integer' },
                    selector: { type: 'string' },
                    conditions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function established(cluster: string, name: string): Promise<any> {
  return until(async () => {
    const crd = (await t.request('GET', `/clusters/${cluster}${CRDS}/${name}`)).json();
    return crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? crd : undefined;
  }, `${name} established in ${cluster}`);
}

async function createCrd(cluster: string, crd: unknown, name = 'widgets.example.com'): Promise<any> {
  const r = await t.request('POST', `/clusters/${cluster}${CRDS}`, crd);
  expect(r.status, JSON.stringify(r.json())).toBe(201);
  return established(cluster, name);
}

async function namespace(cluster: string, name = 'default') {
  await t.request('POST', `/clusters/${cluster}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const widget = (name: string, spec: Record<string, unknown> = { replicas: 1 }) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });
const widgets = (cluster: string, ns = 'default') => `/clusters/${cluster}/apis/example.com/v1/namespaces/${ns}/widgets`;

describe('a CRD in one logical cluster', () => {
  beforeAll(async () => {
    await namespace('crd-a');
    await createCrd('crd-a', widgetCrd());
  });

  it('gets status with accepted names, stored versions and conditions', async () => {
    const crd = await established('crd-a', 'widgets.example.com');
    expect(crd.status.acceptedNames).toEqual({ plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all', 'toys'] });
    expect(crd.status.storedVersions).toEqual(['v1']);
    expect(crd.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'],
      ['Established', 'True', 'InitialNamesAccepted'],
    ]);
    expect(crd.spec.conversion).toEqual({ strategy: 'None' });
  });

  it('appears in discovery with short names, categories and subresources, in that cluster only', async () => {
    const list = (await t.request('GET', '/clusters/crd-a/apis/example.com/v1')).json();
    expect(list.resources).toEqual([
      expect.objectContaining({ name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', shortNames: ['wd'], categories: ['all', 'toys'] }),
      expect.objectContaining({ name: 'widgets/status', kind: 'Widget' }),
      expect.objectContaining({ name: 'widgets/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }),
    ]);
    const groups = (await t.request('GET', '/clusters/crd-a/apis')).json();
    expect(groups.groups.map((g: any) => g.name)).toContain('example.com');
    expect((await t.request('GET', '/clusters/crd-other/apis/example.com/v1')).status).toBe(404);
    const otherGroups = (await t.request('GET', '/clusters/crd-other/apis')).json();
    expect(otherGroups.groups.map((g: any) => g.name)).not.toContain('example.com');
  });

  it('publishes the schema in OpenAPI v3 for kubectl explain', async () => {
    const index = (await t.request('GET', '/clusters/crd-a/openapi/v3')).json();
    expect(Object.keys(index.paths)).toContain('apis/example.com/v1');
    const doc = (await t.request('GET', '/clusters/crd-a/openapi/v3/apis/example.com/v1')).json();
    const schema = doc.components.schemas['com.example.v1.Widget'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    expect(schema.properties.spec.description).toBe('The desired state of the widget.');
    expect(schema.properties.metadata).toEqual({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: "Standard object's metadata." });
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
  });

  it('creates, defaults, gets, lists, patches and deletes custom resources', async () => {
    let r = await t.request('POST', widgets('crd-a'), widget('w1'));
    expect(r.status).toBe(201);
    const created = r.json();
    expect(created.spec).toEqual({ replicas: 1, maxReplicas: 10 });
    expect(created.metadata.generation).toBe(1);

    r = await t.request('GET', `${widgets('crd-a')}/w1`);
    expect(r.json().spec.maxReplicas).toBe(10);
    r = await t.request('GET', `/clusters/crd-a/apis/example.com/v1/widgets`);
    expect(r.json()).toMatchObject({ kind: 'WidgetList', apiVersion: 'example.com/v1', items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'w1' }) })] });
    // a custom resource's items keep their apiVersion and kind (built-in lists' items carry none)
    expect(r.json().items.map((i: any) => [i.apiVersion, i.kind])).toEqual([['example.com/v1', 'Widget']]);
    // the metadata forms that do not fit: 406 naming the unstructured types
    const partial = (as: string) => ({ accept: `application/json;as=${as};g=meta.k8s.io;v=v1,application/json` });
    r = await t.request('GET', `${widgets('crd-a')}/w1`, undefined, partial('PartialObjectMetadataList'));
    expect([r.status, r.json().message]).toEqual([406, 'you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)']);
    r = await t.request('GET', widgets('crd-a'), undefined, partial('PartialObjectMetadata'));
    expect([r.status, r.json().message]).toEqual([406, 'you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)']);

    r = await t.request('PATCH', `${widgets('crd-a')}/w1`, { spec: { replicas: 2 } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.json().metadata.generation).toBe(2);
    r = await t.request('PATCH', `${widgets('crd-a')}/w1`, [{ op: 'replace', path: '/spec/color', value: 'red' }], { 'content-type': 'application/json-patch+json' });
    expect(r.status).toBe(422);
    r = await t.request('PATCH', `${widgets('crd-a')}/w1`, [{ op: 'add', path: '/spec/color', value: 'red' }], { 'content-type': 'application/json-patch+json' });
    expect(r.json().spec.color).toBe('red');
    r = await t.request('PATCH', `${widgets('crd-a')}/w1`, { spec: { replicas: 3 } }, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(r.status).toBe(415);
    expect(r.json().message).toMatch(/^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);

    r = await t.request('DELETE', `${widgets('crd-a')}/w1`);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ kind: 'Widget', metadata: { name: 'w1' } });
    expect((await t.request('GET', `${widgets('crd-a')}/w1`)).status).toBe(404);
  });

  it('watches custom resources', async () => {
    const watch = await t.request('GET', `${widgets('crd-a')}?watch=true&resourceVersion=0`);
    const events = readEvents(watch, 2);
    await t.request('POST', widgets('crd-a'), widget('watched'));
    await t.request('PATCH', `${widgets('crd-a')}/watched`, { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
    expect((await events).map((e) => [e.type, e.object.metadata.name, e.object.spec.replicas])).toEqual([
      ['ADDED', 'watched', 1],
      ['MODIFIED', 'watched', 4],
    ]);
    watch.abort();
  });

  it('validates with upstream wording: schema errors and CEL rules (422 with causes)', async () => {
    let r = await t.request('POST', widgets('crd-a'), widget('bad', { replicas: 'many' }));
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({
      reason: 'Invalid',
      message: 'Widget.example.com "bad" is invalid: [spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", <nil>: Invalid value: "object": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
      details: { group: 'example.com', kind: 'Widget', name: 'bad' },
    });
    expect(r.json().details.causes[0]).toEqual({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"', field: 'spec.replicas' });
    r = await t.request('POST', widgets('crd-a'), widget('bad', { replicas: 20 }));
    expect(r.status).toBe(422);
    expect(r.json().message).toBe('Widget.example.com "bad" is invalid: spec: Invalid value: "object": replicas must not exceed maxReplicas');
    r = await t.request('POST', widgets('crd-a'), widget('bad', { replicas: 1, color: 'blue' }));
    expect(r.json().message).toBe('Widget.example.com "bad" is invalid: spec.color: Unsupported value: "blue": supported values: "red", "green"');
    expect((await t.request('GET', `${widgets('crd-a')}/bad`)).status).toBe(404);
  });

  it('decodes metadata as ObjectMeta: a wrong type is 400 with Go\'s error (rooted at ObjectMeta), a null annotation ""', async () => {
    const r = await t.request('POST', widgets('crd-a'), { ...widget('typed'), metadata: { name: 'typed', labels: { tier: 1 } } });
    expect([r.status, r.json().reason, r.json().message]).toEqual([
      400,
      'BadRequest',
      'Widget in version "v1" cannot be handled as a Widget: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string',
    ]);
    expect((await t.request('GET', `${widgets('crd-a')}/typed`)).status).toBe(404);
    const created = await t.request('POST', widgets('crd-a'), { ...widget('nulled'), metadata: { name: 'nulled', annotations: { note: null } } });
    expect(created.status).toBe(201);
    expect(created.json().metadata.annotations).toMatchObject({ note: '' });
  });

  it('prunes unknown fields: a warning by default, 400 with fieldValidation=Strict', async () => {
    let r = await t.request('POST', widgets('crd-a'), { ...widget('pruned'), spec: { replicas: 1, extra: true } });
    expect(r.status).toBe(201);
    expect(r.json().spec).toEqual({ replicas: 1, maxReplicas: 10 });
    expect(r.headers['warning']).toEqual(['299 - "unknown field \\"spec.extra\\""']);
    r = await t.request('POST', `${widgets('crd-a')}?fieldValidation=Strict`, { ...widget('strict'), spec: { replicas: 1, extra: true } });
    expect(r.status).toBe(400);
    expect(r.json().message).toBe('strict decoding error: unknown field "spec.extra"');
    expect((await t.request('GET', `${widgets('crd-a')}/strict`)).status).toBe(404);
  });

  it('splits spec and status: /status writes status only, the main resource never does', async () => {
    let r = await t.request('POST', widgets('crd-a'), { ...widget('st'), status: { replicas: 9 } });
    expect(r.json().status).toBeUndefined();
    const created = r.json();
    r = await t.request('PUT', `${widgets('crd-a')}/st/status`, { ...created, spec: { replicas: 5 }, status: { replicas: 1, conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(r.status).toBe(200);
    expect(r.json().spec.replicas).toBe(1);
    expect(r.json().status.replicas).toBe(1);
    expect(r.json().metadata.generation).toBe(1);
    r = await t.request('PATCH', `${widgets('crd-a')}/st`, { status: { replicas: 7 } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.json().status.replicas).toBe(1);
    expect(r.json().metadata.generation).toBe(1);
  });

  it('refuses a field selector on other fields than the name and namespace: field label not supported (a custom resource)', async () => {
    const r = await t.request('GET', `${widgets('crd-a')}?fieldSelector=spec.color%3Dred`);
    expect(r.status).toBe(400);
    expect(r.json().message).toBe('field label not supported: spec.color');
  });

  it('scales through /scale (kubectl scale)', async () => {
    await t.request('POST', widgets('crd-a'), widget('sc', { replicas: 2 }));
    let r = await t.request('GET', `${widgets('crd-a')}/sc/scale`);
    expect(r.json()).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'sc', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 0 } });
    r = await t.request('PATCH', `${widgets('crd-a')}/sc/scale`, { spec: { replicas: 5 } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.json().spec.replicas).toBe(5);
    r = await t.request('GET', `${widgets('crd-a')}/sc`);
    expect(r.json().spec.replicas).toBe(5);
    expect(r.json().metadata.generation).toBe(2);
    r = await t.request('PATCH', `${widgets('crd-a')}/sc/scale`, { spec: { replicas: 50 } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(422);
    expect(r.json().message).toBe('Widget.example.com "sc" is invalid: spec: Invalid value: "object": replicas must not exceed maxReplicas');
  });

  it('serves Tables with the printer columns (JSONPath filters, dates as ages)', async () => {
    const r = await t.request('GET', `${widgets('crd-a')}/st`, undefined, { accept: TABLE });
    const table = r.json();
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: any) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Replicas', 'integer', ''],
      ['Ready', 'string', ''],
      ['Age', 'date', ''],
    ]);
    expect(table.columnDefinitions[1].description).toBe('Custom resource definition column (in JSONPath format): .spec.replicas');
    const [name, replicas, ready, age] = table.rows[0].cells;
    expect([name, replicas, ready]).toEqual(['st', 1, 'True']);
    expect(age).toMatch(/^\d+s$/);
  });

  it('refuses a custom resource larger than the body limit (413)', async () => {
    const r = await t.request('POST', widgets('crd-a'), { ...widget('huge'), spec: { replicas: 1, padding: 'x'.repeat(3 * 1024 * 1024) } });
    expect(r.status).toBe(413);
    expect((await t.request('GET', `${widgets('crd-a')}/huge`)).status).toBe(404);
  });
});

describe('CRD bad input', () => {
  it('refuses a non-structural schema with 422 and creates nothing', async () => {
    const crd = widgetCrd({ names: { plural: 'loose', kind: 'Loose' } });
    (crd.spec.versions[0] as any).schema = { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } } };
    const r = await t.request('POST', `/clusters/crd-bad${CRDS}`, crd);
    expect(r.status).toBe(422);
    expect(r.json().message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "loose.example.com" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    );
    expect((await t.request('GET', `/clusters/crd-bad${CRDS}/loose.example.com`)).status).toBe(404);
  });

  it('refuses a CEL rule that does not compile, and one that is too expensive', async () => {
    const crd = widgetCrd({ names: { plural: 'costly', kind: 'Costly' } });
    const spec = (crd.spec.versions[0] as any).schema.openAPIV3Schema.properties.spec;
    spec.properties.list = { type: 'array', items: { type: 'string' } };
    spec['x-kubernetes-validations'] = [{ rule: 'self.replicas >' }, { rule: 'self.list.all(a, self.list.all(b, a != b))' }];
    const r = await t.request('POST', `/clusters/crd-bad${CRDS}`, crd);
    expect(r.status).toBe(422);
    expect(r.json().details.causes.map((c: any) => `${c.field}: ${c.message}`)).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "self.replicas >": compilation failed: ERROR: <input>: Unexpected token: EOF',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    ]);
  });

  it('refuses a name that is not <plural>.<group>', async () => {
    const crd = widgetCrd();
    crd.metadata.name = 'other.example.com';
    const r = await t.request('POST', `/clusters/crd-bad${CRDS}`, crd);
    expect(r.status).toBe(422);
    expect(r.json().details.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: "other.example.com": must be spec.names.plural+"."+spec.group', field: 'metadata.name' }]);
  });
});

describe('versions', () => {
  it('serves every served version over one storage, warns on deprecated ones and 404s unserved ones', async () => {
    const base = widgetCrd().spec.versions[0] as any;
    const v1 = { ...base, name: 'v1', storage: true, additionalPrinterColumns: undefined, subresources: undefined };
    const v1beta1 = { ...v1, name: 'v1beta1', storage: false, deprecated: true };
    const v1alpha1 = { ...v1, name: 'v1alpha1', storage: false, served: false };
    await namespace('crd-v');
    await createCrd('crd-v', widgetCrd({ versions: [v1beta1, v1, v1alpha1] }));
    let r = await t.request('POST', '/clusters/crd-v/apis/example.com/v1beta1/namespaces/default/widgets', { ...widget('old'), apiVersion: 'example.com/v1beta1' });
    expect(r.status).toBe(201);
    expect(r.json().apiVersion).toBe('example.com/v1beta1');
    expect(r.headers['warning']).toEqual(['299 - "example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget"']);
    r = await t.request('GET', '/clusters/crd-v/apis/example.com/v1/namespaces/default/widgets/old');
    expect(r.json().apiVersion).toBe('example.com/v1');
    const stored = await t.store.get('/registry/example.com/widgets/customresources/crd-v/default/old');
    expect(JSON.parse(Buffer.from(stored!.value).toString()).apiVersion).toBe('example.com/v1');
    r = await t.request('GET', '/clusters/crd-v/apis/example.com/v1alpha1/namespaces/default/widgets/old');
    expect(r.status).toBe(404);
    const group = (await t.request('GET', '/clusters/crd-v/apis/example.com')).json();
    expect(group.preferredVersion.version).toBe('v1');
    expect(group.versions.map((v: any) => v.version)).toEqual(['v1', 'v1beta1']);
  });
});

describe('versions read one after the other', () => {
  it('answer each with its own apiVersion, from the store and from the watch cache', async () => {
    const base = widgetCrd().spec.versions[0] as any;
    const v1 = { ...base, name: 'v1', storage: true, additionalPrinterColumns: undefined, subresources: undefined };
    const v1beta1 = { ...v1, name: 'v1beta1', storage: false };
    await namespace('crd-vv');
    await createCrd('crd-vv', widgetCrd({ versions: [v1beta1, v1] }));
    expect((await t.request('POST', widgets('crd-vv'), widget('w'))).status).toBe(201);
    const url = (version: string, query = '') => `/clusters/crd-vv/apis/example.com/${version}/namespaces/default/widgets${query}`;
    for (let round = 0; round < 2; round++) {
      for (const version of ['v1', 'v1beta1']) {
        const one = await t.request('GET', `${url(version)}/w`);
        expect(one.json().apiVersion).toBe(`example.com/${version}`);
        for (const query of ['', '?resourceVersion=0']) {
          const list = (await t.request('GET', url(version, query))).json();
          expect([list.apiVersion, list.items.map((i: any) => i.apiVersion)]).toEqual([`example.com/${version}`, [`example.com/${version}`]]);
        }
        expect((await t.request('GET', `${url(version)}/w?resourceVersion=0`)).json().apiVersion).toBe(`example.com/${version}`);
      }
    }
  });
});

describe('two logical clusters', () => {
  it('have CRDs with the same group/version/resource and different schemas, each seeing its own', async () => {
    const scoped = widgetCrd({ scope: 'Cluster' });
    const schema = (scoped.spec.versions[0] as any).schema.openAPIV3Schema.properties.spec;
    schema.properties = { label: { type: 'string' } };
    delete schema['x-kubernetes-validations'];
    await createCrd('crd-x', scoped);
    await namespace('crd-y');
    await createCrd('crd-y', widgetCrd());

    let r = await t.request('POST', '/clusters/crd-x/apis/example.com/v1/widgets', widget('gx', { label: 'x' }));
    expect(r.status, JSON.stringify(r.json())).toBe(201);
    expect(r.json().spec).toEqual({ label: 'x' });
    r = await t.request('POST', widgets('crd-y'), widget('gy', { label: 'y', replicas: 1 }));
    expect(r.status).toBe(201);
    expect(r.json().spec).toEqual({ replicas: 1, maxReplicas: 10 });

    expect((await t.request('GET', '/clusters/crd-x/apis/example.com/v1/widgets')).json().items.map((i: any) => i.metadata.name)).toEqual(['gx']);
    expect((await t.request('GET', '/clusters/crd-y/apis/example.com/v1/widgets')).json().items.map((i: any) => i.metadata.name)).toEqual(['gy']);
    const x = (await t.request('GET', '/clusters/crd-x/apis/example.com/v1')).json();
    expect(x.resources[0].namespaced).toBe(false);
  });
});

describe('deleting a CRD', () => {
  it('deletes its custom resources (Terminating, cleanup finalizer), then itself', async () => {
    await namespace('crd-d');
    await createCrd('crd-d', widgetCrd());
    for (const name of ['a', 'b']) expect((await t.request('POST', widgets('crd-d'), widget(name))).status).toBe(201);
    const r = await t.request('DELETE', `/clusters/crd-d${CRDS}/widgets.example.com`);
    expect(r.status).toBe(200);
    expect(r.json().metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(r.json().status.conditions.find((c: any) => c.type === 'Terminating')).toMatchObject({ status: 'True', reason: 'InstanceDeletionPending' });
    await until(async () => ((await t.request('GET', `/clusters/crd-d${CRDS}/widgets.example.com`)).status === 404 ? true : undefined), 'the CRD to go');
    expect((await t.store.list('/registry/example.com/widgets/customresources/crd-d/')).items).toEqual([]);
    await until(async () => ((await t.request('GET', '/clusters/crd-d/apis/example.com/v1')).status === 404 ? true : undefined), 'discovery to drop the group');
  });

  it('refuses creates while the CRD is terminating', async () => {
    await namespace('crd-t');
    await createCrd('crd-t', widgetCrd());
    expect((await t.request('POST', widgets('crd-t'), { ...widget('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } })).status).toBe(201);
    await t.request('DELETE', `/clusters/crd-t${CRDS}/widgets.example.com`);
    const r = await until(async () => {
      const attempt = await t.request('POST', widgets('crd-t'), widget('late'));
      return attempt.status === 405 ? attempt : undefined;
    }, 'creates to be refused');
    expect(r.json().message).toBe('create not allowed while custom resource definition is terminating');
    // the held object keeps the CRD until its finalizer goes
    expect((await t.request('GET', `/clusters/crd-t${CRDS}/widgets.example.com`)).status).toBe(200);
    await t.request('PATCH', `${widgets('crd-t')}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    await until(async () => ((await t.request('GET', `/clusters/crd-t${CRDS}/widgets.example.com`)).status === 404 ? true : undefined), 'the CRD to go');
  });
});

describe('names', () => {
  it('does not accept a kind another CRD of the group already holds', async () => {
    await createCrd('crd-n', widgetCrd());
    const r = await t.request('POST', `/clusters/crd-n${CRDS}`, widgetCrd({ names: { plural: 'gizmos', singular: 'gizmo', kind: 'Widget', shortNames: [], categories: [] } }));
    expect(r.status).toBe(201);
    const crd = await until(async () => {
      const current = (await t.request('GET', `/clusters/crd-n${CRDS}/gizmos.example.com`)).json();
      return current.status?.conditions?.length ? current : undefined;
    }, 'conditions');
    expect(crd.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['NamesAccepted', 'False', 'KindConflict', '"Widget" is already in use'],
      ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
    ]);
  });
});
