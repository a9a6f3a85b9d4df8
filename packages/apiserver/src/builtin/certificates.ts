import type { Obj, ResourceDefinition, SubresourceDefinition } from '../registry/types';
import { columns } from '../rest/table';
import { humanDuration } from '../table/duration';
import { type CsrValidationMode, validateCertificateSigningRequest } from './csr-validation';
import { defineBuiltin } from './define';
import { type Json, obj, str } from '../registry/json';

const conditionsOf = (object: Obj): Json[] => {
  const conditions = obj(object['status'])['conditions'];
  return Array.isArray(conditions) ? conditions.map(obj) : [];
};

/** The conditions only the `approval` subresource writes. */
const APPROVAL_CONDITIONS: ReadonlySet<string> = new Set(['Approved', 'Denied']);
const isApproval = (c: Json) => APPROVAL_CONDITIONS.has(str(c['type']));

/** Go's `metav1.Now()` as JSON: seconds, UTC. */
const now = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * v1 defaulting of a condition (`SetDefaults_CertificateSigningRequestCondition`:
 * no status is `True`), then upstream's `populateConditionTimestamps`: a
 * condition without `lastUpdateTime` gets now; one without
 * `lastTransitionTime` keeps the time of an old condition of the same type
 * and status, or gets now.
 */
function withTimestamps(conditions: Json[], old: Obj): Json[] {
  const at = now();
  const before = conditionsOf(old);
  return conditions.map((condition) => {
    const c = { ...condition };
    if (!c['status']) c['status'] = 'True';
    if (!c['lastUpdateTime']) c['lastUpdateTime'] = at;
    if (!c['lastTransitionTime']) {
      const same = before.find((o) => o['type'] === c['type'] && o['status'] === c['status'] && o['lastTransitionTime']);
      c['lastTransitionTime'] = same ? same['lastTransitionTime'] : at;
    }
    return c;
  });
}

/** A status with `conditions` set, or without the key when there are none (Go's omitempty). */
function statusWith(status: Json, conditions: Json[]): Json {
  const next = { ...status };
  if (conditions.length > 0) next['conditions'] = conditions;
  else delete next['conditions'];
  return next;
}

/**
 * `/status` (the signer's): the status from the body, except that the
 * approval conditions stay as they were; the spec stays.
 */
const statusSubresource: SubresourceDefinition = {
  verbs: ['get', 'patch', 'update'],
  merge: (current, body) => {
    const conditions = [...conditionsOf(body).filter((c) => !isApproval(c)), ...conditionsOf(current).filter(isApproval)];
    return { ...structuredClone(current), status: statusWith(structuredClone(obj(body['status'])), withTimestamps(conditions, current)) };
  },
};

/**
 * `/approval` (`kubectl certificate approve|deny`): only the Approved and
 * Denied conditions come from the body; the certificate and the other
 * conditions stay as they were.
 */
const approvalSubresource: SubresourceDefinition = {
  verbs: ['get', 'patch', 'update'],
  merge: (current, body) => {
    const status = structuredClone(obj(body['status']));
    const certificate = obj(current['status'])['certificate'];
    if (certificate === undefined) delete status['certificate'];
    else status['certificate'] = certificate;
    const conditions = [...conditionsOf(body).filter(isApproval), ...conditionsOf(current).filter((c) => !isApproval(c))];
    return { ...structuredClone(current), status: statusWith(status, withTimestamps(conditions, current)) };
  },
};

/**
 * kubectl's Condition column (`extractCSRStatus`): Denied, else Approved,
 * else Pending; then `,Failed` and `,Issued` when they apply.
 */
function conditionColumn(object: Obj): string {
  const types = new Set(conditionsOf(object).map((c) => str(c['type'])));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(obj(object['status'])['certificate']) !== '') status += ',Issued';
  return status;
}

const certificateSigningRequests = defineBuiltin({
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  kind: 'CertificateSigningRequest',
  singular: 'certificatesigningrequest',
  namespaced: false,
  shortNames: ['csr'],
  subresources: { status: statusSubresource, approval: approvalSubresource },
  // upstream does not restrict CSR names ("We don't care what you call your certificate requests")
  nameValidation: 'path-segment',
  strategy: {
    statusSubresource: true,
    tracksGeneration: false,
    // the requester's identity, from the request, never from the body; no pre-approved requests
    prepareForCreate: (o, context) => {
      const spec = { ...obj(o['spec']) };
      for (const field of ['username', 'uid', 'groups', 'extra']) delete spec[field];
      const user = context.user;
      if (user.username) spec['username'] = user.username;
      if (user.uid) spec['uid'] = user.uid;
      if (user.groups.length > 0) spec['groups'] = [...user.groups];
      if (user.extra && Object.keys(user.extra).length > 0) spec['extra'] = structuredClone(user.extra);
      o['spec'] = spec;
      o['status'] = {};
    },
    // the object itself changes only its metadata: spec and status are written through the subresources
    prepareForUpdate: (o, old) => {
      if (old['spec'] === undefined) delete o['spec'];
      else o['spec'] = structuredClone(old['spec']);
    },
    validate: (o) => validateCertificateSigningRequest(o, undefined, 'create'),
    validateUpdate: (o, old, context) => {
      const mode: CsrValidationMode = context.subresource === 'status' ? 'status' : context.subresource === 'approval' ? 'approval' : 'update';
      return validateCertificateSigningRequest(o, old, mode);
    },
  },
  table: {
    columns: [
      columns.name,
      columns.age,
      { name: 'SignerName', type: 'string', description: 'The requested signer.', cell: (o) => str(obj(o['spec'])['signerName']) || '<none>' },
      { name: 'Requestor', type: 'string', description: 'The user who created the request.', cell: (o) => str(obj(o['spec'])['username']) },
      {
        name: 'RequestedDuration',
        type: 'string',
        description: 'The requested duration of validity of the issued certificate.',
        cell: (o) => {
          const seconds = obj(o['spec'])['expirationSeconds'];
          return typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>';
        },
      },
      { name: 'Condition', type: 'string', description: 'Approved, Denied, Failed or Pending, and Issued once a certificate is there.', cell: conditionColumn },
    ],
  },
  fieldLabels: (o) => ({ 'spec.signerName': str(obj(o['spec'])['signerName']) }),
});

/** certificates.k8s.io/v1 CertificateSigningRequests (kcp runs no signer: a signer is a client writing `/status`). */
export const certificateResources: readonly ResourceDefinition[] = [certificateSigningRequests];
