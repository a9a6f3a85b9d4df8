import { parseArgs } from 'node:util';

/** The flags of `kcp start`, as upstream names them. */
export interface StartOptions {
  rootDirectory: string;
  bindAddress: string;
  securePort: number;
  /** the address clients use (kubeconfig, discovery); default https://<bind address>:<port> */
  externalHostname: string | undefined;
  shardName: string;
  tlsCertFile: string | undefined;
  tlsPrivateKeyFile: string | undefined;
  clientCAFile: string | undefined;
  tokenAuthFile: string | undefined;
  requestheaderClientCAFile: string | undefined;
  requestheaderAllowedNames: string[];
  requestheaderUsernameHeaders: string[];
  requestheaderGroupHeaders: string[];
  requestheaderExtraHeadersPrefix: string[];
  etcdServers: string[];
  etcdCertFile: string | undefined;
  etcdKeyFile: string | undefined;
  etcdCAFile: string | undefined;
  etcdPrefix: string;
  kubeconfigPath: string | undefined;
  serviceAccountIssuer: string;
  serviceAccountSigningKeyFile: string | undefined;
  serviceAccountKeyFiles: string[];
  apiAudiences: string[];
  /** seconds; 0: not capped */
  serviceAccountMaxTokenExpiration: number;
  rootCAFile: string | undefined;
  logFormat: 'text' | 'json';
  verbosity: number;
}

interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
  readonly defaultText?: string;
}

/** Every flag, for parsing and for `kcp start options`. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'root-directory', type: 'string', defaultText: '.kcp', description: 'Root directory for certificates, tokens, the embedded database and the admin kubeconfig.' },
  { name: 'bind-address', type: 'string', defaultText: '127.0.0.1', description: 'The IP address on which to listen for the --secure-port port.' },
  { name: 'secure-port', type: 'string', defaultText: '6443', description: 'The port on which to serve HTTPS (HTTP/2 and HTTP/1.1).' },
  { name: 'external-hostname', type: 'string', description: 'The host:port clients use to reach this shard; written into the admin kubeconfig. Default: bind address and port.' },
  { name: 'shard-name', type: 'string', defaultText: 'root', description: 'The name of this shard.' },
  { name: 'tls-cert-file', type: 'string', description: 'Serving certificate (PEM). Default: generated under the root directory, signed by a generated CA.' },
  { name: 'tls-private-key-file', type: 'string', description: 'Private key of --tls-cert-file.' },
  { name: 'client-ca-file', type: 'string', description: 'CA bundle verifying client certificates (CN = user, O = groups).' },
  { name: 'token-auth-file', type: 'string', description: 'Static bearer tokens, CSV lines token,user,uid,"group1,group2".' },
  { name: 'requestheader-client-ca-file', type: 'string', description: 'CA bundle verifying the client certificates of front-proxies allowed to assert identities in headers.' },
  { name: 'requestheader-allowed-names', type: 'string', multiple: true, description: 'Allowed common names of front-proxy client certificates (default: any).' },
  { name: 'requestheader-username-headers', type: 'string', multiple: true, defaultText: 'X-Remote-User', description: 'Headers carrying the user name.' },
  { name: 'requestheader-group-headers', type: 'string', multiple: true, defaultText: 'X-Remote-Group', description: 'Headers carrying the groups.' },
  { name: 'requestheader-extra-headers-prefix', type: 'string', multiple: true, defaultText: 'X-Remote-Extra-', description: 'Header prefixes carrying extra user information.' },
  { name: 'etcd-servers', type: 'string', multiple: true, description: 'etcd client URLs (comma separated or repeated). Default: the embedded SQLite store under the root directory.' },
  { name: 'etcd-certfile', type: 'string', description: 'Client certificate for etcd.' },
  { name: 'etcd-keyfile', type: 'string', description: 'Private key of --etcd-certfile.' },
  { name: 'etcd-cafile', type: 'string', description: 'CA bundle verifying etcd.' },
  { name: 'etcd-prefix', type: 'string', defaultText: '/registry', description: 'The prefix of every key kcp writes.' },
  { name: 'kubeconfig-path', type: 'string', description: 'Where to write the admin kubeconfig. Default: <root-directory>/admin.kubeconfig.' },
  { name: 'service-account-issuer', type: 'string', defaultText: 'https://kcp.default.svc', description: 'The issuer (iss) of the service account tokens this server signs and accepts.' },
  {
    name: 'service-account-signing-key-file',
    type: 'string',
    description: 'Private key (PEM, RSA or ECDSA) service account tokens are signed with. Default: <root-directory>/service-account.key, generated if absent.',
  },
  { name: 'service-account-key-file', type: 'string', multiple: true, description: 'More PEM files with keys service account tokens may be signed with (rotated keys, other shards).' },
  { name: 'api-audiences', type: 'string', multiple: true, description: 'Audiences a service account token must name (default: the issuer); the first ones are given to tokens requested without audiences.' },
  { name: 'service-account-max-token-expiration', type: 'string', description: 'The longest lifetime of a requested token, e.g. 24h or 3600s (default: as requested).' },
  {
    name: 'root-ca-file',
    type: 'string',
    description: 'CA bundle published in every namespace as the kube-root-ca.crt ConfigMap and given to service account token Secrets. Default: the serving CA (the serving certificate with --tls-cert-file).',
  },
  { name: 'log-format', type: 'string', defaultText: 'text', description: 'Log format: text or json.' },
  { name: 'v', type: 'string', defaultText: '0', description: 'Log verbosity (0 info, 4+ debug).' },
];

/** A flag that could not be parsed or validated. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

/** Parses and validates `kcp start` flags. */
export function parseStartOptions(args: readonly string[]): StartOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.type, ...(f.multiple ? { multiple: true } : {}) }])),
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const str = (name: string) => v[name] as string | undefined;
  const port = Number(str('secure-port') ?? '6443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OptionsError(`--secure-port: invalid port ${JSON.stringify(str('secure-port'))}`);
  const logFormat = str('log-format') ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new OptionsError(`--log-format: must be text or json, got ${JSON.stringify(logFormat)}`);
  const tlsCert = str('tls-cert-file');
  const tlsKey = str('tls-private-key-file');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new OptionsError('--tls-cert-file and --tls-private-key-file must be given together');
  const etcdServers = list(v['etcd-servers'] as string[] | undefined);
  if (etcdServers.length === 0 && (str('etcd-certfile') || str('etcd-keyfile') || str('etcd-cafile'))) {
    throw new OptionsError('--etcd-certfile, --etcd-keyfile and --etcd-cafile need --etcd-servers');
  }
  let etcdPrefix = str('etcd-prefix') ?? '/registry';
  if (!etcdPrefix.startsWith('/')) throw new OptionsError(`--etcd-prefix: must start with "/", got ${JSON.stringify(etcdPrefix)}`);
  if (!etcdPrefix.endsWith('/')) etcdPrefix += '/';
  const verbosity = Number(str('v') ?? '0');
  const maxExpiration = str('service-account-max-token-expiration');
  const maxExpirationSeconds = maxExpiration === undefined ? 0 : parseDurationSeconds(maxExpiration);
  if (maxExpirationSeconds === undefined || (maxExpiration !== undefined && maxExpirationSeconds < 600)) {
    throw new OptionsError(`--service-account-max-token-expiration: a duration of at least 10m (e.g. 1h, 3600s), got ${JSON.stringify(maxExpiration)}`);
  }
  return {
    rootDirectory: str('root-directory') ?? '.kcp',
    bindAddress: str('bind-address') ?? '127.0.0.1',
    securePort: port,
    externalHostname: str('external-hostname'),
    shardName: str('shard-name') ?? 'root',
    tlsCertFile: tlsCert,
    tlsPrivateKeyFile: tlsKey,
    clientCAFile: str('client-ca-file'),
    tokenAuthFile: str('token-auth-file'),
    requestheaderClientCAFile: str('requestheader-client-ca-file'),
    requestheaderAllowedNames: list(v['requestheader-allowed-names'] as string[] | undefined),
    requestheaderUsernameHeaders: list(v['requestheader-username-headers'] as string[] | undefined),
    requestheaderGroupHeaders: list(v['requestheader-group-headers'] as string[] | undefined),
    requestheaderExtraHeadersPrefix: list(v['requestheader-extra-headers-prefix'] as string[] | undefined),
    etcdServers,
    etcdCertFile: str('etcd-certfile'),
    etcdKeyFile: str('etcd-keyfile'),
    etcdCAFile: str('etcd-cafile'),
    etcdPrefix,
    kubeconfigPath: str('kubeconfig-path'),
    serviceAccountIssuer: str('service-account-issuer') ?? 'https://kcp.default.svc',
    serviceAccountSigningKeyFile: str('service-account-signing-key-file'),
    serviceAccountKeyFiles: list(v['service-account-key-file'] as string[] | undefined),
    apiAudiences: list(v['api-audiences'] as string[] | undefined),
    serviceAccountMaxTokenExpiration: maxExpirationSeconds,
    rootCAFile: str('root-ca-file'),
    logFormat,
    verbosity: Number.isFinite(verbosity) ? verbosity : 0,
  };
}

/** Seconds of a Go duration made of h, m and s parts (`1h30m`, `3600s`); undefined when it is not one. */
function parseDurationSeconds(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The `kcp start options` help text. */
export function flagsHelp(): string {
  return FLAGS.map((f) => `      --${f.name}${f.type === 'string' ? ' string' : ''}\n          ${f.description}${f.defaultText ? ` (default ${JSON.stringify(f.defaultText)})` : ''}`).join('\n');
}
