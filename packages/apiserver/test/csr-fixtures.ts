/**
 * Real PKCS#10 certificate requests and certificates for tests, made with
 * node:crypto keys and @peculiar/x509.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Key types {@link makeCsr} can sign with. */
export type CsrKeyType = 'rsa' | 'ecdsa' | 'ed25519' | 'rsa-pss';

const ALGORITHMS: Record<CsrKeyType, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | webcrypto.Algorithm> = {
  rsa: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as webcrypto.RsaHashedKeyGenParams,
  'rsa-pss': { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as webcrypto.RsaHashedKeyGenParams,
  ecdsa: { name: 'ECDSA', namedCurve: 'P-256' } as webcrypto.EcKeyGenParams,
  ed25519: { name: 'Ed25519' },
};

const SIGNING: Record<CsrKeyType, webcrypto.Algorithm | webcrypto.EcdsaParams | webcrypto.RsaPssParams> = {
  rsa: { name: 'RSASSA-PKCS1-v1_5' },
  'rsa-pss': { name: 'RSA-PSS', saltLength: 32 } as webcrypto.RsaPssParams,
  ecdsa: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
  ed25519: { name: 'Ed25519' },
};

const keys = new Map<CsrKeyType, Promise<webcrypto.CryptoKeyPair>>();

/** One key pair per type for the whole test file (RSA key generation is slow). */
function keyPair(type: CsrKeyType): Promise<webcrypto.CryptoKeyPair> {
  let pair = keys.get(type);
  if (pair === undefined) {
    pair = webcrypto.subtle.generateKey(ALGORITHMS[type], true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
    keys.set(type, pair);
  }
  return pair;
}

/** Escapes a value for an X.500 name string (RFC 4514). */
const escapeName = (value: string): string => value.replace(/([,+"\\<>;=#])/g, '\\$1');

/**
 * A PKCS#10 certificate request for `CN=<commonName>, O=<organization>…`,
 * signed with a key of the given type (default RSA): its PEM text and the
 * base64 of that text (the `spec.request` of a CertificateSigningRequest).
 */
export async function makeCsr(options: { commonName: string; organizations?: string[]; key?: CsrKeyType }): Promise<{ pem: string; base64: string }> {
  const type = options.key ?? 'rsa';
  const name = [`CN=${escapeName(options.commonName)}`, ...(options.organizations ?? []).map((o) => `O=${escapeName(o)}`)].join(', ');
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: await keyPair(type),
    signingAlgorithm: SIGNING[type],
  });
  const pem = withFinalNewline(request.toString('pem'));
  return { pem, base64: Buffer.from(pem).toString('base64') };
}

let serial = 0;

/** PEM text ending in a line break, as Go's `pem.Encode` writes it (so blocks can be concatenated). */
const withFinalNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

/** A self-signed ECDSA P-256 certificate in PEM form; a new serial number on every call. */
export async function makeCertificatePem(): Promise<string> {
  serial++;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString(16).padStart(2, '0'),
    name: `CN=test-certificate-${serial}`,
    notBefore: new Date('2024-01-01T00:00:00Z'),
    notAfter: new Date('2034-01-01T00:00:00Z'),
    keys: await keyPair('ecdsa'),
    signingAlgorithm: SIGNING.ecdsa,
  });
  return withFinalNewline(certificate.toString('pem'));
}
