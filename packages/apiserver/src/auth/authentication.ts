import { X509Certificate } from 'node:crypto';
import { SYSTEM_AUTHENTICATED, type UserInfo, unescapeExtraKey } from './types';

/** What an authenticator sees of a request. */
export interface AuthenticationRequest {
  /** lower-case header names */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** the client certificate chain presented on the TLS connection (leaf first), if any */
  readonly peerCertificates?: readonly X509Certificate[];
}

/** `authenticated`: who it is; `invalid`: credentials were presented but rejected (401); `none`: no credentials of this kind. */
export type AuthenticationResult =
  | { readonly outcome: 'authenticated'; readonly user: UserInfo }
  | { readonly outcome: 'invalid'; readonly reason: string }
  | { readonly outcome: 'none' };

export interface Authenticator {
  authenticate(request: AuthenticationRequest): AuthenticationResult;
}

const NONE: AuthenticationResult = { outcome: 'none' };

/** Static bearer tokens: the admin tokens of `kcp start` and `--token-auth-file` entries. */
export class TokenAuthenticator implements Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(entries: Iterable<readonly [token: string, user: UserInfo]> = []) {
    for (const [token, user] of entries) this.tokens.set(token, user);
  }

  /** Adds or replaces a token. */
  set(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  authenticate(request: AuthenticationRequest): AuthenticationResult {
    const header = single(request.headers['authorization']);
    if (header === undefined) return NONE;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return NONE;
    const user = this.tokens.get(m[1]!);
    return user ? { outcome: 'authenticated', user } : { outcome: 'invalid', reason: 'invalid bearer token' };
  }
}

/**
 * Parses a `--token-auth-file`: CSV lines `token,user,uid[,"group1,group2"]`,
 * as kube-apiserver reads them. Blank lines and `#` comments are skipped.
 */
export function parseTokenAuthFile(text: string): Array<[string, UserInfo]> {
  const entries: Array<[string, UserInfo]> = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = parseCsvLine(line);
    if (fields.length < 3 || !fields[0] || !fields[1]) {
      throw new Error(`token auth file line ${i + 1}: expected token,user,uid[,groups], got ${fields.length} field(s)`);
    }
    const groups = (fields[3] ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
    entries.push([fields[0], { username: fields[1], ...(fields[2] ? { uid: fields[2] } : {}), groups }]);
  }
  return entries;
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Whether `leaf` was issued (and signed) by one of `cas` and is currently valid. */
function verifiedBy(leaf: X509Certificate, cas: readonly X509Certificate[]): boolean {
  const now = Date.now();
  if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) < now) return false;
  return cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
}

/** Reads PEM bundle text into certificates. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Subject fields of a certificate: CN is the user name, every O a group (kube's x509 authenticator). */
function subjectUser(cert: X509Certificate): UserInfo {
  const lines = cert.subject.split('\n');
  const cn = lines.find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  const groups = lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
  return { username: cn, groups };
}

/** Client certificates verified against `--client-ca-file`. */
export class ClientCertificateAuthenticator implements Authenticator {
  constructor(private readonly clientCAs: readonly X509Certificate[]) {}

  authenticate(request: AuthenticationRequest): AuthenticationResult {
    const leaf = request.peerCertificates?.[0];
    if (!leaf) return NONE;
    if (!verifiedBy(leaf, this.clientCAs)) return NONE;
    const user = subjectUser(leaf);
    return user.username ? { outcome: 'authenticated', user } : { outcome: 'invalid', reason: 'client certificate without a common name' };
  }
}

export interface RequestHeaderOptions {
  /** CAs of `--requestheader-client-ca-file`: only clients with a certificate signed by one may assert identities */
  readonly clientCAs: readonly X509Certificate[];
  /** `--requestheader-allowed-names`: allowed CNs of those certificates (empty: any) */
  readonly allowedNames?: readonly string[];
  readonly usernameHeaders?: readonly string[];
  readonly groupHeaders?: readonly string[];
  readonly extraHeaderPrefixes?: readonly string[];
}

/**
 * Front-proxy identity headers (`X-Remote-User`, `X-Remote-Group`,
 * `X-Remote-Extra-<key>`), honoured only on connections whose client
 * certificate is signed by the request-header CA — the front-proxy's.
 */
export class RequestHeaderAuthenticator implements Authenticator {
  private readonly usernameHeaders: readonly string[];
  private readonly groupHeaders: readonly string[];
  private readonly extraPrefixes: readonly string[];

  constructor(private readonly options: RequestHeaderOptions) {
    this.usernameHeaders = (options.usernameHeaders ?? ['X-Remote-User']).map((h) => h.toLowerCase());
    this.groupHeaders = (options.groupHeaders ?? ['X-Remote-Group']).map((h) => h.toLowerCase());
    this.extraPrefixes = (options.extraHeaderPrefixes ?? ['X-Remote-Extra-']).map((h) => h.toLowerCase());
  }

  /** The headers this authenticator owns; they are stripped from requests it does not authenticate. */
  get identityHeaderPrefixes(): readonly string[] {
    return [...this.usernameHeaders, ...this.groupHeaders, ...this.extraPrefixes];
  }

  authenticate(request: AuthenticationRequest): AuthenticationResult {
    const leaf = request.peerCertificates?.[0];
    if (!leaf || !verifiedBy(leaf, this.options.clientCAs)) return NONE;
    const allowed = this.options.allowedNames ?? [];
    if (allowed.length > 0 && !allowed.includes(subjectUser(leaf).username)) return NONE;
    const username = this.usernameHeaders.map((h) => single(request.headers[h])).find((v) => v);
    if (!username) return NONE;
    const groups = this.groupHeaders.flatMap((h) => all(request.headers[h]));
    const extra: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      const prefix = this.extraPrefixes.find((p) => name.startsWith(p));
      if (!prefix) continue;
      const key = unescapeExtraKey(name.slice(prefix.length));
      (extra[key] ??= []).push(...all(value));
    }
    return {
      outcome: 'authenticated',
      user: { username, groups, ...(Object.keys(extra).length > 0 ? { extra } : {}) },
    };
  }
}

/**
 * Tries the authenticators in order (request headers first, as kube-apiserver
 * does): the first that authenticates wins; if none does and one rejected
 * credentials, the request is unauthorized. Authenticated users always get
 * `system:authenticated`.
 */
export class UnionAuthenticator implements Authenticator {
  constructor(private readonly authenticators: readonly Authenticator[]) {}

  authenticate(request: AuthenticationRequest): AuthenticationResult {
    let invalid: AuthenticationResult | undefined;
    for (const authenticator of this.authenticators) {
      const result = authenticator.authenticate(request);
      if (result.outcome === 'authenticated') {
        const groups = result.user.groups.includes(SYSTEM_AUTHENTICATED) ? result.user.groups : [...result.user.groups, SYSTEM_AUTHENTICATED];
        return { outcome: 'authenticated', user: { ...result.user, groups } };
      }
      if (result.outcome === 'invalid') invalid ??= result;
    }
    return invalid ?? NONE;
  }
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function all(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : [...value]).flatMap((v) => v.split(',').map((s) => s.trim())).filter((s) => s !== '');
}
