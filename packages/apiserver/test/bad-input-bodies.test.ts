import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, configMap, expectStatus, failure, revisionOf, startBadInputServer } from './bad-input-helpers';

/**
 * Issue 4, bodies: every malformed or mismatched request body is answered
 * exactly as kube-apiserver answers it (code, reason, message, details),
 * nothing is written, and the server keeps serving.
 */
let t: TestServer;
const NS = '/clusters/bodies/api/v1/namespaces/ns';
const CMS = `${NS}/configmaps`;
const TYPE_META = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
const unrecognized = (detail: string, summary: string) =>
  failure(400, 'BadRequest', `the object provided is unrecognized (must be of type ConfigMap): ${detail} (${summary})`);
const hex = (s: string | Uint8Array) => Buffer.from(s).toString('hex');
const PROTOBUF = { 'content-type': 'application/vnd.kubernetes.protobuf' };
const YAML = { 'content-type': 'application/yaml' };

beforeAll(async () => {
  t = await startBadInputServer();
  expect((await t.request('POST', '/clusters/bodies/api/v1/namespaces', { metadata: { name: 'ns' } })).status).toBe(201);
  expect((await t.request('POST', CMS, configMap('existing'))).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

interface Case {
  name: string;
  method?: string;
  url?: string;
  body: unknown;
  headers?: Record<string, string>;
  expected: Record<string, unknown>;
}

const invalidName = (kind: string, name: string, field: string, value: string, detail: string) =>
  failure(422, 'Invalid', `${kind} ${JSON.stringify(name)} is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, {
    ...(name ? { name } : {}),
    kind,
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
  });
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LONG = 'a'.repeat(254);

const cases: Case[] = [
  // --- malformed documents: upstream transformDecodeError with Go's encoding/json errors
  { name: 'truncated JSON', body: '{"data":', expected: unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", '{"data":') },
  {
    name: 'JSON with a trailing comma',
    body: '{"metadata":{"name":"x",}}',
    expected: unrecognized(
      "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string",
      '{"metadata":{"name":"x",}}',
    ),
  },
  {
    name: 'not JSON at all',
    body: 'not json',
    expected: unrecognized("couldn't get version/kind; json parse error: invalid character 'o' in literal null (expecting 'u')", hex('not json')),
  },
  {
    name: 'JSON followed by garbage',
    body: '{"metadata":{"name":"x"}} x',
    expected: unrecognized("couldn't get version/kind; json parse error: invalid character 'x' after top-level value", '{"metadata":{"name":"x"}} x'),
  },
  {
    name: 'a long malformed body is summarized to 30 bytes',
    body: `{"metadata":{"name":"${'x'.repeat(40)}"`,
    expected: unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", `{"metadata":{"name":"${'x'.repeat(9)} ...`),
  },
  { name: 'an empty body', body: '', expected: unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", '<empty>') },
  {
    name: 'a JSON array',
    body: '[{"metadata":{}}]',
    expected: unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type ${TYPE_META}`, hex('[{"metadata":{}}]')),
  },
  {
    name: 'a JSON string',
    body: '"configmap"',
    expected: unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type ${TYPE_META}`, hex('"configmap"')),
  },
  {
    name: 'apiVersion that is not a string',
    body: '{"apiVersion":5}',
    expected: unrecognized(
      "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string",
      '{"apiVersion":5}',
    ),
  },
  {
    name: 'metadata that is not an object',
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' },
    expected: failure(
      400,
      'BadRequest',
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta',
    ),
  },
  {
    name: 'a YAML list',
    body: '- a\n- b\n',
    headers: YAML,
    expected: unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type ${TYPE_META}`, hex('- a\n- b\n')),
  },
  {
    name: 'protobuf without the magic',
    body: 'not-protobuf',
    headers: PROTOBUF,
    expected: unrecognized('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]', hex('not-protobuf')),
  },
  { name: 'an empty protobuf body', body: '', headers: PROTOBUF, expected: unrecognized('empty data', '<empty>') },
  { name: 'the protobuf magic alone', body: Buffer.from([0x6b, 0x38, 0x73, 0x00]), headers: PROTOBUF, expected: unrecognized('empty body', '6b387300') },
  {
    name: 'a truncated protobuf envelope',
    body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x10]),
    headers: PROTOBUF,
    expected: unrecognized('unexpected EOF', '6b3873000a10'),
  },
  {
    name: 'a media type the server does not decode',
    body: 'data: x',
    headers: { 'content-type': 'text/plain' },
    expected: failure(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    ),
  },
  // --- apiVersion and kind that are not the URL's
  {
    name: 'an apiVersion the kind does not exist in',
    body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    expected: failure(
      400,
      'BadRequest',
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    ),
  },
  {
    name: 'another kind of the same version',
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
    expected: failure(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion'),
  },
  {
    name: 'a kind without apiVersion defaults to the URL version',
    body: { kind: 'Namespace', metadata: { name: 'x' } },
    expected: failure(400, 'BadRequest', 'Namespace in version "v1" cannot be handled as a ConfigMap: converting (v1.Namespace) to (core.ConfigMap): unknown conversion'),
  },
  {
    name: 'an unknown kind',
    body: { apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'x' } },
    expected: failure(
      400,
      'BadRequest',
      'Gadget in version "v1" cannot be handled as a ConfigMap: no kind "Gadget" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    ),
  },
  {
    name: 'the same type in another API version',
    url: `${NS}/events`,
    body: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' } },
    expected: failure(400, 'BadRequest', 'the API version in the data (events.k8s.io/v1) does not match the expected API version (v1)'),
  },
  // --- name and namespace
  {
    name: 'a namespace in the body that is not the URL namespace (create)',
    body: configMap('x', {}, { namespace: 'other' }),
    expected: failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'),
  },
  {
    name: 'a name in the body that is not the URL name (update)',
    method: 'PUT',
    url: `${CMS}/existing`,
    body: configMap('other'),
    expected: failure(400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (existing)'),
  },
  {
    name: 'a namespace in the body that is not the URL namespace (update)',
    method: 'PUT',
    url: `${CMS}/existing`,
    body: configMap('existing', {}, { namespace: 'other' }),
    expected: failure(400, 'BadRequest', 'the namespace of the object (other) does not match the namespace on the request (ns)'),
  },
  {
    name: 'a patch that renames the object',
    method: 'PATCH',
    url: `${CMS}/existing`,
    body: { metadata: { name: 'renamed' } },
    headers: { 'content-type': 'application/merge-patch+json' },
    expected: failure(400, 'BadRequest', 'the name of the object (renamed) does not match the name on the URL (existing)'),
  },
  {
    name: 'a patch that moves the object to another namespace',
    method: 'PATCH',
    url: `${CMS}/existing`,
    body: { metadata: { namespace: 'other' } },
    headers: { 'content-type': 'application/merge-patch+json' },
    expected: failure(400, 'BadRequest', 'the namespace of the object (other) does not match the namespace on the request (ns)'),
  },
  // --- metadata validation (422 with causes)
  { name: 'an invalid name', body: configMap('Bad_Name'), expected: invalidName('ConfigMap', 'Bad_Name', 'metadata.name', 'Bad_Name', SUBDOMAIN) },
  { name: 'a name over 253 characters', body: configMap(LONG), expected: invalidName('ConfigMap', LONG, 'metadata.name', LONG, 'must be no more than 253 characters') },
  {
    name: 'a namespace name with dots',
    url: '/clusters/bodies/api/v1/namespaces',
    body: { metadata: { name: 'a.b' } },
    expected: invalidName('Namespace', 'a.b', 'metadata.name', 'a.b', 'must not contain dots'),
  },
  {
    name: 'a namespace name that is not a DNS label',
    url: '/clusters/bodies/api/v1/namespaces',
    body: { metadata: { name: 'Bad' } },
    expected: invalidName('Namespace', 'Bad', 'metadata.name', 'Bad', DNS_LABEL),
  },
  {
    name: 'an invalid label key',
    body: configMap('x', {}, { labels: { 'bad key!': 'v' } }),
    expected: invalidName('ConfigMap', 'x', 'metadata.labels', 'bad key!', LABEL_NAME),
  },
  {
    name: 'an invalid annotation key',
    body: configMap('x', {}, { annotations: { 'bad key!': 'v' } }),
    expected: invalidName('ConfigMap', 'x', 'metadata.annotations', 'bad key!', LABEL_NAME),
  },
  {
    name: 'neither name nor generateName',
    body: { metadata: {} },
    expected: failure(422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required', {
      kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    }),
  },
  {
    // the values' UTF-8 bytes count, not the keys: 1 MiB − 2 characters plus 'éx' is one byte over
    name: 'configmap data over 1 MiB',
    body: configMap('big', { k: 'x'.repeat(1024 * 1024 - 2), k2: 'éx' }),
    expected: failure(422, 'Invalid', 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes', {
      name: 'big',
      kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '[]' }],
    }),
  },
  {
    name: 'secret data over 1 MiB (reported on data)',
    url: `${NS}/secrets`,
    body: { metadata: { name: 'big' }, data: { a: Buffer.alloc(512 * 1024).toString('base64'), b: Buffer.alloc(512 * 1024 + 1).toString('base64') } },
    expected: failure(422, 'Invalid', 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes', {
      name: 'big',
      kind: 'Secret',
      causes: [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: 'data' }],
    }),
  },
  {
    name: 'secret data that is not base64',
    url: `${NS}/secrets`,
    body: { metadata: { name: 's' }, data: { k: 'not base64!' } },
    expected: failure(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'),
  },
  {
    name: 'secret data without padding',
    url: `${NS}/secrets`,
    body: { metadata: { name: 's' }, data: { k: 'abcde' } },
    expected: failure(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4'),
  },
  {
    name: 'secret data that is a number',
    url: `${NS}/secrets`,
    body: { metadata: { name: 's' }, data: { k: 5 } },
    expected: failure(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8'),
  },
  {
    name: 'a body over 3 MiB',
    body: configMap('huge', { k: 'x'.repeat(3 * 1024 * 1024) }),
    expected: failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
  },
];

describe('bad request bodies', () => {
  it.each(cases)('$name', async ({ method = 'POST', url = CMS, body, headers = {}, expected }) => {
    const before = await revisionOf(t);
    const r = await t.request(method, url, body, headers);
    expectStatus(r, expected);
    expect(await revisionOf(t)).toBe(before);
    // the server keeps serving: a valid write right after succeeds
    const ok = await t.request('PUT', `${CMS}/existing`, configMap('existing', { k: String(before) }));
    expect(ok.status).toBe(200);
  });

  // The too-long wording of label values comes from @kcp-ts/topology (`bytes`); kube-apiserver 1.32 says `characters`.
  const tooLongLabelValue = (value: string) => ({
    reason: 'FieldValueInvalid',
    message: expect.stringMatching(new RegExp(`^Invalid value: "${value}": must be no more than 63 (characters|bytes)$`)),
    field: 'metadata.labels',
  });

  it('rejects a label value over 63 characters', async () => {
    const before = await revisionOf(t);
    const value = 'v'.repeat(64);
    const r = await t.request('POST', CMS, configMap('x', {}, { labels: { k: value } }));
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reason: 'Invalid', details: { name: 'x', kind: 'ConfigMap', causes: [tooLongLabelValue(value)] } });
    expect(r.json().details.causes).toHaveLength(1);
    expect(await revisionOf(t)).toBe(before);
  });

  it('rejects a namespace name over 63 characters, and the name label defaulted from it', async () => {
    const before = await revisionOf(t);
    const name = 'n'.repeat(64);
    const r = await t.request('POST', '/clusters/bodies/api/v1/namespaces', { metadata: { name } });
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({
      reason: 'Invalid',
      details: {
        name,
        kind: 'Namespace',
        causes: [
          { reason: 'FieldValueInvalid', message: `Invalid value: "${name}": must be no more than 63 characters`, field: 'metadata.name' },
          tooLongLabelValue(name),
        ],
      },
    });
    expect(r.json().details.causes).toHaveLength(2);
    expect(await revisionOf(t)).toBe(before);
  });

  it('reports a YAML syntax error as upstream, with the YAML parser detail', async () => {
    const before = await revisionOf(t);
    const body = 'metadata: [x\n';
    const r = await t.request('POST', CMS, body, YAML);
    expect(r.status).toBe(400);
    const status = r.json();
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toMatch(/^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line \d+: .+ \(6d657461646174613a205b780a\)$/);
    expect(await revisionOf(t)).toBe(before);
  });

  it('refuses a surrogate escape in a YAML body with go-yaml\'s error, on its line', async () => {
    const before = await revisionOf(t);
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\ud800b"\n';
    const r = await t.request('POST', CMS, body, YAML);
    expectStatus(
      r,
      failure(
        400,
        'BadRequest',
        `the object provided is unrecognized (must be of type ConfigMap): error converting YAML to JSON: yaml: line 4: found invalid Unicode character escape code (${hex(body.slice(0, 30))} ...)`,
      ),
    );
    // the same in an apply configuration, which upstream reads as YAML too (JSON included)
    const applied = await t.request('PATCH', `${CMS}/existing?fieldManager=m`, '{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"\\udc00"}}', {
      'content-type': 'application/apply-patch+yaml',
    });
    expectStatus(applied, failure(400, 'BadRequest', 'error decoding YAML: error converting YAML to JSON: yaml: line 1: found invalid Unicode character escape code'));
    expect(await revisionOf(t)).toBe(before);
  });

  it('decodes a lone surrogate escape in JSON as U+FFFD, as Go does: in names, values and keys', async () => {
    const rbac = '/clusters/bodies/apis/rbac.authorization.k8s.io/v1/clusterroles';
    const created = await t.request('POST', rbac, '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"a\\ud800b","annotations":{"k":"\\udc00\\ud83d\\ude00"}}}');
    expect(created.status).toBe(201);
    expect(created.json().metadata).toMatchObject({ name: 'a\ufffdb', annotations: { k: '\ufffd\u{1f600}' } });
    expect((await t.request('GET', `${rbac}/a%EF%BF%BDb`)).json().metadata.name).toBe('a\ufffdb');
    const data = await t.request('PUT', `${CMS}/existing`, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"existing"},"data":{"k":"x\\udbff","x\\ud800":"v"}}');
    expect(data.status).toBe(422);
    expect(data.json().details.causes.map((c: { field: string }) => c.field)).toEqual(['data[x\ufffd]']);
    const value = await t.request('PUT', `${CMS}/existing`, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"existing"},"data":{"k":"x\\udbff"}}');
    expect(value.json().data).toEqual({ k: 'x\ufffd' });
  });

  it('reports both the generateName and the generated name when the prefix is invalid', async () => {
    const before = await revisionOf(t);
    const r = await t.request('POST', CMS, { metadata: { generateName: 'Bad_' } });
    expect(r.status).toBe(422);
    const status = r.json();
    const generated: string = status.details.name;
    expect(generated).toMatch(/^Bad_[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(status).toEqual(
      failure(
        422,
        'Invalid',
        `ConfigMap ${JSON.stringify(generated)} is invalid: [metadata.generateName: Invalid value: "Bad_": ${SUBDOMAIN}, metadata.name: Invalid value: ${JSON.stringify(generated)}: ${SUBDOMAIN}]`,
        {
          name: generated,
          kind: 'ConfigMap',
          causes: [
            { reason: 'FieldValueInvalid', message: `Invalid value: "Bad_": ${SUBDOMAIN}`, field: 'metadata.generateName' },
            { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(generated)}: ${SUBDOMAIN}`, field: 'metadata.name' },
          ],
        },
      ),
    );
    expect(await revisionOf(t)).toBe(before);
  });

  it('creates from a valid generateName', async () => {
    const r = await t.request('POST', CMS, { metadata: { generateName: 'gen-' } });
    expect(r.status).toBe(201);
    expect(r.json().metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('accepts a JSON null body as an empty object (then validation answers)', async () => {
    const r = await t.request('POST', CMS, 'null');
    expectStatus(
      r,
      failure(422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required', {
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
      }),
    );
  });
});
