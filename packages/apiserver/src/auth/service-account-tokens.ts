import { type KeyObject, createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { AuthenticationRequest, AuthenticationResult, Authenticator } from './authentication';
import type { UserInfo } from './types';

/** kcp's default `--service-account-issuer`. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kcp.default.svc';
/** The user extra naming the logical cluster a service account token was issued in (kcp). */
export const SERVICE_ACCOUNT_CLUSTER_EXTRA = 'authentication.kcp.io/cluster-name';
/** The user extra carrying the token's credential id (`JTI=<jti>`), as kube-apiserver sets it. */
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<namespace>:<name>` */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** The namespace and name of a service account user name, or undefined for other users. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

/**
 * The identity a service account of logical cluster `home` has in another
 * logical cluster (kcp's global service account name): it is not the local
 * service account of the same name there, and only RBAC naming it this way
 * applies to it.
 */
export function foreignServiceAccountUser(user: UserInfo, home: string): UserInfo {
  const sa = parseServiceAccountUsername(user.username);
  return {
    username: sa ? `system:kcp:serviceaccount:${home}:${sa.namespace}:${sa.name}` : user.username,
    groups: ['system:authenticated'],
    ...(user.extra ? { extra: user.extra } : {}),
  };
}

/** The algorithm a key signs with: RS256 for RSA keys, ES256/384/512 by curve for EC keys. */
function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`service account keys must be RSA or ECDSA (P-256, P-384, P-521) keys, not ${key.asymmetricKeyType ?? 'unknown'}`);
}

const HASH_OF: Record<string, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

/** kube-apiserver's key id: the base64url SHA-256 of the DER public key. */
function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** Public keys from PEM text: public keys, certificates' keys, or the public half of private keys. */
export function parseVerificationKeys(pem: string): KeyObject[] {
  // `openssl ecparam -genkey` writes the curve's parameters first: not a key
  const blocks = (pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? []).filter((block) => !block.startsWith('-----BEGIN EC PARAMETERS-----'));
  const keys = blocks.map((block) => (/PRIVATE KEY/.test(block) ? createPublicKey(createPrivateKey(block)) : createPublicKey(block)));
  if (keys.length === 0) throw new Error('no PEM public or private key found');
  for (const key of keys) algorithmOf(key);
  return keys;
}

export interface ServiceAccountTokenClaims {
  readonly cluster: ClusterName;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  /** the Secret the token is bound to (it is invalid once that secret is gone) */
  readonly secret?: { readonly name: string; readonly uid: string };
}

/** Signs service account tokens (JWTs) with `--service-account-signing-key-file`. */
export class ServiceAccountTokenIssuer {
  private readonly header: string;
  private readonly hash: string;

  constructor(
    readonly issuer: string,
    private readonly key: KeyObject,
    private readonly now: () => number = Date.now,
  ) {
    if (key.type !== 'private') throw new Error('the service account signing key must be a private key');
    const alg = algorithmOf(key);
    this.hash = HASH_OF[alg]!;
    this.header = base64url(JSON.stringify({ alg, kid: keyId(createPublicKey(key)) }));
  }

  /**
   * A legacy token for a `kubernetes.io/service-account-token` Secret: issuer
   * `kubernetes/serviceaccount`, no expiry; valid while the Secret holds it.
   */
  issueLegacy(claims: { cluster: ClusterName; namespace: string; name: string; uid: string; secretName: string }): string {
    return this.sign({
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/clusterName': claims.cluster,
      'kubernetes.io/serviceaccount/namespace': claims.namespace,
      'kubernetes.io/serviceaccount/secret.name': claims.secretName,
      'kubernetes.io/serviceaccount/service-account.name': claims.name,
      'kubernetes.io/serviceaccount/service-account.uid': claims.uid,
      sub: serviceAccountUsername(claims.namespace, claims.name),
    });
  }

  private sign(payload: object): string {
    const signingInput = `${this.header}.${base64url(JSON.stringify(payload))}`;
    const signature = sign(this.hash, Buffer.from(signingInput), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** A signed token and when it expires (`now + expirationSeconds`, taken before signing). */
  issue(claims: ServiceAccountTokenClaims): { token: string; expiresAt: Date } {
    const nowSeconds = Math.floor(this.now() / 1000);
    const exp = nowSeconds + claims.expirationSeconds;
    const payload = {
      aud: [...claims.audiences],
      exp,
      iat: nowSeconds,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': {
        clusterName: claims.cluster,
        namespace: claims.namespace,
        ...(claims.secret ? { secret: { name: claims.secret.name, uid: claims.secret.uid } } : {}),
        serviceaccount: { name: claims.name, uid: claims.uid },
      },
      nbf: nowSeconds,
      sub: serviceAccountUsername(claims.namespace, claims.name),
    };
    return { token: this.sign(payload), expiresAt: new Date(exp * 1000) };
  }
}

/** What the authenticator needs to know about a live object, or undefined when it is absent. */
export interface LiveObject {
  readonly uid: string;
  readonly deleting: boolean;
  readonly annotations?: Readonly<Record<string, string>>;
  /** a Secret's data (base64 values) */
  readonly data?: Readonly<Record<string, string>>;
}

export type LiveObjectLookup = (cluster: ClusterName, namespace: string, name: string) => LiveObject | undefined;

/** The issuer of legacy tokens (those of `kubernetes.io/service-account-token` Secrets). */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface ServiceAccountTokenAuthenticatorOptions {
  /** accepted `iss` values: tokens of other issuers are left to other authenticators */
  readonly issuers: readonly string[];
  readonly keys: readonly KeyObject[];
  /** `--api-audiences`: a token must name one of them */
  readonly audiences: readonly string[];
  readonly serviceAccounts: LiveObjectLookup;
  readonly secrets: LiveObjectLookup;
  readonly now?: () => number;
}

interface VerifiedClaims {
  readonly aud?: unknown;
  readonly exp?: unknown;
  readonly nbf?: unknown;
  readonly jti?: unknown;
  readonly sub?: unknown;
  readonly 'kubernetes.io'?: {
    readonly clusterName?: unknown;
    readonly namespace?: unknown;
    readonly serviceaccount?: { readonly name?: unknown; readonly uid?: unknown };
    readonly secret?: { readonly name?: unknown; readonly uid?: unknown };
  };
}

/** Clock skew allowed for `nbf`, as kube-apiserver allows. */
const NOT_BEFORE_LEEWAY_SECONDS = 60;

/**
 * Bearer tokens issued by {@link ServiceAccountTokenIssuer} (or by another
 * server with the same keys and issuer): the signature, issuer, audience and
 * lifetime are checked, then that the service account (and the secret the
 * token is bound to) still exists in the token's logical cluster with the
 * same uid. Legacy tokens (issuer `kubernetes/serviceaccount`, no expiry) are
 * valid while their Secret holds them. The user is `system:serviceaccount:<ns>:<name>` with the service
 * account groups and the cluster in {@link SERVICE_ACCOUNT_CLUSTER_EXTRA}.
 */
export class ServiceAccountTokenAuthenticator implements Authenticator {
  private readonly keysByAlg = new Map<string, KeyObject[]>();
  private readonly now: () => number;

  constructor(private readonly options: ServiceAccountTokenAuthenticatorOptions) {
    for (const key of options.keys) {
      const alg = algorithmOf(key);
      this.keysByAlg.set(alg, [...(this.keysByAlg.get(alg) ?? []), key.type === 'private' ? createPublicKey(key) : key]);
    }
    this.now = options.now ?? Date.now;
  }

  authenticate(request: AuthenticationRequest): AuthenticationResult {
    const header = request.headers['authorization'];
    const value = typeof header === 'string' ? header : header?.[0];
    const m = value === undefined ? null : /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(value);
    if (!m) return { outcome: 'none' };
    const [encodedHeader, encodedPayload, encodedSignature] = m[1]!.split('.') as [string, string, string];
    const jwtHeader = parseSegment(encodedHeader) as { alg?: unknown } | undefined;
    const claims = parseSegment(encodedPayload) as (VerifiedClaims & { iss?: unknown }) | undefined;
    // not a JWT of ours: another authenticator may know it
    const legacy = claims?.iss === LEGACY_ISSUER;
    if (!jwtHeader || !claims || typeof claims.iss !== 'string' || (!legacy && !this.options.issuers.includes(claims.iss))) return { outcome: 'none' };
    const invalid = (reason: string): AuthenticationResult => ({ outcome: 'invalid', reason });
    const alg = typeof jwtHeader.alg === 'string' ? jwtHeader.alg : '';
    const keys = this.keysByAlg.get(alg) ?? [];
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    const signature = Buffer.from(encodedSignature, 'base64url');
    if (!keys.some((key) => verifies(HASH_OF[alg]!, key, signed, signature))) return invalid('invalid signature');
    return legacy ? this.validateLegacy(claims as Record<string, unknown>, m[1]!) : this.validate(claims);
  }

  /** A Secret's token: valid while the Secret (of the same service account) holds exactly this token. */
  private validateLegacy(claims: Record<string, unknown>, token: string): AuthenticationResult {
    const invalid = (reason: string): AuthenticationResult => ({ outcome: 'invalid', reason });
    const claim = (name: string) => claims[`kubernetes.io/serviceaccount/${name}`];
    const [cluster, namespace, secretName, name, uid] = ['clusterName', 'namespace', 'secret.name', 'service-account.name', 'service-account.uid'].map(claim);
    if (typeof cluster !== 'string' || typeof namespace !== 'string' || typeof secretName !== 'string' || typeof name !== 'string' || typeof uid !== 'string') {
      return invalid('service account token without its service account claims');
    }
    if (claims['sub'] !== serviceAccountUsername(namespace, name)) return invalid('service account token without its service account claims');
    const secret = this.options.secrets(cluster as ClusterName, namespace, secretName);
    if (!secret || secret.deleting) return invalid(`secret ${namespace}/${secretName} has been deleted`);
    if (secret.data?.['token'] !== Buffer.from(token).toString('base64')) return invalid(`token does not match the token of secret ${namespace}/${secretName}`);
    if (secret.annotations?.['kubernetes.io/service-account.name'] !== name) return invalid(`secret ${namespace}/${secretName} is not a token of service account ${name}`);
    const account = this.options.serviceAccounts(cluster as ClusterName, namespace, name);
    if (!account) return invalid(`service account ${namespace}/${name} has been deleted`);
    if (account.uid !== uid) return invalid(`service account UID (${account.uid}) does not match claim (${uid})`);
    if (account.deleting) return invalid(`service account ${namespace}/${name} is being deleted`);
    return {
      outcome: 'authenticated',
      user: { username: serviceAccountUsername(namespace, name), uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`], extra: { [SERVICE_ACCOUNT_CLUSTER_EXTRA]: [cluster] } },
    };
  }

  private validate(claims: VerifiedClaims): AuthenticationResult {
    const invalid = (reason: string): AuthenticationResult => ({ outcome: 'invalid', reason });
    const nowSeconds = this.now() / 1000;
    if (typeof claims.exp !== 'number' || nowSeconds >= claims.exp) return invalid('service account token has expired');
    if (typeof claims.nbf === 'number' && nowSeconds + NOT_BEFORE_LEEWAY_SECONDS < claims.nbf) return invalid('service account token is not valid yet');
    const audiences = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
    if (!audiences.some((a) => this.options.audiences.includes(a as string))) {
      return invalid(`token audiences ${JSON.stringify(audiences)} is invalid for the target audiences ${JSON.stringify(this.options.audiences)}`);
    }
    const k8s = claims['kubernetes.io'];
    const cluster = k8s?.clusterName;
    const namespace = k8s?.namespace;
    const name = k8s?.serviceaccount?.name;
    const uid = k8s?.serviceaccount?.uid;
    if (typeof cluster !== 'string' || typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || claims.sub !== serviceAccountUsername(namespace, name)) {
      return invalid('service account token without its service account claims');
    }
    const account = this.options.serviceAccounts(cluster as ClusterName, namespace, name);
    if (!account) return invalid(`service account ${namespace}/${name} has been deleted`);
    if (account.uid !== uid) return invalid(`service account UID (${account.uid}) does not match claim (${uid})`);
    if (account.deleting) return invalid(`service account ${namespace}/${name} is being deleted`);
    const secretRef = k8s?.secret;
    if (secretRef !== undefined) {
      const secret = typeof secretRef.name === 'string' ? this.options.secrets(cluster as ClusterName, namespace, secretRef.name) : undefined;
      if (!secret || secret.deleting) return invalid(`secret ${namespace}/${String(secretRef.name)} has been deleted`);
      if (secret.uid !== secretRef.uid) return invalid(`secret UID (${secret.uid}) does not match service account secret ref claim (${String(secretRef.uid)})`);
    }
    const extra: Record<string, string[]> = { [SERVICE_ACCOUNT_CLUSTER_EXTRA]: [cluster] };
    if (typeof claims.jti === 'string' && claims.jti !== '') extra[CREDENTIAL_ID_EXTRA] = [`JTI=${claims.jti}`];
    return {
      outcome: 'authenticated',
      user: { username: serviceAccountUsername(namespace, name), uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`], extra },
    };
  }
}

function verifies(hash: string, key: KeyObject, signed: Buffer, signature: Buffer): boolean {
  try {
    return verify(hash, signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false; // a signature of the wrong shape for the key
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
