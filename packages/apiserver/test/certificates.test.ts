import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, type TestServer, eventually, grantBob, expectStatus, failure, revisionOf, startBadInputServer } from './bad-input-helpers';
import { makeCertificatePem, makeCsr } from './csr-fixtures';

let t: TestServer;
beforeAll(async () => {
  t = await startBadInputServer();
});
afterAll(async () => {
  await t.stop();
});

const CSRS = (cluster: string) => `/clusters/${cluster}/apis/certificates.k8s.io/v1/certificatesigningrequests`;
const csr = (name: string, request: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name },
  spec: { request, signerName: 'example.com/signer', usages: ['client auth'], ...spec },
});
const put = (url: string, body: unknown, token: string = TOKENS.admin) => t.request('PUT', url, body, {}, token);
const withConditions = (object: any, conditions: unknown[]) => ({ ...object, status: { ...object.status, conditions } });

describe('CertificateSigningRequests', () => {
  it('records the requester, approves through /approval, issues through /status', async () => {
    const { base64 } = await makeCsr({ commonName: 'alice' });
    const created = await t.request('POST', CSRS('certs'), csr('one', base64, { username: 'mallory', groups: ['system:masters'], expirationSeconds: 3600 }));
    expect(created.status).toBe(201);
    const object = created.json();
    // the identity is the requester's, never the body's; no status yet
    expect(object.spec).toMatchObject({ username: 'admin', groups: ['system:masters', 'system:authenticated'], usages: ['client auth'] });
    expect(object.status).toEqual({});

    const table = async () => (await t.request('GET', `${CSRS('certs')}/one`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    expect((await table()).columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
    expect((await table()).rows[0].cells.slice(2)).toEqual(['example.com/signer', 'admin', '60m', 'Pending']);

    // the object itself cannot approve: an update keeps spec and status
    const sneaky = await put(`${CSRS('certs')}/one`, withConditions(object, [{ type: 'Approved', status: 'True' }]));
    expect(sneaky.status).toBe(200);
    expect(sneaky.json().status).toEqual({});

    // kubectl certificate approve: PUT /approval with the condition added
    const approved = await put(`${CSRS('certs')}/one/approval`, withConditions(object, [{ type: 'Approved', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }]));
    expect(approved.status).toBe(200);
    const condition = approved.json().status.conditions[0];
    expect(condition).toMatchObject({ type: 'Approved', status: 'True', reason: 'KubectlApprove' });
    expect(condition.lastUpdateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(condition.lastTransitionTime).toBe(condition.lastUpdateTime);
    expect((await table()).rows[0].cells[5]).toBe('Approved');

    // the signer writes the certificate through /status; the approval stays
    const certificate = Buffer.from(await makeCertificatePem()).toString('base64');
    const issued = await put(`${CSRS('certs')}/one/status`, { ...approved.json(), status: { certificate } });
    expect(issued.status).toBe(200);
    expect(issued.json().status).toEqual({ certificate, conditions: [condition] });
    expect((await table()).rows[0].cells[5]).toBe('Approved,Issued');

    // the approval cannot be taken back, nor the certificate changed
    const removed = await put(`${CSRS('certs')}/one/approval`, withConditions(issued.json(), []));
    expect(removed.status).toBe(422);
    expect(removed.json().message).toBe('CertificateSigningRequest.certificates.k8s.io "one" is invalid: status.conditions: Forbidden: updates may not remove a condition of type "Approved"');
    const before = await revisionOf(t);
    const reissued = await put(`${CSRS('certs')}/one/status`, { ...issued.json(), status: { certificate: Buffer.from(await makeCertificatePem()).toString('base64') } });
    expect(reissued.status).toBe(422);
    expect(reissued.json().message).toBe('CertificateSigningRequest.certificates.k8s.io "one" is invalid: status.certificate: Forbidden: updates may not modify existing certificate content');
    expect(await revisionOf(t)).toBe(before);
  });

  it('refuses Approved with Denied, and a request that is not a signed PKCS#10 request', async () => {
    const { base64 } = await makeCsr({ commonName: 'bob', key: 'ecdsa' });
    const object = (await t.request('POST', CSRS('certs'), csr('two', base64))).json();
    const both = await put(`${CSRS('certs')}/two/approval`, withConditions(object, [{ type: 'Approved' }, { type: 'Denied' }]));
    expect(both.status).toBe(422);
    expect(both.json().message).toBe(
      'CertificateSigningRequest.certificates.k8s.io "two" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    );

    const before = await revisionOf(t);
    const notPem = Buffer.from('hello').toString('base64');
    const bad = await t.request('POST', CSRS('certs'), csr('three', notPem));
    expectStatus(
      bad,
      failure(
        422,
        'Invalid',
        'CertificateSigningRequest.certificates.k8s.io "three" is invalid: spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST',
        {
          name: 'three',
          group: 'certificates.k8s.io',
          kind: 'CertificateSigningRequest',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST', field: 'spec.request' }],
        },
      ),
    );
    const short = await t.request('POST', CSRS('certs'), csr('four', base64, { expirationSeconds: 60, signerName: 'signer' }));
    expect(short.status).toBe(422);
    expect(short.json().details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`)).toEqual([
      "spec.signerName: Invalid value: \"signer\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
      'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
    ]);
    expect(await revisionOf(t)).toBe(before);
  });

  it('needs approve (CertificateApproval) and sign (CertificateSigning) on the signer', async () => {
    const { base64 } = await makeCsr({ commonName: 'carol' });
    const object = (await t.request('POST', CSRS('signers'), csr('five', base64))).json();
    const grant = (name: string, rules: unknown[]) => grantBob(t, 'signers', name, rules);

    await grant('csr-writer', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval', 'certificatesigningrequests/status'], verbs: ['update'] }]);
    const approval = withConditions(object, [{ type: 'Approved' }]);
    let refused: Awaited<ReturnType<typeof put>> | undefined;
    await eventually(async () => (refused = await put(`${CSRS('signers')}/five/approval`, approval, TOKENS.bob)).json().reason === 'Forbidden' && !refused.json().message.includes('cannot update'));
    expectStatus(
      refused!,
      failure(403, 'Forbidden', 'certificatesigningrequests.certificates.k8s.io "five" is forbidden: user not permitted to approve requests with signerName "example.com/signer"', {
        name: 'five',
        group: 'certificates.k8s.io',
        kind: 'certificatesigningrequests',
      }),
    );
    // approve on every signer of the domain
    await grant('csr-approver', [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/*'], verbs: ['approve'] }]);
    let approved: Awaited<ReturnType<typeof put>> | undefined;
    await eventually(async () => (approved = await put(`${CSRS('signers')}/five/approval`, approval, TOKENS.bob)).status === 200);

    const certificate = Buffer.from(await makeCertificatePem()).toString('base64');
    const unsigned = await put(`${CSRS('signers')}/five/status`, { ...approved!.json(), status: { ...approved!.json().status, certificate } }, TOKENS.bob);
    expect(unsigned.json().message).toBe('certificatesigningrequests.certificates.k8s.io "five" is forbidden: user not permitted to sign requests with signerName "example.com/signer"');
    await grant('csr-signer', [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/signer'], verbs: ['sign'] }]);
    await eventually(async () => (await put(`${CSRS('signers')}/five/status`, { ...approved!.json(), status: { ...approved!.json().status, certificate } }, TOKENS.bob)).status === 200);
  });

  it('refuses system:masters client certificates from the kube-apiserver-client signer (CertificateSubjectRestriction)', async () => {
    const { base64 } = await makeCsr({ commonName: 'root', organizations: ['system:masters'] });
    const before = await revisionOf(t);
    expectStatus(
      await t.request('POST', CSRS('certs'), csr('masters', base64, { signerName: 'kubernetes.io/kube-apiserver-client' })),
      failure(
        403,
        'Forbidden',
        'certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
        { name: 'masters', group: 'certificates.k8s.io', kind: 'certificatesigningrequests' },
      ),
    );
    expect(await revisionOf(t)).toBe(before);
  });
});
