import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './bad-input-helpers';
import { startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const KUBECTL_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const OBJECT_META = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

async function v2(cluster: string, headers: Record<string, string> = { accept: 'application/json' }) {
  const r = await t.request('GET', `/clusters/${cluster}/openapi/v2`, undefined, headers);
  if (!('body' in r)) throw new Error('/openapi/v2 answered with a stream');
  return r;
}

/** Every `$ref` in the document, to check that each one resolves. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refs(value, out);
    }
  }
  return out;
}

/** The keywords used by a schema and the schemas below it (property names are not keywords). */
function schemaKeywords(schema: any): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const below = [...Object.values(schema.properties ?? {}), schema.items, schema.additionalProperties];
  return [...Object.keys(schema), ...below.flatMap(schemaKeywords)];
}

describe('GET /openapi/v2 as JSON', () => {
  it('is a valid Swagger 2.0 document of the built-in resources, with upstream operation ids', async () => {
    const r = await v2('v2-builtin');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['vary']).toBe('Accept');
    const doc = r.json();
    // the schema and the rules a Swagger 2.0 document must follow (unique operation ids, declared path parameters, …)
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc).toMatchObject({ swagger: '2.0', info: { title: 'Kubernetes' }, security: [{ BearerToken: [] }] });
    for (const ref of refs(doc)) expect(doc.definitions[ref.replace('#/definitions/', '')], ref).toBeDefined();

    const configMap = doc.definitions['io.k8s.api.core.v1.ConfigMap'];
    expect(configMap['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'ConfigMap', version: 'v1' }]);
    expect(configMap.properties.metadata).toEqual({ $ref: OBJECT_META, description: expect.any(String) });
    expect(doc.definitions['io.k8s.api.core.v1.ConfigMapList'].properties.items.items).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' });
    // nothing of OpenAPI v3 is left: no v3 references, junctors or nullable
    expect(r.body as string).not.toContain('#/components/');
    const keywords = new Set(Object.values(doc.definitions).flatMap((schema) => schemaKeywords(schema)));
    for (const v3Only of ['allOf', 'anyOf', 'oneOf', 'nullable']) expect(keywords.has(v3Only), v3Only).toBe(false);

    const item = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    expect(item.parameters).toEqual([
      { name: 'name', in: 'path', description: 'name of the ConfigMap', required: true, type: 'string', uniqueItems: true },
      { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, type: 'string', uniqueItems: true },
    ]);
    expect(item.get).toMatchObject({
      operationId: 'readCoreV1NamespacedConfigMap',
      'x-kubernetes-action': 'get',
      'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'ConfigMap' },
      produces: ['application/json'],
      responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } }, '401': { description: 'Unauthorized' } },
    });
    expect(item.put.operationId).toBe('replaceCoreV1NamespacedConfigMap');
    expect(item.put.parameters[0]).toEqual({ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } });
    expect(item.put.parameters.map((p: { name: string }) => p.name)).toEqual(['body', 'dryRun', 'fieldManager', 'fieldValidation']);
    expect(item.patch.consumes).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    expect(item.delete.operationId).toBe('deleteCoreV1NamespacedConfigMap');
    const collection = doc.paths['/api/v1/namespaces/{namespace}/configmaps'];
    expect([collection.get.operationId, collection.post.operationId, collection.delete.operationId]).toEqual([
      'listCoreV1NamespacedConfigMap',
      'createCoreV1NamespacedConfigMap',
      'deleteCoreV1CollectionNamespacedConfigMap',
    ]);
    expect(doc.paths['/api/v1/configmaps'].get.operationId).toBe('listCoreV1ConfigMapForAllNamespaces');
    expect(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}'].get.operationId).toBe('readRbacAuthorizationV1ClusterRole');
    // subresources carry the operations their verbs allow
    expect(Object.keys(doc.paths['/api/v1/namespaces/{name}/status']).sort()).toEqual(['get', 'parameters', 'patch', 'put']);
    expect(doc.paths['/api/v1/namespaces/{name}/status'].get.operationId).toBe('readCoreV1NamespaceStatus');
    // kinds that are only created (reviews)
    expect(Object.keys(doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'])).toEqual(['post']);
  });

  it('is negotiated as kube-openapi does: JSON by default, the (empty) protobuf document when preferred, 406 otherwise', async () => {
    for (const accept of [undefined, '*/*', 'application/*', 'application/json, */*', `application/json;q=0.9, ${KUBECTL_ACCEPT};q=0.5`, `${KUBECTL_ACCEPT};q=0, application/json`]) {
      const r = await v2('v2-builtin', accept === undefined ? {} : { accept });
      expect(r.status, accept).toBe(200);
      expect(r.headers['content-type'], accept).toBe('application/json');
      expect(r.json().swagger).toBe('2.0');
    }
    for (const accept of [KUBECTL_ACCEPT, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', `application/json;q=0.5, ${KUBECTL_ACCEPT}`]) {
      const r = await v2('v2-builtin', { accept });
      expect(r.status, accept).toBe(200);
      expect(r.headers['content-type'], accept).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      expect(Buffer.from(r.body as Uint8Array).length, accept).toBe(0);
    }
    for (const accept of ['text/html', 'application/yaml', 'application/json;q=0']) {
      const r = await v2('v2-builtin', { accept });
      expect(r.status, accept).toBe(406);
      expect(r.body, accept).toBe('');
    }
  });

  it('answers 304 to a client holding the current ETag', async () => {
    const first = await v2('v2-builtin');
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[0-9A-F]{128}"$/);
    const again = await v2('v2-builtin', { accept: 'application/json', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect((await v2('v2-builtin', { accept: 'application/json', 'if-none-match': '"stale"' })).status).toBe(200);
  });
});

describe('a CRD in /openapi/v2', () => {
  const gadgets = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size', 'owner'],
                  properties: {
                    size: { type: 'integer', minimum: 1, description: 'How big.' },
                    owner: { type: 'string', nullable: true },
                    port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                    settings: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { mode: { type: 'string' } } },
                    tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  const loose = {
    ...gadgets,
    metadata: { name: 'blobs.example.com' },
    spec: {
      ...gadgets.spec,
      names: { plural: 'blobs', singular: 'blob', kind: 'Blob', listKind: 'BlobList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };

  beforeAll(async () => {
    for (const crd of [gadgets, loose]) expect((await t.request('POST', `/clusters/v2-crd${CRDS}`, crd)).status).toBe(201);
    // both are published once established
    await eventually(async () => {
      const { definitions } = (await v2('v2-crd')).json();
      return 'com.example.v1.Gadget' in definitions && 'com.example.v1.Blob' in definitions;
    });
  });

  it('is published in its logical cluster, reduced to what v2 can say', async () => {
    const doc = (await v2('v2-crd')).json();
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.definitions['com.example.v1.Gadget']).toEqual({
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: expect.any(String) },
        kind: { type: 'string', description: expect.any(String) },
        metadata: { $ref: OBJECT_META, description: "Standard object's metadata." },
        spec: {
          type: 'object',
          // a nullable field is no longer required, and loses its type
          required: ['size'],
          properties: {
            size: { type: 'integer', minimum: 1, description: 'How big.' },
            owner: {},
            port: { 'x-kubernetes-int-or-string': true },
            settings: { 'x-kubernetes-preserve-unknown-fields': true },
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          },
        },
      },
      'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Gadget', version: 'v1' }],
    });
    expect(doc.definitions['com.example.v1.Blob']).toEqual({ type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Blob', version: 'v1' }] });
    expect(doc.definitions['com.example.v1.GadgetList'].properties.items.items).toEqual({ $ref: '#/definitions/com.example.v1.Gadget' });
    expect(doc.paths['/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}'].get.operationId).toBe('readExampleComV1NamespacedGadget');
    expect(doc.paths['/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}/status'].patch.operationId).toBe('patchExampleComV1NamespacedGadgetStatus');
    expect(doc.paths['/apis/example.com/v1/gadgets'].get.operationId).toBe('listExampleComV1GadgetForAllNamespaces');
  });

  it('is not published in another logical cluster', async () => {
    const doc = (await v2('v2-builtin')).json();
    expect(doc.definitions['com.example.v1.Gadget']).toBeUndefined();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/apis/example.com/'))).toEqual([]);
  });
});

describe('GET /openapi/v3', () => {
  it('serves valid OpenAPI 3.0 documents for every group-version, built-in and custom', async () => {
    const index = (await t.request('GET', '/clusters/v2-crd/openapi/v3')).json();
    const urls = Object.values(index.paths as Record<string, { serverRelativeURL: string }>).map((p) => p.serverRelativeURL);
    expect(urls).toContainEqual(expect.stringMatching(/^\/openapi\/v3\/apis\/example\.com\/v1\?hash=/));
    for (const url of urls) {
      const doc = (await t.request('GET', `/clusters/v2-crd${url}`)).json();
      await expect(SwaggerParser.validate(doc), url).resolves.toBeDefined();
    }
  });
});
