import { generateKeyPairSync } from 'node:crypto';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { describe, expect, it } from 'vitest';
import { ServiceAccountTokenAuthenticator, ServiceAccountTokenIssuer, parseVerificationKeys } from './service-account-tokens';

const ISSUER = 'https://kcp.default.svc';
const cluster = 'root' as ClusterName;
const claims = { cluster, namespace: 'ns', name: 'bot', uid: 'uid-1', audiences: [ISSUER], expirationSeconds: 600 };

function setup(keyType: 'rsa' | 'ec') {
  const { privateKey } = keyType === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let now = Date.parse('2026-11-21T10:00:00Z');
  const issuer = new ServiceAccountTokenIssuer(ISSUER, privateKey, () => now);
  const authenticator = new ServiceAccountTokenAuthenticator({
    issuers: [ISSUER],
    keys: [privateKey],
    audiences: [ISSUER],
    serviceAccounts: (c, namespace, name) => (c === cluster && namespace === 'ns' && name === 'bot' ? { uid: 'uid-1', deleting: false } : undefined),
    secrets: () => undefined,
    now: () => now,
  });
  const authenticate = (token: string) => authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } });
  return { issuer, authenticate, advance: (ms: number) => (now += ms), privateKey };
}

describe('service account tokens', () => {
  it.each(['rsa', 'ec'] as const)('signed with an %s key authenticate until they expire', (keyType) => {
    const { issuer, authenticate, advance } = setup(keyType);
    const { token, expiresAt } = issuer.issue(claims);
    expect(expiresAt.toISOString()).toBe('2026-11-21T10:10:00.000Z');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe(keyType === 'rsa' ? 'RS256' : 'ES256');
    expect(authenticate(token)).toMatchObject({ outcome: 'authenticated', user: { username: 'system:serviceaccount:ns:bot', uid: 'uid-1' } });
    advance(599_000);
    expect(authenticate(token).outcome).toBe('authenticated');
    advance(1_000);
    expect(authenticate(token)).toEqual({ outcome: 'invalid', reason: 'service account token has expired' });
  });

  it('are not valid before their nbf, beyond a minute of clock skew', () => {
    const { issuer, authenticate, advance } = setup('ec');
    advance(120_000);
    const { token } = issuer.issue(claims);
    advance(-120_000);
    expect(authenticate(token)).toEqual({ outcome: 'invalid', reason: 'service account token is not valid yet' });
    advance(61_000);
    expect(authenticate(token).outcome).toBe('authenticated');
  });

  it('of another key, or that are not JWTs, are refused or left to other authenticators', () => {
    const { authenticate } = setup('ec');
    const other = setup('ec');
    expect(authenticate(other.issuer.issue(claims).token)).toEqual({ outcome: 'invalid', reason: 'invalid signature' });
    expect(authenticate('not-a-jwt')).toEqual({ outcome: 'none' });
    expect(authenticate('a.b.c')).toEqual({ outcome: 'none' });
  });

  it('for a service account that is gone or has another uid are refused', () => {
    const { issuer, authenticate } = setup('ec');
    expect(authenticate(issuer.issue({ ...claims, name: 'ghost' }).token)).toEqual({ outcome: 'invalid', reason: 'service account ns/ghost has been deleted' });
    expect(authenticate(issuer.issue({ ...claims, uid: 'uid-0' }).token)).toEqual({ outcome: 'invalid', reason: 'service account UID (uid-1) does not match claim (uid-0)' });
  });
});

describe('legacy service account tokens', () => {
  it('authenticate while their Secret holds exactly them, without expiring', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issuer = new ServiceAccountTokenIssuer(ISSUER, privateKey);
    const token = issuer.issueLegacy({ cluster, namespace: 'ns', name: 'bot', uid: 'uid-1', secretName: 'bot-token' });
    let held = Buffer.from(token).toString('base64');
    const authenticator = new ServiceAccountTokenAuthenticator({
      issuers: [ISSUER],
      keys: [privateKey],
      audiences: [ISSUER],
      serviceAccounts: () => ({ uid: 'uid-1', deleting: false }),
      secrets: (c, namespace, name) =>
        c === cluster && namespace === 'ns' && name === 'bot-token' ? { uid: 's', deleting: false, annotations: { 'kubernetes.io/service-account.name': 'bot' }, data: { token: held } } : undefined,
      now: () => Date.parse('2100-01-01T00:00:00Z'),
    });
    const authenticate = () => authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } });
    expect(authenticate()).toMatchObject({ outcome: 'authenticated', user: { username: 'system:serviceaccount:ns:bot', uid: 'uid-1' } });
    held = Buffer.from('another token').toString('base64');
    expect(authenticate()).toEqual({ outcome: 'invalid', reason: 'token does not match the token of secret ns/bot-token' });
  });
});

describe('parseVerificationKeys', () => {
  it('reads public keys, and the public half of private keys, from PEM', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = `${rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string}${rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string}`;
    expect(parseVerificationKeys(pem).map((k) => k.type)).toEqual(['public', 'public']);
    expect(() => parseVerificationKeys('nothing here')).toThrow('no PEM public or private key found');
    // as `openssl ecparam -genkey` writes an EC key: the curve's parameters first
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(parseVerificationKeys(`-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${ec}`).map((k) => k.asymmetricKeyType)).toEqual(['ec']);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => parseVerificationKeys(ed)).toThrow('service account keys must be RSA or ECDSA (P-256, P-384, P-521) keys, not ed25519');
  });
});
