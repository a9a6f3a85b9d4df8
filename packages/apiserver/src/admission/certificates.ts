import { goQuote, newForbidden } from '@kcp-ts/apimachinery';
import type { AuthorizationAttributes, Decision, UserInfo } from '../auth/types';
import { parseCertificateRequest } from '../builtin/csr-validation';
import type { Obj } from '../registry/types';
import type { AdmissionAttributes, AdmissionPlugin } from './types';
import { obj } from '../registry/json';

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';
const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

type Authorize = (attributes: AuthorizationAttributes) => Promise<Decision>;
const signerNameOf = (csr: Obj | undefined): string => {
  const name = obj(csr?.['spec'])['signerName'];
  return typeof name === 'string' ? name : '';
};
const isCsr = (a: AdmissionAttributes) => a.definition.group === GROUP && a.definition.resource === RESOURCE;
const refuse = (a: AdmissionAttributes, message: string) => newForbidden({ group: GROUP, resource: RESOURCE }, a.name, message);

/**
 * Upstream `IsAuthorizedForSignerName`: `verb` on `signers` named after the
 * signer, or on `<domain>/*` for every signer of its domain.
 */
async function authorizedForSigner(authorize: Authorize, a: AdmissionAttributes, user: UserInfo, verb: string, signerName: string): Promise<boolean> {
  const ask = (name: string) =>
    authorize({ isResourceRequest: true, user, cluster: a.cluster, verb, apiGroup: GROUP, apiVersion: '*', resource: 'signers', subresource: '', namespace: '', name });
  if ((await ask(signerName)).decision === 'allow') return true;
  return (await ask(`${signerName.split('/')[0]}/*`)).decision === 'allow';
}

/**
 * The certificates admission plugins kcp keeps on: `CertificateApproval`
 * (an update of `/approval` needs `approve` on the signer),
 * `CertificateSigning` (an update of `/status` that changes the certificate
 * needs `sign` on the signer) and `CertificateSubjectRestriction` (no
 * `system:masters` client certificate requested from the
 * `kubernetes.io/kube-apiserver-client` signer).
 */
export function certificateAdmission(authorize: Authorize): AdmissionPlugin[] {
  return [
    {
      name: 'CertificateApproval',
      async validate(a) {
        if (a.operation !== 'UPDATE' || a.subresource !== 'approval' || !isCsr(a)) return;
        const signerName = signerNameOf(a.object);
        if (!(await authorizedForSigner(authorize, a, a.user, 'approve', signerName))) {
          throw refuse(a, `user not permitted to approve requests with signerName ${goQuote(signerName)}`);
        }
      },
    },
    {
      name: 'CertificateSigning',
      async validate(a) {
        if (a.operation !== 'UPDATE' || a.subresource !== 'status' || !isCsr(a)) return;
        const certificate = (o: Obj | undefined) => obj(o?.['status'])['certificate'] ?? '';
        if (certificate(a.object) === certificate(a.oldObject)) return;
        const signerName = signerNameOf(a.object);
        if (!(await authorizedForSigner(authorize, a, a.user, 'sign', signerName))) {
          throw refuse(a, `user not permitted to sign requests with signerName ${goQuote(signerName)}`);
        }
      },
    },
    {
      name: 'CertificateSubjectRestriction',
      validate(a) {
        if (a.operation !== 'CREATE' || a.subresource !== '' || !isCsr(a)) return;
        if (signerNameOf(a.object) !== KUBE_APISERVER_CLIENT_SIGNER) return;
        const request = obj(a.object?.['spec'])['request'];
        const parsed = parseCertificateRequest(typeof request === 'string' ? request : '');
        if ('error' in parsed) throw refuse(a, `failed to parse CSR: ${parsed.error}`);
        if (parsed.subject.organizations.includes('system:masters')) {
          throw refuse(a, `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
        }
      },
    },
  ];
}
