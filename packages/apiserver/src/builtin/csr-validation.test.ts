import { formatFieldError } from '@kcp-ts/apimachinery';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCertificatePem, makeCsr, type CsrKeyType } from '../../test/csr-fixtures';
import type { Obj } from '../registry/types';
import { type CsrValidationMode, parseCertificateRequest, validateCertificateSigningRequest } from './csr-validation';
import { goPemDecode } from './go-x509';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

/** A PEM block of `type` around `der`, lines of 64 characters. */
function pemOf(type: string, der: Buffer, headers = ''): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${headers}${body}${body === '' ? '' : '\n'}-----END ${type}-----\n`;
}

/** The DER inside a PEM text. */
const derOf = (pem: string): Buffer => goPemDecode(Buffer.from(pem)).block!.bytes;

/** Go's `%#v` of a []byte, written out independently of the implementation. */
const goBytes = (bytes: Buffer): string => `[]byte{${Array.from(bytes, (b) => `0x${b.toString(16)}`).join(', ')}}`;

const GO_PARAMS =
  '{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}';

const USAGES_LIST =
  '"any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"';

const LABEL_ERROR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const csrs = {} as Record<CsrKeyType, { pem: string; base64: string }>;
let certificate = '';
let otherCertificate = '';

beforeAll(async () => {
  for (const key of ['rsa', 'rsa-pss', 'ecdsa', 'ed25519'] as const) csrs[key] = await makeCsr({ commonName: 'alice', organizations: ['devs', 'ops'], key });
  certificate = b64(await makeCertificatePem());
  otherCertificate = b64(await makeCertificatePem());
});

function csrObject(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): Obj {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'one' },
    spec: { request: csrs.rsa.base64, signerName: 'example.com/signer', usages: ['client auth'], ...spec },
    status,
  } as Obj;
}

const validate = (csr: Obj, old?: Obj, mode: CsrValidationMode = old === undefined ? 'create' : 'update'): string[] =>
  validateCertificateSigningRequest(csr, old, mode).map(formatFieldError);

/** `der` with the first occurrence of `from` replaced by `to` (same length), as a CSR PEM in base64. */
function patched(pem: string, from: number[], to: number[]): string {
  const der = Buffer.from(derOf(pem));
  const at = der.indexOf(Buffer.from(from));
  if (at < 0) throw new Error('pattern not found');
  Buffer.from(to).copy(der, at);
  return b64(pemOf('CERTIFICATE REQUEST', der));
}

/** The CSR with the last byte of its signature flipped. */
function tampered(pem: string): string {
  const der = Buffer.from(derOf(pem));
  der.writeUInt8(der.readUInt8(der.length - 1) ^ 0x01, der.length - 1);
  return b64(pemOf('CERTIFICATE REQUEST', der));
}

const SHA256_WITH_RSA = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];

describe('validateCertificateSigningRequest: spec.request', () => {
  it.each(['rsa', 'rsa-pss', 'ecdsa', 'ed25519'] as const)('accepts a real %s request', (key) => {
    expect(validate(csrObject({ request: csrs[key].base64 }))).toEqual([]);
  });

  it('accepts text around the PEM block', () => {
    expect(validate(csrObject({ request: b64(`a note\n${csrs.ecdsa.pem}trailing text\n`) }))).toEqual([]);
  });

  it.each<[string, () => string | undefined, string | undefined]>([
    ['is absent (nil)', () => undefined, '[]byte(nil)'],
    ['is empty', () => '', '[]byte{}'],
    ['is not PEM', () => b64('hello'), '[]byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}'],
    ['is PEM of another type first', () => b64(`${pemOf('CERTIFICATE', Buffer.from('x'))}${csrs.rsa.pem}`), undefined],
    ['has an END line of another type', () => b64('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE-----\n'), undefined],
    ['is a private key', () => b64(pemOf('PRIVATE KEY', Buffer.from([0x30, 0x00]))), undefined],
  ])('refuses a request that %s', (_, request, value) => {
    const given = request();
    const shown = value ?? goBytes(Buffer.from(given ?? '', 'base64'));
    expect(validate(csrObject({ request: given }))).toEqual([`spec.request: Invalid value: ${shown}: PEM block type must be CERTIFICATE REQUEST`]);
  });

  it.each<[string, () => Buffer, string]>([
    ['garbage', () => Buffer.from('hello'), `asn1: structure error: tags don't match (16 vs {class:1 tag:8 length:101 isCompound:true}) ${GO_PARAMS} certificateRequest @2`],
    ['nothing', () => Buffer.alloc(0), 'asn1: syntax error: sequence truncated'],
    ['a truncated SEQUENCE', () => Buffer.from([0x30, 0x05, 0x02]), 'asn1: syntax error: data truncated'],
    ['an indefinite length', () => Buffer.from([0x30, 0x80, 0x00, 0x00]), 'asn1: syntax error: indefinite length found (not DER)'],
    ['a non-minimal length', () => Buffer.from([0x30, 0x81, 0x05, 0, 0, 0, 0, 0]), 'asn1: structure error: non-minimal length'],
    ['a lone tag byte', () => Buffer.from([0x30]), 'asn1: syntax error: truncated tag or length'],
    [
      'an OCTET STRING where the request info belongs',
      () => Buffer.from([0x30, 0x03, 0x04, 0x01, 0x00]),
      `asn1: structure error: tags don't match (16 vs {class:0 tag:4 length:1 isCompound:false}) ${GO_PARAMS} tbsCertificateRequest @2`,
    ],
    ['trailing data', () => Buffer.concat([derOf(csrs.ecdsa.pem), Buffer.from([0x00])]), 'asn1: syntax error: trailing data'],
    ['a truncated request', () => derOf(csrs.ecdsa.pem).subarray(0, 100), 'asn1: syntax error: data truncated'],
  ])('refuses DER that is %s with Go’s error', (_, der, message) => {
    const request = b64(pemOf('CERTIFICATE REQUEST', der()));
    expect(validate(csrObject({ request }))).toEqual([
      `spec.request: Invalid value: ${goBytes(Buffer.from(request, 'base64'))}: ${message}`,
    ]);
  });

  it.each<[string, () => string, string]>([
    ['an RSA', () => tampered(csrs.rsa.pem), 'crypto/rsa: verification error'],
    ['an RSA-PSS', () => tampered(csrs['rsa-pss'].pem), 'crypto/rsa: verification error'],
    ['an ECDSA', () => tampered(csrs.ecdsa.pem), 'x509: ECDSA verification failure'],
    ['an Ed25519', () => tampered(csrs.ed25519.pem), 'x509: Ed25519 verification failure'],
    [
      'an ECDSA-SHA256 request claiming SHA-384',
      () => patched(csrs.ecdsa.pem, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]),
      'x509: ECDSA verification failure',
    ],
    ['an MD2 RSA', () => patched(csrs.rsa.pem, SHA256_WITH_RSA, [...SHA256_WITH_RSA.slice(0, -1), 0x02]), 'x509: cannot verify signature: algorithm unimplemented'],
    ['an MD5 RSA', () => patched(csrs.rsa.pem, SHA256_WITH_RSA, [...SHA256_WITH_RSA.slice(0, -1), 0x04]), 'x509: cannot verify signature: insecure algorithm MD5-RSA'],
    ['a SHA-1 RSA (allowed for requests, so only the signature fails)', () => patched(csrs.rsa.pem, SHA256_WITH_RSA, [...SHA256_WITH_RSA.slice(0, -1), 0x05]), 'crypto/rsa: verification error'],
    [
      'an unknown-algorithm',
      () => patched(csrs.rsa.pem, SHA256_WITH_RSA, [...SHA256_WITH_RSA.slice(0, -1), 0x7f]),
      'x509: cannot verify signature: algorithm unimplemented',
    ],
    [
      'a DSA-SHA256 (over an RSA key)',
      () => patched(csrs.rsa.pem, SHA256_WITH_RSA, [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02]),
      'x509: signature algorithm specifies an DSA public key, but have public key of type *rsa.PublicKey',
    ],
  ])('checks the signature of %s request for real', (_, request, message) => {
    const value = request();
    expect(validate(csrObject({ request: value }))).toEqual([`spec.request: Invalid value: ${goBytes(Buffer.from(value, 'base64'))}: ${message}`]);
  });

  it('refuses an RSA key without NULL parameters and a bad Ed25519 key while parsing', () => {
    // rsaEncryption followed by NULL (05 00): make the NULL a BOOLEAN FALSE (01 01 00 is longer), so change 05 00 to 04 00 (empty OCTET STRING)
    const rsaKey = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    const noNull = patched(csrs.rsa.pem, rsaKey, [...rsaKey.slice(0, -2), 0x04, 0x00]);
    expect(validate(csrObject({ request: noNull }))).toEqual([`spec.request: Invalid value: ${goBytes(Buffer.from(noNull, 'base64'))}: x509: RSA key missing NULL parameters`]);
    // the Ed25519 key BIT STRING (03 21 00 <32 bytes>) with one unused bit declared
    const der = derOf(csrs.ed25519.pem);
    const at = der.indexOf(Buffer.from([0x03, 0x21, 0x00]));
    const broken = Buffer.from(der);
    broken[at + 2] = 0x08;
    const request = b64(pemOf('CERTIFICATE REQUEST', broken));
    expect(validate(csrObject({ request }))).toEqual([`spec.request: Invalid value: ${goBytes(Buffer.from(request, 'base64'))}: asn1: syntax error: invalid padding bits in BIT STRING`]);
  });
});

describe('parseCertificateRequest', () => {
  it.each(['rsa', 'rsa-pss', 'ecdsa', 'ed25519'] as const)('reads the subject of a %s request', (key) => {
    expect(parseCertificateRequest(csrs[key].base64)).toEqual({ subject: { commonName: 'alice', organizations: ['devs', 'ops'] } });
  });

  it('reads a request without organizations and does not check the signature', async () => {
    const { base64, pem } = await makeCsr({ commonName: 'system:node:n1', key: 'ecdsa' });
    expect(parseCertificateRequest(base64)).toEqual({ subject: { commonName: 'system:node:n1', organizations: [] } });
    expect(parseCertificateRequest(tampered(pem))).toEqual({ subject: { commonName: 'system:node:n1', organizations: [] } });
  });

  it.each([
    ['', 'PEM block type must be CERTIFICATE REQUEST'],
    [b64('not pem'), 'PEM block type must be CERTIFICATE REQUEST'],
    [b64(pemOf('CERTIFICATE REQUEST', Buffer.alloc(0))), 'asn1: syntax error: sequence truncated'],
  ])('returns Go’s error for %j', (request, error) => {
    expect(parseCertificateRequest(request)).toEqual({ error });
  });
});

describe('validateCertificateSigningRequest: spec', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['no usages', { usages: [] }, ['spec.usages: Required value']],
    ['absent usages', { usages: undefined }, ['spec.usages: Required value']],
    ['an unknown usage', { usages: ['client auth', 'bogus'] }, [`spec.usages[1]: Unsupported value: "bogus": supported values: ${USAGES_LIST}`]],
    ['a repeated usage', { usages: ['client auth', 'server auth', 'client auth'] }, ['spec.usages[2]: Duplicate value: "client auth"']],
    ['every known usage', { usages: USAGES_LIST.split(', ').map((u) => JSON.parse(u) as string) }, []],
    ['no signer', { signerName: '' }, ['spec.signerName: Required value']],
    ['a signer without a path', { signerName: 'example.com' }, ["spec.signerName: Invalid value: \"example.com\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]],
    ['a signer with two slashes', { signerName: 'example.com/a/b' }, ["spec.signerName: Invalid value: \"example.com/a/b\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]],
    ['a one-label domain', { signerName: 'example/signer' }, ['spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots']],
    ['an upper-case domain label', { signerName: 'Example.com/signer' }, [`spec.signerName: Invalid value: "Example.com": validating label "Example": ${LABEL_ERROR}`]],
    [
      'an empty domain and a bad path',
      { signerName: '/Bad_Path' },
      [
        `spec.signerName: Invalid value: "": validating label "": ${LABEL_ERROR}`,
        'spec.signerName: Invalid value: "": should be a domain with at least two segments separated by dots',
        `spec.signerName: Invalid value: "Bad_Path": validating label "Bad_Path": ${SUBDOMAIN_ERROR}`,
      ],
    ],
    ['a long domain', { signerName: `${Array(5).fill('a'.repeat(60)).join('.')}/signer` }, ['spec.signerName: Too long: may not be more than 253 bytes']],
    ['a long signer name', { signerName: `example.com/${Array(10).fill('a'.repeat(60)).join('.')}` }, ['spec.signerName: Too long: may not be more than 571 bytes']],
    ['the legacy signer', { signerName: 'kubernetes.io/legacy-unknown' }, ['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version']],
    ['a well-known signer', { signerName: 'kubernetes.io/kube-apiserver-client' }, []],
    ['a short expiration', { expirationSeconds: 599 }, ['spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)']],
    ['a negative expiration', { expirationSeconds: -1 }, ['spec.expirationSeconds: Invalid value: -1: may not specify a duration less than 600 seconds (10 minutes)']],
    ['the shortest expiration', { expirationSeconds: 600 }, []],
  ])('%s', (_, spec, messages) => {
    expect(validate(csrObject(spec))).toEqual(messages);
  });

  it('reports problems in upstream order', () => {
    expect(validate(csrObject({ request: '', usages: ['x', 'x'], signerName: 'x', expirationSeconds: 1 }, { conditions: [{ type: 'Approved', status: 'False' }] }))).toEqual([
      'spec.request: Invalid value: []byte{}: PEM block type must be CERTIFICATE REQUEST',
      `spec.usages[0]: Unsupported value: "x": supported values: ${USAGES_LIST}`,
      `spec.usages[1]: Unsupported value: "x": supported values: ${USAGES_LIST}`,
      'spec.usages[1]: Duplicate value: "x"',
      "spec.signerName: Invalid value: \"x\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
      'spec.expirationSeconds: Invalid value: 1: may not specify a duration less than 600 seconds (10 minutes)',
      'status.conditions[0].status: Unsupported value: "False": supported values: "True"',
    ]);
  });
});

describe('validateCertificateSigningRequest: status', () => {
  it.each<[string, Record<string, unknown>[], string[]]>([
    ['an empty type', [{ type: '', status: 'True' }], ['status.conditions[0].type: Required value']],
    ['an empty status', [{ type: 'Custom', status: '' }], ['status.conditions[0].status: Required value']],
    ['an unknown status', [{ type: 'Custom', status: 'Maybe' }], ['status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"']],
    ['a False custom condition', [{ type: 'Custom', status: 'False' }], []],
    ['a False Approved condition', [{ type: 'Approved', status: 'False' }], ['status.conditions[0].status: Unsupported value: "False": supported values: "True"']],
    ['an Unknown Failed condition', [{ type: 'Failed', status: 'Unknown' }], ['status.conditions[0].status: Unsupported value: "Unknown": supported values: "True"']],
    [
      'Approved and Denied together',
      [
        { type: 'Approved', status: 'True' },
        { type: 'Denied', status: 'True' },
      ],
      ['status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive'],
    ],
    [
      'Denied then Approved',
      [
        { type: 'Denied', status: 'True' },
        { type: 'Approved', status: 'True' },
      ],
      ['status.conditions[1].type: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive'],
    ],
    [
      'a repeated type',
      [
        { type: 'Failed', status: 'True' },
        { type: 'Failed', status: 'True' },
      ],
      ['status.conditions[1].type: Duplicate value: "Failed"'],
    ],
  ])('conditions: %s', (_, conditions, messages) => {
    expect(validate(csrObject({}, { conditions }))).toEqual(messages);
  });

  it('accepts one or more real certificates with text around them', () => {
    const pem = Buffer.from(certificate, 'base64').toString();
    const other = Buffer.from(otherCertificate, 'base64').toString();
    expect(validate(csrObject({}, { certificate }))).toEqual([]);
    expect(validate(csrObject({}, { certificate: b64(`issued by us\n${pem}${other}end\n`) }))).toEqual([]);
  });

  it.each<[string, () => string, string]>([
    ['no PEM block', () => b64('not a certificate'), 'must contain at least one CERTIFICATE PEM block'],
    ['a block of another type', () => b64(`${Buffer.from(certificate, 'base64').toString()}${csrs.rsa.pem}`), 'only CERTIFICATE PEM blocks are allowed, found "CERTIFICATE REQUEST"'],
    ['a block type that is not UTF-8', () => b64(Buffer.from('-----BEGIN CERT\xffX-----\nAAAA\n-----END CERT\xffX-----\n', 'latin1')), 'only CERTIFICATE PEM blocks are allowed, found "CERT\\xffX"'],
    ['PEM headers', () => b64(pemOf('CERTIFICATE', derOf(Buffer.from(certificate, 'base64').toString()), 'Proc-Type: 4,ENCRYPTED\n\n')), 'no PEM block headers are permitted'],
    ['an empty block', () => b64(pemOf('CERTIFICATE', Buffer.alloc(0))), 'found CERTIFICATE PEM block containing 0 certificates'],
    ['garbage DER', () => b64(pemOf('CERTIFICATE', Buffer.from('hello'))), 'x509: malformed certificate'],
    ['a SEQUENCE holding an INTEGER', () => b64(pemOf('CERTIFICATE', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))), 'x509: malformed tbs certificate'],
    [
      'a certificate whose signature is cut off',
      () => {
        const der = derOf(Buffer.from(certificate, 'base64').toString());
        return b64(pemOf('CERTIFICATE', der.subarray(0, der.length - 10)));
      },
      'x509: malformed certificate',
    ],
    // read as a certificate: version 1, serial 0, the subject taken for the signature algorithm
    ['a certificate request', () => b64(pemOf('CERTIFICATE', derOf(csrs.rsa.pem))), "x509: inner and outer signature algorithm identifiers don't match"],
  ])('certificate: refuses %s', (_, value, message) => {
    expect(validate(csrObject({}, { certificate: value() }))).toEqual([`status.certificate: Invalid value: "<certificate data>": ${message}`]);
  });
});

describe('validateCertificateSigningRequest: updates', () => {
  const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'ok', lastUpdateTime: '2024-05-01T10:00:00Z' };
  const denied = { type: 'Denied', status: 'True' };
  const failed = { type: 'Failed', status: 'True' };

  it.each<[string, Record<string, unknown>, Record<string, unknown>, CsrValidationMode, string[]]>([
    ['approve through the approval subresource', {}, { conditions: [approved] }, 'approval', []],
    ['approve through an update', {}, { conditions: [approved] }, 'update', ['status.conditions: Forbidden: updates may not add a condition of type "Approved"']],
    ['deny through the status subresource', {}, { conditions: [denied] }, 'status', ['status.conditions: Forbidden: updates may not add a condition of type "Denied"']],
    ['fail through the status subresource', {}, { conditions: [failed] }, 'status', []],
    ['remove an approval', { conditions: [approved] }, {}, 'approval', ['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']],
    ['remove a failure', { conditions: [failed] }, { conditions: [] }, 'status', ['status.conditions: Forbidden: updates may not remove a condition of type "Failed"']],
    ['keep an approval', { conditions: [approved] }, { conditions: [approved, failed] }, 'status', []],
    ['modify an approval through the approval subresource', { conditions: [approved] }, { conditions: [{ ...approved, message: 'changed' }] }, 'approval', []],
    ['deny an approved request', { conditions: [approved] }, { conditions: [approved, denied] }, 'approval', ['status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive']],
    ['issue a certificate', { conditions: [approved] }, { conditions: [approved], certificate: 'CERT' }, 'status', []],
    ['issue a certificate through an update', {}, { certificate: 'CERT' }, 'update', ['status.certificate: Forbidden: updates may not set certificate content']],
    ['issue a certificate through the approval subresource', {}, { certificate: 'CERT' }, 'approval', ['status.certificate: Forbidden: updates may not set certificate content']],
    ['replace the certificate', { certificate: 'CERT' }, { certificate: 'OTHER' }, 'status', ['status.certificate: Forbidden: updates may not modify existing certificate content']],
    ['clear the certificate', { certificate: 'CERT' }, {}, 'status', ['status.certificate: Forbidden: updates may not modify existing certificate content']],
    ['keep the certificate', { certificate: 'CERT' }, { certificate: 'CERT' }, 'update', []],
  ])('%s', (_, oldStatus, newStatus, mode, messages) => {
    const resolve = (status: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v === 'CERT' ? certificate : v === 'OTHER' ? otherCertificate : v]));
    expect(validate(csrObject({}, resolve(newStatus)), csrObject({}, resolve(oldStatus)), mode)).toEqual(messages);
  });

  it('refuses modifying an approval outside the approval subresource, with a diff of the conditions', () => {
    const errors = validate(csrObject({}, { conditions: [{ ...approved, message: 'changed' }] }), csrObject({}, { conditions: [approved] }), 'status');
    expect(errors).toEqual([
      'status.conditions: Forbidden: updates may not modify a condition of type "Approved"\n' +
        '  []certificates.CertificateSigningRequestCondition{\n' +
        '  \t{\n' +
        '- \t\tMessage:            "ok",\n' +
        '+ \t\tMessage:            "changed",\n' +
        '  \t\t... // 5 identical fields\n' +
        '  \t},\n' +
        '  }\n',
    ]);
  });

  it('tolerates problems already stored (getValidationOptions)', () => {
    const old = csrObject(
      { usages: ['bogus', 'bogus'], signerName: 'kubernetes.io/legacy-unknown' },
      { conditions: [approved, denied, failed, failed, { type: '', status: 'True' }], certificate: b64('not a certificate') },
    );
    const updated = structuredClone(old);
    (updated['metadata'] as Record<string, unknown>)['labels'] = { a: 'b' };
    expect(validate(updated, old, 'update')).toEqual([]);
    // the same object as a new one
    expect(validate(old)).toEqual([
      `spec.usages[0]: Unsupported value: "bogus": supported values: ${USAGES_LIST}`,
      `spec.usages[1]: Unsupported value: "bogus": supported values: ${USAGES_LIST}`,
      'spec.usages[1]: Duplicate value: "bogus"',
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      'status.conditions[3].type: Duplicate value: "Failed"',
      'status.conditions[4].type: Required value',
      'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
    ]);
  });

  it('checks a new certificate unless the stored one was already invalid', () => {
    const bad = b64('not a certificate');
    expect(validate(csrObject({}, { certificate: bad }), csrObject(), 'status')).toEqual([
      'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
    ]);
    expect(validate(csrObject({}, { certificate: b64('still not') }), csrObject({}, { certificate: bad }), 'status')).toEqual([
      'status.certificate: Forbidden: updates may not modify existing certificate content',
    ]);
  });
});

describe('goPemDecode', () => {
  it.each<[string, string, string | undefined, string]>([
    ['a block at the start', '-----BEGIN A-----\nAAAA\n-----END A-----\nrest', 'A', 'rest'],
    ['a block after text', 'text\n-----BEGIN A-----\nAAAA\n-----END A-----\r\nrest', 'A', 'rest'],
    ['a block not at a line start (skipped)', 'x-----BEGIN A-----\nAAAA\n-----END A-----\n', undefined, 'x-----BEGIN A-----\nAAAA\n-----END A-----\n'],
    ['a broken block, then a good one', '-----BEGIN A-----\n!!!!\n-----END A-----\n-----BEGIN B-----\nAAAA\n-----END B-----\n', 'B', ''],
    ['an END line with trailing text (skipped)', '-----BEGIN A-----\nAAAA\n-----END A-----x\n', undefined, '-----BEGIN A-----\nAAAA\n-----END A-----x\n'],
    ['bad padding (skipped)', '-----BEGIN A-----\nAAA\n-----END A-----\n', undefined, '-----BEGIN A-----\nAAA\n-----END A-----\n'],
    ['an empty block', '-----BEGIN A-----\n-----END A-----\n', 'A', ''],
  ])('%s', (_, input, type, rest) => {
    const decoded = goPemDecode(Buffer.from(input));
    expect(decoded.block?.type).toBe(type);
    expect(decoded.rest.toString()).toBe(rest);
  });

  it('reads headers', () => {
    const { block } = goPemDecode(Buffer.from('-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nAAAA\n-----END A-----\n'));
    expect([...block!.headers]).toEqual([
      ['Proc-Type', '4,ENCRYPTED'],
      ['DEK-Info', 'x'],
    ]);
    expect(block!.bytes).toEqual(Buffer.from([0, 0, 0]));
  });
});
