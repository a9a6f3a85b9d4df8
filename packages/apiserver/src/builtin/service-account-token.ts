import { fieldInvalid, fieldPath, newBadRequest, newConflict, newInvalid, newNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { goJsonKind, goUnmarshalFieldError } from '../rest/go-json';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens';
import type { Obj, OperationContext, ResourceDefinition } from '../registry/types';

const TOKEN_REQUEST = { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } as const;
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface TokenRequestOptions {
  readonly issuer: ServiceAccountTokenIssuer;
  /** the audiences of a request that names none (`--api-audiences`) */
  readonly audiences: readonly string[];
  /** `--service-account-max-token-expiration` in seconds (0: no cap) */
  readonly maxExpirationSeconds: number;
  /** a Secret of the logical cluster, for tokens bound to one */
  readonly secret: (cluster: ClusterName, namespace: string, name: string) => Promise<Obj | undefined>;
}

/**
 * `serviceaccounts` with the `token` subresource (TokenRequest): POST
 * `…/serviceaccounts/<name>/token` answers a signed token for the service
 * account, as kube-apiserver's TokenREST does; `kubectl create token` uses it.
 */
export function withTokenSubresource(serviceaccounts: ResourceDefinition, options: TokenRequestOptions): ResourceDefinition {
  return {
    ...serviceaccounts,
    subresources: {
      ...serviceaccounts.subresources,
      token: { verbs: ['create'], kind: TOKEN_REQUEST, create: (account, request, context) => createToken(account, request, context, options) },
    },
  };
}

async function createToken(account: Obj, request: Obj, context: OperationContext, options: TokenRequestOptions): Promise<Obj> {
  const name = account.metadata.name ?? '';
  const namespace = account.metadata.namespace ?? '';
  const groupKind = { group: TOKEN_REQUEST.group, kind: TOKEN_REQUEST.kind };
  // name and namespace in the body must be the URL's if given
  if (request.metadata.name && request.metadata.name !== name) {
    throw newInvalid(groupKind, name, [fieldInvalid(fieldPath('metadata', 'name'), request.metadata.name, 'must match the service account name if specified')]);
  }
  if (request.metadata.namespace && request.metadata.namespace !== namespace) {
    throw newInvalid(groupKind, name, [fieldInvalid(fieldPath('metadata', 'namespace'), request.metadata.namespace, 'must match the service account namespace if specified')]);
  }
  const spec = decodeSpec(request['spec']);
  const audiences = spec.audiences.length > 0 ? spec.audiences : [...options.audiences];
  let expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw newInvalid(groupKind, '', [fieldInvalid(fieldPath('spec', 'expirationSeconds'), expirationSeconds, 'may not specify a duration less than 10 minutes')]);
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    throw newInvalid(groupKind, '', [fieldInvalid(fieldPath('spec', 'expirationSeconds'), expirationSeconds, 'may not specify a duration larger than 2^32 seconds')]);
  }
  let secret: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const version = ref.apiVersion.slice(slash + 1);
    // pods and nodes are not served by kcp: a token can only be bound to a Secret
    if (group !== '' || ref.kind !== 'Secret') throw newBadRequest(`cannot bind token to object of type ${group}/${version}, Kind=${ref.kind}`);
    const found = await options.secret(context.cluster, namespace, ref.name);
    if (!found) throw newNotFound({ group: '', resource: 'secrets' }, ref.name);
    const uid = found.metadata.uid ?? '';
    if (ref.uid !== '' && ref.uid !== uid) {
      throw newConflict(
        { group: '', resource: 'Secret' },
        ref.name,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
    secret = { name: ref.name, uid };
  }
  if (options.maxExpirationSeconds > 0 && expirationSeconds > options.maxExpirationSeconds) {
    context.warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${options.maxExpirationSeconds} seconds`);
    expirationSeconds = options.maxExpirationSeconds;
  }
  const created = new Date();
  const { token, expiresAt } = options.issuer.issue({
    cluster: context.cluster,
    namespace,
    name,
    uid: account.metadata.uid ?? '',
    audiences,
    expirationSeconds,
    ...(secret ? { secret } : {}),
  });
  return {
    kind: TOKEN_REQUEST.kind,
    apiVersion: `${TOKEN_REQUEST.group}/${TOKEN_REQUEST.version}`,
    metadata: { name, namespace, creationTimestamp: timestamp(created) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ? { kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, ...(secret ? { uid: secret.uid } : {}) } : null },
    status: { token, expirationTimestamp: timestamp(expiresAt) },
  } as Obj;
}

interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind: string; apiVersion: string; name: string; uid: string };
}

/** The spec as Go's JSON decoding of `TokenRequestSpec` accepts it (400 with Go's message otherwise). */
function decodeSpec(value: unknown): TokenRequestSpec {
  const typeError = (v: unknown, field: string, goType: string) =>
    newBadRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: ${goUnmarshalFieldError(goJsonKind(v), 'TokenRequest', field, goType)}`);
  if (value === undefined || value === null) return { audiences: [] };
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, 'spec', 'v1.TokenRequestSpec');
  const spec = value as Record<string, unknown>;
  const out: TokenRequestSpec = { audiences: [] };
  const audiences = spec['audiences'];
  if (audiences !== undefined && audiences !== null) {
    if (!Array.isArray(audiences)) throw typeError(audiences, 'spec.audiences', '[]string');
    for (const a of audiences) if (typeof a !== 'string') throw typeError(a, 'spec.audiences', 'string');
    out.audiences = audiences as string[];
  }
  const expiration = spec['expirationSeconds'];
  if (expiration !== undefined && expiration !== null) {
    if (typeof expiration !== 'number' || !Number.isInteger(expiration)) throw typeError(expiration, 'spec.expirationSeconds', 'int64');
    out.expirationSeconds = expiration;
  }
  const ref = spec['boundObjectRef'];
  if (ref !== undefined && ref !== null) {
    if (typeof ref !== 'object' || Array.isArray(ref)) throw typeError(ref, 'spec.boundObjectRef', 'v1.BoundObjectReference');
    const fields = ref as Record<string, unknown>;
    const text = (field: string) => {
      const v = fields[field];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string') throw typeError(v, `spec.boundObjectRef.${field}`, field === 'uid' ? 'types.UID' : 'string');
      return v;
    };
    out.boundObjectRef = { kind: text('kind'), apiVersion: text('apiVersion'), name: text('name'), uid: text('uid') };
  }
  return out;
}

/** RFC 3339 at second precision, as metav1.Time is serialized. */
function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
