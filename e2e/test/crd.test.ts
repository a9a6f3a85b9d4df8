/**
 * CustomResourceDefinitions with the real kubectl against `kcp start`:
 * apply, wait for Established, custom resources with printer columns, short
 * names and categories, explain, scale, status-driven columns, validation
 * errors, strategic merge refused, deletion of the CRD with its objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, type KcpProcess, startKcp } from '../src/kcp';

let kcp: KcpProcess;
beforeAll(async () => {
  kcp = await startKcp();
  const r = await kcp.kubectl(['create', 'namespace', 'crd']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await cleanup(kcp);
});

const run = async (args: string[], input?: string) => kcp.kubectl(args, input === undefined ? {} : { input });
const ok = async (args: string[], input?: string) => {
  const r = await run(args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all, toys]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Color
      type: string
      jsonPath: .spec.color
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget should look like.
            x-kubernetes-validations:
            - rule: self.replicas <= 10
              message: at most 10 replicas
            properties:
              replicas:
                type: integer
                description: How many widgets.
              color:
                type: string
                enum: [red, green]
                default: red
          status:
            type: object
            properties:
              replicas:
                type: integer
`;

const widget = (name: string, replicas: number, extra = '') =>
  `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  replicas: ${replicas}\n${extra}`;

describe('a CRD applied with kubectl', () => {
  beforeAll(async () => {
    expect(await ok(['apply', '-f', '-'], CRD)).toBe('customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n');
    expect(await ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/widgets.example.com'])).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n',
    );
  });

  it('serves custom resources with printer columns, short names and categories', async () => {
    expect(await ok(['-n', 'crd', 'apply', '-f', '-'], widget('w1', 2))).toBe('widget.example.com/w1 created\n');
    const table = await ok(['-n', 'crd', 'get', 'wd']);
    expect(table).toMatch(/^NAME\s+REPLICAS\s+COLOR\n/);
    expect(table).toMatch(/\nw1\s+2\s+red\n$/);
    expect(await ok(['-n', 'crd', 'get', 'toys', '-o', 'name'])).toBe('widget.example.com/w1\n');
    expect(await ok(['-n', 'crd', 'get', 'all', '-o', 'name'])).toContain('widget.example.com/w1\n');
    expect(await ok(['-n', 'crd', 'get', 'widget', 'w1', '-o', 'jsonpath={.spec.color}'])).toBe('red');
  });

  it('explains the schema', async () => {
    const explained = await ok(['explain', 'widgets.spec']);
    expect(explained).toContain('What the widget should look like.');
    expect(explained).toMatch(/replicas\s+<integer>/);
  });

  it('publishes the schema in the JSON /openapi/v2 that Swagger 2.0 tools read', async () => {
    const doc = JSON.parse(await ok(['get', '--raw', '/clusters/root/openapi/v2']));
    expect(doc.swagger).toBe('2.0');
    const schema = doc.definitions['com.example.v1.Widget'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    expect(schema.properties.spec.properties.replicas).toEqual({ type: 'integer', description: 'How many widgets.' });
    expect(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].get.operationId).toBe('readExampleComV1NamespacedWidget');
  });

  it('scales through /scale', async () => {
    expect(await ok(['-n', 'crd', 'scale', 'widget/w1', '--replicas=5'])).toBe('widget.example.com/w1 scaled\n');
    expect(await ok(['-n', 'crd', 'get', 'wd', 'w1', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
  });

  it('reports schema and CEL violations and refuses strategic merge patches', async () => {
    let r = await run(['-n', 'crd', 'apply', '-f', '-'], widget('bad', 20));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Widget "bad" is invalid: spec: Invalid value: "object": at most 10 replicas');
    r = await run(['-n', 'crd', 'apply', '-f', '-'], widget('bad', 1, '  color: blue\n'));
    expect(r.stderr).toContain('spec.color: Unsupported value: "blue": supported values: "red", "green"');
    r = await run(['-n', 'crd', 'patch', 'wd', 'w1', '--type=strategic', '-p', '{"spec":{"replicas":3}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not supported by example.com/v1, Kind=Widget: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json');
  });

  it('deletes the CRD with its custom resources', async () => {
    expect(await ok(['delete', 'crd', 'widgets.example.com'])).toBe('customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted\n');
    const r = await run(['get', 'crd', 'widgets.example.com']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NotFound');
  });
});
