import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type Authenticator,
  type CertificateAndKey,
  ClientCertificateAuthenticator,
  RequestHeaderAuthenticator,
  TokenAuthenticator,
  UnionAuthenticator,
  certificateIsUsable,
  generateCA,
  issueCertificate,
  parseCertificateBundle,
  parseTokenAuthFile,
  parseVerificationKeys,
  type ServiceAccountTokenOptions,
  KCP_ADMIN_GROUP,
  SYSTEM_MASTERS,
} from '@kcp-ts/apiserver';
import { type Store, openSqliteStore } from '@kcp-ts/storage';
import { createEtcdStore } from '@kcp-ts/storage-etcd';
import type { StartOptions } from './options';

/** Everything `kcp start` needs, resolved from the options (`complete()` in upstream's terms). */
export interface CompletedConfig {
  readonly options: StartOptions;
  readonly rootDirectory: string;
  readonly serving: { cert: string; key: string; clientCAs?: string };
  /** the CA clients verify the serving certificate with (kubeconfig) */
  readonly servingCA: string;
  /** what namespaces are given as `kube-root-ca.crt` (`--root-ca-file`, default the serving CA) */
  readonly rootCA: string;
  readonly externalURL: string;
  readonly kubeconfigPath: string;
  readonly authenticator: Authenticator;
  readonly tokens: { kcpAdmin: string; shardAdmin: string };
  readonly serviceAccountTokens: ServiceAccountTokenOptions;
  openStore(): Promise<Store>;
}

/** Creates the root directory, certificates and admin tokens as needed. */
export async function completeConfig(options: StartOptions): Promise<CompletedConfig> {
  const root = options.rootDirectory;
  await mkdir(root, { recursive: true, mode: 0o700 });
  const external = options.externalHostname ?? `${options.bindAddress === '0.0.0.0' || options.bindAddress === '::' ? '127.0.0.1' : options.bindAddress}:${options.securePort}`;
  const externalHost = external.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const externalURL = `https://${external.includes(':') && isIP(externalHost) === 6 && !external.startsWith('[') ? `[${externalHost}]:${options.securePort}` : external}`;

  let serving: { cert: string; key: string };
  let servingCA: string;
  if (options.tlsCertFile && options.tlsPrivateKeyFile) {
    serving = { cert: await readFile(options.tlsCertFile, 'utf8'), key: await readFile(options.tlsPrivateKeyFile, 'utf8') };
    servingCA = serving.cert;
  } else {
    const ca = await loadOrCreate(join(root, 'ca'), () => generateCA('kcp-ts-ca'), (pair) => certificateIsUsable(pair.cert));
    const hosts = [...new Set(['localhost', hostname(), externalHost, options.bindAddress, '127.0.0.1', '::1'])].filter((h) => h !== '0.0.0.0' && h !== '::' && h !== '');
    serving = await loadOrCreate(
      join(root, 'apiserver'),
      () =>
        issueCertificate(ca, {
          commonName: 'kcp',
          dnsNames: hosts.filter((h) => isIP(h) === 0),
          ipAddresses: hosts.filter((h) => isIP(h) !== 0),
          usage: 'server',
        }),
      (pair) => certificateIsUsable(pair.cert, ca.cert) && hosts.every((h) => certCovers(pair.cert, h)),
    );
    servingCA = ca.cert;
  }

  const kubeconfigPath = options.kubeconfigPath ?? join(root, 'admin.kubeconfig');
  const shardAdmin = await persistentShardAdminToken(root, kubeconfigPath);
  const kcpAdmin = randomUUID();
  const tokens = new TokenAuthenticator([
    [kcpAdmin, { username: 'kcp-admin', groups: [KCP_ADMIN_GROUP] }],
    [shardAdmin, { username: 'shard-admin', groups: [SYSTEM_MASTERS] }],
  ]);
  if (options.tokenAuthFile) {
    for (const [token, user] of parseTokenAuthFile(await readFile(options.tokenAuthFile, 'utf8'))) tokens.set(token, user);
  }
  const authenticators: Authenticator[] = [];
  let clientCAs: string | undefined;
  if (options.requestheaderClientCAFile) {
    const pem = await readFile(options.requestheaderClientCAFile, 'utf8');
    clientCAs = pem;
    authenticators.push(
      new RequestHeaderAuthenticator({
        clientCAs: parseCertificateBundle(pem),
        allowedNames: options.requestheaderAllowedNames,
        ...(options.requestheaderUsernameHeaders.length > 0 ? { usernameHeaders: options.requestheaderUsernameHeaders } : {}),
        ...(options.requestheaderGroupHeaders.length > 0 ? { groupHeaders: options.requestheaderGroupHeaders } : {}),
        ...(options.requestheaderExtraHeadersPrefix.length > 0 ? { extraHeaderPrefixes: options.requestheaderExtraHeadersPrefix } : {}),
      }),
    );
  }
  if (options.clientCAFile) {
    const pem = await readFile(options.clientCAFile, 'utf8');
    clientCAs = clientCAs ? `${clientCAs}\n${pem}` : pem;
    authenticators.push(new ClientCertificateAuthenticator(parseCertificateBundle(pem)));
  }
  authenticators.push(tokens);
  const serviceAccountTokens = await serviceAccountKeys(options, root);

  return {
    options,
    rootDirectory: root,
    serving: { ...serving, ...(clientCAs ? { clientCAs } : {}) },
    servingCA,
    rootCA: options.rootCAFile ? await readFile(options.rootCAFile, 'utf8') : servingCA,
    externalURL,
    kubeconfigPath,
    authenticator: new UnionAuthenticator(authenticators),
    tokens: { kcpAdmin, shardAdmin },
    serviceAccountTokens,
    openStore: async () => {
      if (options.etcdServers.length > 0) {
        return createEtcdStore({
          endpoints: options.etcdServers,
          keyPrefix: options.etcdPrefix,
          ...(options.etcdCAFile || options.etcdCertFile || options.etcdKeyFile
            ? {
                tls: {
                  ...(options.etcdCAFile ? { caFile: options.etcdCAFile } : {}),
                  ...(options.etcdCertFile ? { certFile: options.etcdCertFile } : {}),
                  ...(options.etcdKeyFile ? { keyFile: options.etcdKeyFile } : {}),
                },
              }
            : {}),
        });
      }
      return openSqliteStore({ path: join(root, 'storage', 'kcp.db'), keyPrefix: options.etcdPrefix });
    },
  };
}

/**
 * The service account token keys: `--service-account-signing-key-file`, or
 * `<root>/service-account.key` (an RSA key generated on first start, kept
 * across restarts so tokens stay valid), plus `--service-account-key-file`.
 */
async function serviceAccountKeys(options: StartOptions, root: string): Promise<ServiceAccountTokenOptions> {
  let signingPem: string;
  if (options.serviceAccountSigningKeyFile) {
    signingPem = await readFile(options.serviceAccountSigningKeyFile, 'utf8');
  } else {
    const path = join(root, 'service-account.key');
    if (existsSync(path)) signingPem = await readFile(path, 'utf8');
    else {
      signingPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      await writeFile(path, signingPem, { mode: 0o600 });
    }
  }
  const readKeys = async (file: string) => {
    try {
      return parseVerificationKeys(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`--service-account-key-file ${file}: ${(err as Error).message}`);
    }
  };
  let signingKey;
  try {
    signingKey = createPrivateKey(signingPem);
    parseVerificationKeys(signingPem); // RSA or ECDSA only
  } catch (err) {
    throw new Error(`service account signing key ${options.serviceAccountSigningKeyFile ?? join(root, 'service-account.key')}: ${(err as Error).message}`);
  }
  return {
    issuer: options.serviceAccountIssuer,
    signingKey,
    verificationKeys: (await Promise.all(options.serviceAccountKeyFiles.map(readKeys))).flat(),
    ...(options.apiAudiences.length > 0 ? { audiences: options.apiAudiences } : {}),
    maxExpirationSeconds: options.serviceAccountMaxTokenExpiration,
  };
}

/** Whether the serving certificate names `host` (so a changed bind address gets a new one). */
function certCovers(certPem: string, host: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return isIP(host) !== 0 ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
  } catch {
    return false;
  }
}

/** Reads `<base>.crt/.key`, or creates and writes them when absent or not usable. */
async function loadOrCreate(base: string, create: () => Promise<CertificateAndKey>, usable: (pair: CertificateAndKey) => boolean): Promise<CertificateAndKey> {
  if (existsSync(`${base}.crt`) && existsSync(`${base}.key`)) {
    const pair = { cert: await readFile(`${base}.crt`, 'utf8'), key: await readFile(`${base}.key`, 'utf8') };
    if (usable(pair)) return pair;
  }
  const pair = await create();
  await writeFile(`${base}.key`, pair.key, { mode: 0o600 });
  await writeFile(`${base}.crt`, pair.cert, { mode: 0o644 });
  return pair;
}

/**
 * The shard-admin token survives restarts (upstream stores its sha256 in
 * `.admin-token-store`); the plain token lives only in the admin kubeconfig.
 * If either is missing or they disagree, a new token is minted.
 */
async function persistentShardAdminToken(root: string, kubeconfigPath: string): Promise<string> {
  const store = join(root, '.admin-token-store');
  if (existsSync(store) && existsSync(kubeconfigPath)) {
    try {
      const hash = (await readFile(store, 'utf8')).trim();
      const kubeconfig = parseYaml(await readFile(kubeconfigPath, 'utf8')) as { users?: Array<{ name: string; user?: { token?: string } }> };
      const token = kubeconfig.users?.find((u) => u.name === 'shard-admin')?.user?.token;
      if (token && sha256(token) === hash) return token;
    } catch {
      // fall through to a fresh token
    }
  }
  const token = randomBytes(24).toString('hex');
  await writeFile(store, `${sha256(token)}\n`, { mode: 0o600 });
  return token;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
