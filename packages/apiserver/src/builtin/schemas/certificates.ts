/** certificates.k8s.io/v1 schemas. */
import { META, atomicStrings, bytes, int32, kind, mapList, mapOf, object, ref, refTo, str } from './builders';
import type { OpenAPISchema } from './types';

const CERTIFICATES = 'io.k8s.api.certificates.v1.';
const GROUP = 'certificates.k8s.io';

/** certificates.k8s.io/v1 schemas, keyed by upstream definition name. */
export const certificatesSchemas: Readonly<Record<string, OpenAPISchema>> = {
  [`${CERTIFICATES}CertificateSigningRequest`]: kind(
    GROUP,
    'v1',
    'CertificateSigningRequest',
    'A request for an x509 certificate: a PKCS#10 certificate request submitted for a signer, approved or denied through the approval subresource and issued by the signer through the status subresource.',
    {
      spec: ref(
        `${CERTIFICATES}CertificateSigningRequestSpec`,
        'The certificate request; immutable once created. Only request, signerName, expirationSeconds and usages may be given; the requester fields are filled in by the server.',
      ),
      status: ref(
        `${CERTIFICATES}CertificateSigningRequestStatus`,
        'Whether the request was approved, denied or failed, and the certificate the signer issued.',
      ),
    },
    { required: ['spec'] },
  ),

  [`${CERTIFICATES}CertificateSigningRequestSpec`]: object(
    'The certificate request and the identity of its requester.',
    {
      expirationSeconds: int32(
        'Requested validity of the issued certificate in seconds, at least 600. Signers may issue a certificate valid for a different duration.',
      ),
      extra: mapOf(
        { type: 'array', items: { type: 'string' } },
        'Extra attributes of the user who created the request. Set by the server on creation; immutable.',
      ),
      groups: atomicStrings('Groups of the user who created the request. Set by the server on creation; immutable.'),
      request: {
        ...bytes(
          'A PKCS#10 certificate request in a "CERTIFICATE REQUEST" PEM block. In JSON and YAML the PEM text is base64-encoded once more.',
        ),
        'x-kubernetes-list-type': 'atomic',
      },
      signerName: str(
        'Qualified name of the signer asked to issue the certificate, such as kubernetes.io/kube-apiserver-client or example.com/my-signer. Usable as a field selector.',
      ),
      uid: str('UID of the user who created the request. Set by the server on creation; immutable.'),
      usages: atomicStrings(
        'Key usages and extended key usages asked for in the issued certificate, for example "digital signature", "key encipherment", "client auth" or "server auth".',
      ),
      username: str('Name of the user who created the request. Set by the server on creation; immutable.'),
    },
    { required: ['request', 'signerName'] },
  ),

  [`${CERTIFICATES}CertificateSigningRequestStatus`]: object('The outcome of a certificate signing request.', {
    certificate: {
      ...bytes(
        'The certificate issued by the signer once the request is approved, as one or more "CERTIFICATE" PEM blocks (the first is the issued certificate, the rest intermediates). Set through the status subresource; immutable once set. In JSON and YAML the PEM text is base64-encoded once more.',
      ),
      'x-kubernetes-list-type': 'atomic',
    },
    conditions: mapList(
      refTo(`${CERTIFICATES}CertificateSigningRequestCondition`),
      ['type'],
      'Conditions of the request: Approved, Denied (both set through the approval subresource, mutually exclusive) and Failed (set by the signer).',
    ),
  }),

  [`${CERTIFICATES}CertificateSigningRequestCondition`]: object(
    'One condition of a certificate signing request.',
    {
      lastTransitionTime: ref(
        `${META}Time`,
        'When the condition last changed status. Set by the server when a condition is added or its status changes without one.',
      ),
      lastUpdateTime: ref(`${META}Time`, 'When the condition was last updated.'),
      message: str('Human-readable details about the state of the request.'),
      reason: str('Short machine-readable reason for the state of the request.'),
      status: str('True, False or Unknown. Approved, Denied and Failed conditions may only be True.'),
      type: str(
        'Condition type: Approved, Denied or Failed, or another type. Approved, Denied and Failed conditions cannot be removed, and only one condition of each type is allowed.',
      ),
    },
    { required: ['type', 'status'] },
  ),
};
