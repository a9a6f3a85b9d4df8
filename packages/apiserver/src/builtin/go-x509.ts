/*
 * The parts of Go's encoding/pem, encoding/asn1 and crypto/x509 (Go 1.23, the
 * toolchain of Kubernetes 1.32) that CertificateSigningRequest validation
 * runs, with Go's error texts:
 *
 * - `pem.Decode`: the next PEM block of a byte string, skipping anything that
 *   only looks like one;
 * - `x509.ParseCertificateRequest`: a PKCS#10 request, read by encoding/asn1
 *   into Go's `certificateRequest` struct (`asn1: structure error: tags don't
 *   match (16 vs {class:0 tag:2 length:1 isCompound:false}) {…} certificateRequest @2`),
 *   then the public key and the subject;
 * - `(*x509.CertificateRequest).CheckSignature`: the signature checked for
 *   real with node:crypto (RSA PKCS #1 v1.5 and PSS, ECDSA P-224/256/384/521,
 *   Ed25519);
 * - `x509.ParseCertificates`: the outer structure of DER certificates, read
 *   the way Go's cryptobyte parser reads it (`x509: malformed tbs certificate`).
 *
 * Not reproduced (accepted here where Go may refuse): the contents of a
 * certificate's names, validity and extensions, a request's extension
 * attributes (duplicate requested extensions, malformed subjectAltNames),
 * and the `time` values of subject attributes. In the `tags don't match`
 * message of an implicitly tagged field (a request's attributes, `[0]`), Go
 * prints the address of the tag number (`tag:0xc000…`); here it is
 * `tag:0xc000012345`.
 */
import { createPublicKey, verify as verifySignature, constants as cryptoConstants, type KeyObject } from 'node:crypto';

// --- encoding/pem -------------------------------------------------------------

/** A PEM block as Go's `pem.Block`: type and headers as byte strings (latin1), the decoded bytes. */
export interface GoPemBlock {
  readonly type: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly bytes: Buffer;
}

const PEM_START = '\n-----BEGIN ';
const PEM_END = '\n-----END ';
const PEM_END_OF_LINE = '-----';

/** The first `\n` or `\r\n` line of `data` without trailing spaces and tabs, and the rest. */
function getLine(data: string): [string, string] {
  let i = data.indexOf('\n');
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === '\r') i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ''), data.slice(j)];
}

/** Go's `bytes.TrimSpace` over ASCII whitespace. */
const trimSpace = (s: string): string => s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');

/**
 * Go's `base64.StdEncoding.Decode` (line breaks skipped, padding required, non-zero
 * trailing bits tolerated): the bytes, or `undefined` when Go reports an error.
 */
function goBase64Decode(text: string): Buffer | undefined {
  const stripped = text.replace(/[\r\n]/g, '');
  if (stripped.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(stripped)) return undefined;
  return Buffer.from(stripped, 'base64');
}

/**
 * Go's `pem.Decode`: the next PEM block in `data` and what follows it, or no
 * block (and all of `data` as the rest) when there is none. `data` is handled
 * as bytes.
 */
export function goPemDecode(data: Buffer): { block: GoPemBlock | undefined; rest: Buffer } {
  const text = data.toString('latin1');
  let rest = text;
  for (;;) {
    if (rest.startsWith(PEM_START.slice(1))) rest = rest.slice(PEM_START.length - 1);
    else {
      const at = rest.indexOf(PEM_START);
      if (at < 0) return { block: undefined, rest: data };
      rest = rest.slice(at + PEM_START.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith(PEM_END_OF_LINE)) continue;
    typeLine = typeLine.slice(0, typeLine.length - PEM_END_OF_LINE.length);

    const headers = new Map<string, string>();
    let complete = true;
    for (;;) {
      if (rest.length === 0) {
        complete = false;
        break;
      }
      const [line, next] = getLine(rest);
      const colon = line.indexOf(':');
      if (colon < 0) break;
      headers.set(trimSpace(line.slice(0, colon)), trimSpace(line.slice(colon + 1)));
      rest = next;
    }
    if (!complete) return { block: undefined, rest: data };

    let endIndex: number;
    let endTrailerIndex: number;
    if (headers.size === 0 && rest.startsWith(PEM_END.slice(1))) {
      endIndex = 0;
      endTrailerIndex = PEM_END.length - 1;
    } else {
      endIndex = rest.indexOf(PEM_END);
      endTrailerIndex = endIndex + PEM_END.length;
    }
    if (endIndex < 0) continue;

    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = typeLine.length + PEM_END_OF_LINE.length;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(typeLine) || !endTrailer.endsWith(PEM_END_OF_LINE)) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;

    const decoded = goBase64Decode(rest.slice(0, endIndex).replace(/[ \t]/g, ''));
    if (decoded === undefined) continue;
    const after = getLine(rest.slice(endIndex + PEM_END.length - 1))[1];
    return { block: { type: typeLine, headers, bytes: decoded }, rest: Buffer.from(after, 'latin1') };
  }
}

// --- encoding/asn1 ------------------------------------------------------------

class GoError extends Error {}
const syntaxError = (msg: string) => new GoError(`asn1: syntax error: ${msg}`);
const structuralError = (msg: string) => new GoError(`asn1: structure error: ${msg}`);

const CLASS_UNIVERSAL = 0;
const CLASS_CONTEXT_SPECIFIC = 2;
const TAG = { INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, OID: 6, UTF8: 12, SEQUENCE: 16, SET: 17, NUMERIC: 18, PRINTABLE: 19, T61: 20, IA5: 22, UTC_TIME: 23, GENERALIZED_TIME: 24, GENERAL_STRING: 27, BMP: 30 } as const;

interface TagAndLength {
  readonly class: number;
  readonly tag: number;
  readonly length: number;
  readonly isCompound: boolean;
}

/** `parseBase128Int`. */
function parseBase128Int(bytes: Buffer, initOffset: number): [number, number] {
  let offset = initOffset;
  let value = 0;
  for (let shifted = 0; offset < bytes.length; shifted++) {
    if (shifted === 5) throw structuralError('base 128 integer too large');
    value *= 128;
    const b = bytes[offset]!;
    if (shifted === 0 && b === 0x80) throw syntaxError('integer is not minimally encoded');
    offset++;
    value += b & 0x7f;
    if ((b & 0x80) === 0) {
      if (value > 0x7fffffff) throw structuralError('base 128 integer too large');
      return [value, offset];
    }
  }
  throw syntaxError('truncated base 128 integer');
}

/** `parseTagAndLength`. */
function parseTagAndLength(bytes: Buffer, initOffset: number): [TagAndLength, number] {
  let offset = initOffset;
  if (offset >= bytes.length) throw new GoError('asn1: internal error in parseTagAndLength');
  let b = bytes[offset++]!;
  const cls = b >> 6;
  const isCompound = (b & 0x20) === 0x20;
  let tag = b & 0x1f;
  if (tag === 0x1f) {
    [tag, offset] = parseBase128Int(bytes, offset);
    if (tag < 0x1f) throw syntaxError('non-minimal tag');
  }
  if (offset >= bytes.length) throw syntaxError('truncated tag or length');
  b = bytes[offset++]!;
  let length: number;
  if ((b & 0x80) === 0) length = b & 0x7f;
  else {
    const numBytes = b & 0x7f;
    if (numBytes === 0) throw syntaxError('indefinite length found (not DER)');
    length = 0;
    for (let i = 0; i < numBytes; i++) {
      if (offset >= bytes.length) throw syntaxError('truncated tag or length');
      b = bytes[offset++]!;
      if (length >= 1 << 23) throw structuralError('length too large');
      length = length * 256 + b;
      if (length === 0) throw structuralError('superfluous leading zeros in length');
    }
    if (length < 0x80) throw structuralError('non-minimal length');
  }
  return [{ class: cls, tag, length, isCompound }, offset];
}

const invalidLength = (offset: number, length: number, sliceLength: number): boolean => offset + length > sliceLength;

/** `checkInteger` + `parseInt64`. */
function parseInt64(bytes: Buffer): bigint {
  if (bytes.length === 0) throw structuralError('empty integer');
  if (bytes.length > 1 && ((bytes[0] === 0 && (bytes[1]! & 0x80) === 0) || (bytes[0] === 0xff && (bytes[1]! & 0x80) === 0x80))) {
    throw structuralError('integer not minimally-encoded');
  }
  if (bytes.length > 8) throw structuralError('integer too large');
  return BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
}

/** `parseObjectIdentifier`, as the dotted string. */
function parseObjectIdentifier(bytes: Buffer): string {
  if (bytes.length === 0) throw syntaxError('zero length OBJECT IDENTIFIER');
  let [v, offset] = parseBase128Int(bytes, 0);
  const parts = v < 80 ? [Math.floor(v / 40), v % 40] : [2, v - 80];
  while (offset < bytes.length) {
    [v, offset] = parseBase128Int(bytes, offset);
    parts.push(v);
  }
  return parts.join('.');
}

interface BitString {
  readonly bytes: Buffer;
  readonly bitLength: number;
}

/** `parseBitString`. */
function parseBitString(bytes: Buffer): BitString {
  if (bytes.length === 0) throw syntaxError('zero length BIT STRING');
  const paddingBits = bytes[0]!;
  if (paddingBits > 7 || (bytes.length === 1 && paddingBits > 0) || (bytes[bytes.length - 1]! & ((1 << paddingBits) - 1)) !== 0) {
    throw syntaxError('invalid padding bits in BIT STRING');
  }
  return { bytes: bytes.subarray(1), bitLength: (bytes.length - 1) * 8 - paddingBits };
}

/** `BitString.RightAlign`. */
function rightAlign(bits: BitString): Buffer {
  const shift = 8 - (bits.bitLength % 8);
  if (shift === 8 || bits.bytes.length === 0) return bits.bytes;
  const out = Buffer.alloc(bits.bytes.length);
  out[0] = bits.bytes[0]! >> shift;
  for (let i = 1; i < bits.bytes.length; i++) {
    out[i] = ((bits.bytes[i - 1]! << (8 - shift)) & 0xff) | (bits.bytes[i]! >> shift);
  }
  return out;
}

/** An `asn1.RawValue`. */
interface RawValue {
  readonly class: number;
  readonly tag: number;
  readonly isCompound: boolean;
  readonly bytes: Buffer;
  readonly fullBytes: Buffer;
}

/** The Go types the request structures are made of, as far as encoding/asn1 looks at them. */
type Asn1Type =
  | { readonly kind: 'struct'; readonly name: string; readonly raw: boolean; readonly fields: readonly Asn1Field[] }
  | { readonly kind: 'slice'; readonly name: string; readonly elem: Asn1Type }
  | { readonly kind: 'int' | 'oid' | 'bitString' | 'rawValue' | 'any' };

interface Asn1Field {
  readonly name: string;
  readonly type: Asn1Type;
  readonly params?: FieldParams;
}

interface FieldParams {
  readonly optional?: boolean;
  readonly explicit?: boolean;
  readonly tag?: number;
  readonly defaultValue?: bigint;
}

const typeName = (type: Asn1Type): string => {
  switch (type.kind) {
    case 'struct':
    case 'slice':
      return type.name;
    case 'int':
      return 'int';
    case 'oid':
      return 'ObjectIdentifier';
    case 'bitString':
      return 'BitString';
    case 'rawValue':
      return 'RawValue';
    case 'any':
      return '';
  }
};

/** `getUniversalType`: [matchAny, tag, compound]. */
function universalType(type: Asn1Type): [boolean, number, boolean] {
  switch (type.kind) {
    case 'rawValue':
      return [true, -1, false];
    case 'oid':
      return [false, TAG.OID, false];
    case 'bitString':
      return [false, TAG.BIT_STRING, false];
    case 'int':
      return [false, TAG.INTEGER, false];
    case 'struct':
      return [false, TAG.SEQUENCE, true];
    case 'slice':
      return [false, type.name.endsWith('SET') ? TAG.SET : TAG.SEQUENCE, true];
    case 'any':
      return [true, -1, false];
  }
}

/** `%+v` of a `fieldParameters`; a tag number is a pointer in Go, printed as an address. */
function formatParams(params: FieldParams): string {
  const tag = params.tag === undefined ? '<nil>' : '0xc000012345';
  const defaultValue = params.defaultValue === undefined ? '<nil>' : '0xc000012348';
  return `{optional:${params.optional === true} explicit:${params.explicit === true} application:false private:false defaultValue:${defaultValue} tag:${tag} stringType:0 timeType:0 set:false omitEmpty:false}`;
}

const formatTag = (t: TagAndLength): string => `{class:${t.class} tag:${t.tag} length:${t.length} isCompound:${t.isCompound}}`;

const DEFAULT = Symbol('default');

/** `setDefaultValue`: whether the field may be left out. */
function defaultValue(params: FieldParams): typeof DEFAULT | undefined {
  return params.optional === true ? DEFAULT : undefined;
}

/** `parseField` for the types above: the value and the offset after it. */
function parseField(type: Asn1Type, bytes: Buffer, initOffset: number, params: FieldParams = {}): [unknown, number] {
  let offset = initOffset;
  if (offset === bytes.length) {
    if (defaultValue(params) === undefined) throw syntaxError('sequence truncated');
    return [params.defaultValue ?? DEFAULT, offset];
  }
  if (type.kind === 'any') return parseAny(bytes, offset);

  let t: TagAndLength;
  [t, offset] = parseTagAndLength(bytes, offset);
  if (params.explicit === true) {
    if (offset === bytes.length) throw structuralError('explicit tag has no child');
    if (t.class === CLASS_CONTEXT_SPECIFIC && t.tag === params.tag && (t.length === 0 || t.isCompound)) {
      if (type.kind === 'rawValue') {
        // the inner element is not parsed for a RawValue
      } else if (t.length > 0) {
        [t, offset] = parseTagAndLength(bytes, offset);
      } else {
        throw structuralError('zero length explicit tag was not an asn1.Flag');
      }
    } else {
      if (defaultValue(params) === undefined) throw structuralError("explicitly tagged member didn't match");
      return [params.defaultValue ?? DEFAULT, initOffset];
    }
  }
  const [matchAny, universalTag, compound] = universalType(type);
  let expectedClass = CLASS_UNIVERSAL;
  let expectedTag = universalTag;
  let matchAnyClassAndTag = matchAny;
  if (params.explicit !== true && params.tag !== undefined) {
    expectedClass = CLASS_CONTEXT_SPECIFIC;
    expectedTag = params.tag;
    matchAnyClassAndTag = false;
  }
  if ((!matchAnyClassAndTag && (t.class !== expectedClass || t.tag !== expectedTag)) || (!matchAny && t.isCompound !== compound)) {
    if (defaultValue(params) !== undefined) return [params.defaultValue ?? DEFAULT, initOffset];
    throw structuralError(`tags don't match (${expectedTag} vs ${formatTag(t)}) ${formatParams(params)} ${typeName(type)} @${offset}`);
  }
  if (invalidLength(offset, t.length, bytes.length)) throw syntaxError('data truncated');
  const inner = bytes.subarray(offset, offset + t.length);
  offset += t.length;

  switch (type.kind) {
    case 'rawValue':
      return [{ class: t.class, tag: t.tag, isCompound: t.isCompound, bytes: inner, fullBytes: bytes.subarray(initOffset, offset) } satisfies RawValue, offset];
    case 'oid':
      return [parseObjectIdentifier(inner), offset];
    case 'bitString':
      return [parseBitString(inner), offset];
    case 'int':
      return [parseInt64(inner), offset];
    case 'struct': {
      const out: Record<string, unknown> = {};
      if (type.raw) out['raw'] = bytes.subarray(initOffset, offset);
      let innerOffset = 0;
      for (const field of type.fields) {
        let value: unknown;
        [value, innerOffset] = parseField(field.type, inner, innerOffset, field.params);
        if (value !== DEFAULT) out[field.name] = value;
      }
      // trailing elements of a SEQUENCE are allowed
      return [out, offset];
    }
    case 'slice':
      return [parseSequenceOf(inner, type.elem), offset];
  }
}

/** `parseSequenceOf`. */
function parseSequenceOf(bytes: Buffer, elem: Asn1Type): unknown[] {
  const [matchAny, expectedTag, compound] = universalType(elem);
  let count = 0;
  for (let offset = 0; offset < bytes.length; ) {
    let t: TagAndLength;
    [t, offset] = parseTagAndLength(bytes, offset);
    let tag = t.tag;
    if (([TAG.IA5, TAG.GENERAL_STRING, TAG.T61, TAG.UTF8, TAG.NUMERIC, TAG.BMP] as number[]).includes(tag)) tag = TAG.PRINTABLE;
    else if (tag === TAG.GENERALIZED_TIME) tag = TAG.UTC_TIME;
    if (!matchAny && (t.class !== CLASS_UNIVERSAL || t.isCompound !== compound || tag !== expectedTag)) throw structuralError('sequence tag mismatch');
    if (invalidLength(offset, t.length, bytes.length)) throw syntaxError('truncated sequence');
    offset += t.length;
    count++;
  }
  const out: unknown[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    let value: unknown;
    [value, offset] = parseField(elem, bytes, offset);
    out.push(value);
  }
  return out;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/;

/** `parseField` for an `interface{}` (an attribute value): strings and a few scalars, anything else left nil. */
function parseAny(bytes: Buffer, initOffset: number): [unknown, number] {
  const [t, offset] = parseTagAndLength(bytes, initOffset);
  if (invalidLength(offset, t.length, bytes.length)) throw syntaxError('data truncated');
  const inner = bytes.subarray(offset, offset + t.length);
  let result: unknown;
  if (!t.isCompound && t.class === CLASS_UNIVERSAL) {
    switch (t.tag) {
      case TAG.PRINTABLE:
        if (!PRINTABLE.test(inner.toString('latin1'))) throw syntaxError('PrintableString contains invalid character');
        result = inner.toString('latin1');
        break;
      case TAG.NUMERIC:
        if (!/^[0-9 ]*$/.test(inner.toString('latin1'))) throw syntaxError('NumericString contains invalid character');
        result = inner.toString('latin1');
        break;
      case TAG.IA5:
        if (inner.some((b) => b >= 0x80)) throw syntaxError('IA5String contains invalid character');
        result = inner.toString('latin1');
        break;
      case TAG.T61:
        result = inner.toString('latin1');
        break;
      case TAG.UTF8:
        try {
          result = new TextDecoder('utf-8', { fatal: true }).decode(inner);
        } catch {
          throw new GoError('asn1: invalid UTF-8 string');
        }
        break;
      case TAG.BMP: {
        if (inner.length % 2 !== 0) throw new GoError('pkcs12: odd-length BMP string');
        let units = inner;
        if (units.length >= 2 && units[units.length - 1] === 0 && units[units.length - 2] === 0) units = units.subarray(0, units.length - 2);
        const swapped = Buffer.from(units);
        swapped.swap16();
        result = swapped.toString('utf16le');
        break;
      }
      case TAG.INTEGER:
        result = parseInt64(inner);
        break;
      case TAG.BIT_STRING:
        result = parseBitString(inner);
        break;
      case TAG.OID:
        result = parseObjectIdentifier(inner);
        break;
      case TAG.OCTET_STRING:
        result = inner;
        break;
      default:
        // times and other types: not modelled (Go parses times and may refuse them)
        break;
    }
  }
  return [result, offset + t.length];
}

/** Go's `asn1.Unmarshal` into `type`: the value and the bytes after it. */
function unmarshal(type: Asn1Type, bytes: Buffer): [unknown, Buffer] {
  const [value, offset] = parseField(type, bytes, 0);
  return [value, bytes.subarray(offset)];
}

const ALGORITHM_IDENTIFIER: Asn1Type = {
  kind: 'struct',
  name: 'AlgorithmIdentifier',
  raw: false,
  fields: [
    { name: 'algorithm', type: { kind: 'oid' } },
    { name: 'parameters', type: { kind: 'rawValue' }, params: { optional: true } },
  ],
};

const CERTIFICATE_REQUEST: Asn1Type = {
  kind: 'struct',
  name: 'certificateRequest',
  raw: true,
  fields: [
    {
      name: 'tbs',
      type: {
        kind: 'struct',
        name: 'tbsCertificateRequest',
        raw: true,
        fields: [
          { name: 'version', type: { kind: 'int' } },
          { name: 'subject', type: { kind: 'rawValue' } },
          {
            name: 'publicKey',
            type: {
              kind: 'struct',
              name: 'publicKeyInfo',
              raw: true,
              fields: [
                { name: 'algorithm', type: ALGORITHM_IDENTIFIER },
                { name: 'publicKey', type: { kind: 'bitString' } },
              ],
            },
          },
          { name: 'rawAttributes', type: { kind: 'slice', name: '', elem: { kind: 'rawValue' } }, params: { tag: 0 } },
        ],
      },
    },
    { name: 'signatureAlgorithm', type: ALGORITHM_IDENTIFIER },
    { name: 'signatureValue', type: { kind: 'bitString' } },
  ],
};

const ATTRIBUTE_TYPE_AND_VALUE: Asn1Type = {
  kind: 'struct',
  name: 'AttributeTypeAndValue',
  raw: false,
  fields: [
    { name: 'type', type: { kind: 'oid' } },
    { name: 'value', type: { kind: 'any' } },
  ],
};

const RDN_SEQUENCE: Asn1Type = {
  kind: 'slice',
  name: 'RDNSequence',
  elem: { kind: 'slice', name: 'RelativeDistinguishedNameSET', elem: ATTRIBUTE_TYPE_AND_VALUE },
};

const PSS_PARAMETERS: Asn1Type = {
  kind: 'struct',
  name: 'pssParameters',
  raw: false,
  fields: [
    { name: 'hash', type: ALGORITHM_IDENTIFIER, params: { explicit: true, tag: 0 } },
    { name: 'mgf', type: ALGORITHM_IDENTIFIER, params: { explicit: true, tag: 1 } },
    { name: 'saltLength', type: { kind: 'int' }, params: { explicit: true, tag: 2 } },
    { name: 'trailerField', type: { kind: 'int' }, params: { optional: true, explicit: true, tag: 3, defaultValue: 1n } },
  ],
};

interface AlgorithmIdentifier {
  readonly algorithm: string;
  readonly parameters?: RawValue;
}

// --- crypto/x509 --------------------------------------------------------------

type PublicKeyAlgorithm = 'RSA' | 'DSA' | 'ECDSA' | 'Ed25519' | undefined;
type Hash = 'md2' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | undefined;

interface SignatureAlgorithmDetails {
  readonly name: string;
  readonly publicKey: PublicKeyAlgorithm;
  readonly hash: Hash;
  readonly pss?: true;
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithmDetails>> = {
  '1.2.840.113549.1.1.2': { name: 'MD2-RSA', publicKey: 'RSA', hash: undefined },
  '1.2.840.113549.1.1.4': { name: 'MD5-RSA', publicKey: 'RSA', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'SHA1-RSA', publicKey: 'RSA', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'SHA1-RSA', publicKey: 'RSA', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'SHA256-RSA', publicKey: 'RSA', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'SHA384-RSA', publicKey: 'RSA', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'SHA512-RSA', publicKey: 'RSA', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'DSA-SHA1', publicKey: 'DSA', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'DSA-SHA256', publicKey: 'DSA', hash: 'sha256' },
  '1.2.840.10045.4.1': { name: 'ECDSA-SHA1', publicKey: 'ECDSA', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { name: 'ECDSA-SHA256', publicKey: 'ECDSA', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA-SHA384', publicKey: 'ECDSA', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA-SHA512', publicKey: 'ECDSA', hash: 'sha512' },
  '1.3.101.112': { name: 'Ed25519', publicKey: 'Ed25519', hash: undefined },
};

const OID_RSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
const PSS_BY_HASH: Readonly<Record<string, [SignatureAlgorithmDetails, number]>> = {
  '2.16.840.1.101.3.4.2.1': [{ name: 'SHA256-RSAPSS', publicKey: 'RSA', hash: 'sha256', pss: true }, 32],
  '2.16.840.1.101.3.4.2.2': [{ name: 'SHA384-RSAPSS', publicKey: 'RSA', hash: 'sha384', pss: true }, 48],
  '2.16.840.1.101.3.4.2.3': [{ name: 'SHA512-RSAPSS', publicKey: 'RSA', hash: 'sha512', pss: true }, 64],
};
const ASN1_NULL = Buffer.from([0x05, 0x00]);

const PUBLIC_KEY_ALGORITHMS: Readonly<Record<string, PublicKeyAlgorithm>> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.10045.2.1': 'ECDSA',
  '1.3.101.112': 'Ed25519',
};

const NAMED_CURVES: Readonly<Record<string, { readonly crv: string; readonly size: number }>> = {
  '1.3.132.0.33': { crv: 'P-224', size: 28 },
  '1.2.840.10045.3.1.7': { crv: 'P-256', size: 32 },
  '1.3.132.0.34': { crv: 'P-384', size: 48 },
  '1.3.132.0.35': { crv: 'P-521', size: 66 },
};

/** `getSignatureAlgorithmFromAI`: the algorithm's details, `undefined` for Go's UnknownSignatureAlgorithm. */
function signatureAlgorithmOf(ai: AlgorithmIdentifier): SignatureAlgorithmDetails | undefined {
  const parameters = ai.parameters?.fullBytes ?? Buffer.alloc(0);
  if (ai.algorithm === '1.3.101.112' && parameters.length !== 0) return undefined;
  if (ai.algorithm !== OID_RSA_PSS) return SIGNATURE_ALGORITHMS[ai.algorithm];
  try {
    const [params] = unmarshal(PSS_PARAMETERS, parameters) as [{ hash: AlgorithmIdentifier; mgf: AlgorithmIdentifier; saltLength: bigint; trailerField: bigint }, Buffer];
    const [mgf1Hash] = unmarshal(ALGORITHM_IDENTIFIER, params.mgf.parameters?.fullBytes ?? Buffer.alloc(0)) as [AlgorithmIdentifier, Buffer];
    const nullOrAbsent = (p: RawValue | undefined) => p === undefined || p.fullBytes.length === 0 || p.fullBytes.equals(ASN1_NULL);
    if (!nullOrAbsent(params.hash.parameters) || params.mgf.algorithm !== OID_MGF1 || mgf1Hash.algorithm !== params.hash.algorithm || !nullOrAbsent(mgf1Hash.parameters) || params.trailerField !== 1n) {
      return undefined;
    }
    const pss = PSS_BY_HASH[params.hash.algorithm];
    return pss !== undefined && params.saltLength === BigInt(pss[1]) ? pss[0] : undefined;
  } catch (err) {
    if (err instanceof GoError) return undefined;
    throw err;
  }
}

// cryptobyte, as the public-key parser uses it

/** cryptobyte `ReadASN1` of one element with the given tag byte: [contents, rest], or undefined. */
function readASN1(s: Buffer, tag: number): [Buffer, Buffer] | undefined {
  if (s.length < 2 || s[0] !== tag || (tag & 0x1f) === 0x1f) return undefined;
  const lenByte = s[1]!;
  let length: number;
  let headerLen: number;
  if ((lenByte & 0x80) === 0) {
    length = lenByte;
    headerLen = 2;
  } else {
    const lenLen = lenByte & 0x7f;
    if (lenLen === 0 || lenLen > 4 || s.length < 2 + lenLen) return undefined;
    length = 0;
    for (let i = 0; i < lenLen; i++) length = length * 256 + s[2 + i]!;
    if (length < 128) return undefined;
    if (Math.floor(length / 256 ** (lenLen - 1)) === 0) return undefined;
    headerLen = 2 + lenLen;
  }
  if (s.length < headerLen + length) return undefined;
  return [s.subarray(headerLen, headerLen + length), s.subarray(headerLen + length)];
}

/** cryptobyte `ReadASN1Element`: [the whole element, rest]. */
function readASN1Element(s: Buffer, tag: number): [Buffer, Buffer] | undefined {
  const read = readASN1(s, tag);
  return read === undefined ? undefined : [s.subarray(0, s.length - read[1].length), read[1]];
}

const validInteger = (bytes: Buffer): boolean =>
  bytes.length > 0 && !(bytes.length > 1 && ((bytes[0] === 0 && (bytes[1]! & 0x80) === 0) || (bytes[0] === 0xff && (bytes[1]! & 0x80) === 0x80)));

/** cryptobyte `ReadASN1Integer` into a big.Int: [the two's complement bytes, rest]. */
function readInteger(s: Buffer): [Buffer, Buffer] | undefined {
  const read = readASN1(s, 0x02);
  return read !== undefined && validInteger(read[0]) ? read : undefined;
}

const isPositive = (twosComplement: Buffer): boolean => (twosComplement[0]! & 0x80) === 0 && twosComplement.some((b) => b !== 0);

/** A verifier for one public key: whether `signature` signs `data` (already hashed by the caller's choice of algorithm). */
type ParsedPublicKey =
  | { readonly algorithm: 'RSA' | 'ECDSA' | 'Ed25519'; readonly key: KeyObject }
  /** an RSA key OpenSSL refuses to load (an even modulus, say): no signature verifies with it, as in Go */
  | { readonly algorithm: 'RSA'; readonly key: undefined }
  | { readonly algorithm: 'DSA' };

const base64url = (bytes: Buffer): string => bytes.toString('base64url');
const unsigned = (twosComplement: Buffer): Buffer => {
  let i = 0;
  while (i < twosComplement.length - 1 && twosComplement[i] === 0) i++;
  return twosComplement.subarray(i);
};

/** `parsePublicKey` for a known algorithm: the key, or Go's error. */
function parsePublicKey(algorithm: Exclude<PublicKeyAlgorithm, undefined>, ai: AlgorithmIdentifier, keyBits: BitString): ParsedPublicKey | string {
  const params = ai.parameters?.fullBytes ?? Buffer.alloc(0);
  const der = rightAlign(keyBits);
  switch (algorithm) {
    case 'RSA': {
      if (!params.equals(ASN1_NULL)) return 'x509: RSA key missing NULL parameters';
      const seq = readASN1(der, 0x30);
      if (seq === undefined) return 'x509: invalid RSA public key';
      const n = readInteger(seq[0]);
      if (n === undefined) return 'x509: invalid RSA modulus';
      const e = readInteger(n[1]);
      if (e === undefined || e[0].length > 8) return 'x509: invalid RSA public exponent';
      if (!isPositive(n[0])) return 'x509: RSA modulus is not a positive number';
      if (!isPositive(e[0])) return 'x509: RSA public exponent is not a positive number';
      try {
        return { algorithm, key: createPublicKey({ key: { kty: 'RSA', n: base64url(unsigned(n[0])), e: base64url(unsigned(e[0])) }, format: 'jwk' }) };
      } catch {
        return { algorithm, key: undefined };
      }
    }
    case 'ECDSA': {
      const oid = readASN1(params, 0x06);
      let curveOid: string | undefined;
      try {
        curveOid = oid === undefined ? undefined : parseObjectIdentifier(oid[0]);
      } catch {
        curveOid = undefined;
      }
      if (curveOid === undefined) return 'x509: invalid ECDSA parameters';
      const curve = NAMED_CURVES[curveOid];
      if (curve === undefined) return 'x509: unsupported elliptic curve';
      if (der.length !== 1 + 2 * curve.size || der[0] !== 4) return 'x509: failed to unmarshal elliptic curve point';
      try {
        const x = der.subarray(1, 1 + curve.size);
        const y = der.subarray(1 + curve.size);
        return { algorithm, key: createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: base64url(x), y: base64url(y) }, format: 'jwk' }) };
      } catch {
        return 'x509: failed to unmarshal elliptic curve point';
      }
    }
    case 'Ed25519':
      if (params.length !== 0) return 'x509: Ed25519 key encoded with illegal parameters';
      if (der.length !== 32) return 'x509: wrong Ed25519 public key size';
      return { algorithm, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(der) }, format: 'jwk' }) };
    case 'DSA': {
      const y = readInteger(der);
      if (y === undefined) return 'x509: invalid DSA public key';
      const seq = readASN1(params, 0x30);
      const p = seq && readInteger(seq[0]);
      const q = p && readInteger(p[1]);
      const g = q && readInteger(q[1]);
      if (g === undefined || p === undefined || q === undefined) return 'x509: invalid DSA parameters';
      if (![y[0], p[0], q[0], g[0]].every(isPositive)) return 'x509: zero or negative DSA parameter';
      // Go parses DSA keys but verifies no DSA signature
      return { algorithm };
    }
  }
}

/** A parsed certificate request, as far as validation and admission use it. */
export interface GoCertificateRequest {
  readonly subject: { readonly commonName: string; readonly organizations: string[] };
  readonly signatureAlgorithm: SignatureAlgorithmDetails | undefined;
  readonly publicKey: ParsedPublicKey | undefined;
  readonly rawTbs: Buffer;
  readonly signature: Buffer;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

/** Go's `x509.ParseCertificateRequest` of DER bytes: the request, or Go's error text. */
export function goParseCertificateRequest(der: Buffer): GoCertificateRequest | { error: string } {
  try {
    const [csr, rest] = unmarshal(CERTIFICATE_REQUEST, der) as [
      {
        tbs: { raw: Buffer; subject: RawValue; publicKey: { algorithm: AlgorithmIdentifier; publicKey: BitString } };
        signatureAlgorithm: AlgorithmIdentifier;
        signatureValue: BitString;
      },
      Buffer,
    ];
    if (rest.length !== 0) throw syntaxError('trailing data');
    const keyAlgorithm = PUBLIC_KEY_ALGORITHMS[csr.tbs.publicKey.algorithm.algorithm];
    let publicKey: ParsedPublicKey | undefined;
    if (keyAlgorithm !== undefined) {
      const parsed = parsePublicKey(keyAlgorithm, csr.tbs.publicKey.algorithm, csr.tbs.publicKey.publicKey);
      if (typeof parsed === 'string') return { error: parsed };
      publicKey = parsed;
    }
    const [rdns, subjectRest] = unmarshal(RDN_SEQUENCE, csr.tbs.subject.fullBytes) as [{ type: string; value: unknown }[][], Buffer];
    if (subjectRest.length !== 0) return { error: 'x509: trailing data after X.509 Subject' };
    let commonName = '';
    const organizations: string[] = [];
    for (const rdn of rdns) {
      for (const atv of rdn) {
        if (typeof atv.value !== 'string') continue;
        if (atv.type === OID_COMMON_NAME) commonName = atv.value;
        else if (atv.type === OID_ORGANIZATION) organizations.push(atv.value);
      }
    }
    return {
      subject: { commonName, organizations },
      signatureAlgorithm: signatureAlgorithmOf(csr.signatureAlgorithm),
      publicKey,
      rawTbs: csr.tbs.raw,
      signature: rightAlign(csr.signatureValue),
    };
  } catch (err) {
    if (err instanceof GoError) return { error: err.message };
    throw err;
  }
}

const ERR_UNSUPPORTED_ALGORITHM = 'x509: cannot verify signature: algorithm unimplemented';

/** `(*CertificateRequest).CheckSignature`: `undefined` when the signature verifies, else Go's error. */
export function goCheckSignature(csr: GoCertificateRequest): string | undefined {
  const algorithm = csr.signatureAlgorithm;
  const hash = algorithm?.hash;
  if (algorithm === undefined || (hash === undefined && algorithm.publicKey !== 'Ed25519')) return ERR_UNSUPPORTED_ALGORITHM;
  if (hash === 'md5') return `x509: cannot verify signature: insecure algorithm ${algorithm.name}`;
  const key = csr.publicKey;
  if (key === undefined || key.algorithm === 'DSA') return ERR_UNSUPPORTED_ALGORITHM;
  if (key.algorithm !== algorithm.publicKey) {
    const goType = key.algorithm === 'RSA' ? '*rsa.PublicKey' : key.algorithm === 'ECDSA' ? '*ecdsa.PublicKey' : 'ed25519.PublicKey';
    return `x509: signature algorithm specifies an ${algorithm.publicKey} public key, but have public key of type ${goType}`;
  }
  const verified = (run: () => boolean): boolean => {
    try {
      return run();
    } catch {
      return false;
    }
  };
  switch (key.algorithm) {
    case 'RSA': {
      const rsaKey = key.key;
      if (rsaKey === undefined) return 'crypto/rsa: verification error';
      const options = algorithm.pss
        ? { key: rsaKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }
        : { key: rsaKey, padding: cryptoConstants.RSA_PKCS1_PADDING };
      // Go's rsa.Verify* refuse a signature that is not exactly as long as the modulus
      const modulusBytes = Math.ceil((rsaKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      const ok = csr.signature.length === modulusBytes && verified(() => verifySignature(hash!, csr.rawTbs, options, csr.signature));
      return ok ? undefined : 'crypto/rsa: verification error';
    }
    case 'ECDSA':
      return verified(() => verifySignature(hash!, csr.rawTbs, { key: key.key, dsaEncoding: 'der' }, csr.signature)) ? undefined : 'x509: ECDSA verification failure';
    case 'Ed25519':
      return verified(() => verifySignature(null, csr.rawTbs, key.key, csr.signature)) ? undefined : 'x509: Ed25519 verification failure';
  }
}

// --- certificates (cryptobyte parser) -----------------------------------------

/**
 * The outer structure of one DER certificate as Go's `parseCertificate`
 * reads it: [its length, `undefined`] or [0, Go's error].
 */
function parseCertificateStructure(der: Buffer): [number, string | undefined] {
  const outer = readASN1Element(der, 0x30);
  if (outer === undefined) return [0, 'x509: malformed certificate'];
  const certificate = readASN1(outer[0], 0x30);
  if (certificate === undefined) return [0, 'x509: malformed certificate'];
  let input = certificate[0];
  const tbsElement = readASN1Element(input, 0x30);
  if (tbsElement === undefined) return [0, 'x509: malformed tbs certificate'];
  input = tbsElement[1];
  const tbsRead = readASN1(tbsElement[0], 0x30);
  if (tbsRead === undefined) return [0, 'x509: malformed tbs certificate'];
  let tbs = tbsRead[0];

  let version = 0n;
  const explicitVersion = readASN1(tbs, 0xa0);
  if (explicitVersion !== undefined) {
    const integer = readInteger(explicitVersion[0]);
    if (integer === undefined || integer[0].length > 8 || integer[1].length !== 0) return [0, 'x509: malformed version'];
    version = BigInt.asIntN(integer[0].length * 8, BigInt(`0x${integer[0].toString('hex')}`));
    tbs = explicitVersion[1];
  } else if (tbs.length > 0 && tbs[0] === 0xa0) {
    return [0, 'x509: malformed version'];
  }
  if (version < 0n) return [0, 'x509: malformed version'];
  version++;
  if (version > 3n) return [0, 'x509: invalid version'];

  const serial = readInteger(tbs);
  if (serial === undefined) return [0, 'x509: malformed serial number'];
  tbs = serial[1];
  const sigAI = readASN1(tbs, 0x30);
  if (sigAI === undefined) return [0, 'x509: malformed signature algorithm identifier'];
  tbs = sigAI[1];
  const outerSigAI = readASN1(input, 0x30);
  if (outerSigAI === undefined) return [0, 'x509: malformed algorithm identifier'];
  input = outerSigAI[1];
  if (!outerSigAI[0].equals(sigAI[0])) return [0, "x509: inner and outer signature algorithm identifiers don't match"];
  const signatureAI = parseAI(sigAI[0]);
  if (typeof signatureAI === 'string') return [0, signatureAI];

  const issuer = readASN1Element(tbs, 0x30);
  if (issuer === undefined) return [0, 'x509: malformed issuer'];
  tbs = issuer[1];
  const validity = readASN1(tbs, 0x30);
  if (validity === undefined) return [0, 'x509: malformed validity'];
  tbs = validity[1];
  const subject = readASN1Element(tbs, 0x30);
  if (subject === undefined) return [0, 'x509: malformed issuer'];
  tbs = subject[1];
  const spkiElement = readASN1Element(tbs, 0x30);
  if (spkiElement === undefined) return [0, 'x509: malformed spki'];
  tbs = spkiElement[1];
  const spki = readASN1(spkiElement[0], 0x30);
  if (spki === undefined) return [0, 'x509: malformed spki'];
  const pkAI = readASN1(spki[0], 0x30);
  if (pkAI === undefined) return [0, 'x509: malformed public key algorithm identifier'];
  const keyAI = parseAI(pkAI[0]);
  if (typeof keyAI === 'string') return [0, keyAI];
  const spk = readBitString(pkAI[1]);
  if (spk === undefined) return [0, 'x509: malformed subjectPublicKey'];
  const keyAlgorithm = PUBLIC_KEY_ALGORITHMS[keyAI.algorithm];
  if (keyAlgorithm !== undefined) {
    const parsed = parsePublicKey(keyAlgorithm, keyAI, spk);
    if (typeof parsed === 'string') return [0, parsed];
  }

  if (version > 1n) {
    for (const [tag, what] of [
      [0x81, 'issuerUniqueID'],
      [0x82, 'subjectUniqueID'],
    ] as const) {
      if (tbs.length > 0 && tbs[0] === tag) {
        const skipped = readASN1(tbs, tag);
        if (skipped === undefined) return [0, `x509: malformed ${what}`];
        tbs = skipped[1];
      }
    }
    if (version === 3n && tbs.length > 0 && tbs[0] === 0xa3) {
      const extensions = readASN1(tbs, 0xa3);
      const sequence = extensions && readASN1(extensions[0], 0x30);
      if (sequence === undefined) return [0, 'x509: malformed extensions'];
      let rest = sequence[0];
      while (rest.length > 0) {
        const extension = readASN1(rest, 0x30);
        if (extension === undefined) return [0, 'x509: malformed extension'];
        rest = extension[1];
      }
    }
  }

  if (readBitString(input) === undefined) return [0, 'x509: malformed signature'];
  return [outer[0].length, undefined];
}

/** `parseAI` of the cryptobyte parser: an algorithm identifier, or Go's error. */
function parseAI(der: Buffer): AlgorithmIdentifier | string {
  const oid = readASN1(der, 0x06);
  let algorithm: string;
  try {
    if (oid === undefined) return 'x509: malformed OID';
    algorithm = parseObjectIdentifier(oid[0]);
  } catch {
    return 'x509: malformed OID';
  }
  if (oid[1].length === 0) return { algorithm };
  // ReadAnyASN1Element
  const element = readASN1Element(oid[1], oid[1][0]!);
  if (element === undefined) return 'x509: malformed parameters';
  return { algorithm, parameters: { class: 0, tag: 0, isCompound: false, bytes: element[0], fullBytes: element[0] } };
}

/** cryptobyte `ReadASN1BitString`. */
function readBitString(s: Buffer): BitString | undefined {
  const read = readASN1(s, 0x03);
  if (read === undefined || read[0].length === 0) return undefined;
  const bytes = read[0];
  const paddingBits = bytes[0]!;
  const rest = bytes.subarray(1);
  if (paddingBits > 7 || (rest.length === 0 && paddingBits !== 0) || (rest.length > 0 && (rest[rest.length - 1]! & ((1 << paddingBits) - 1)) !== 0)) {
    return undefined;
  }
  return { bytes: rest, bitLength: rest.length * 8 - paddingBits };
}

/** Go's `x509.ParseCertificates`: how many certificates `der` holds, or Go's error. */
export function goParseCertificates(der: Buffer): { count: number } | { error: string } {
  let count = 0;
  let rest = der;
  while (rest.length > 0) {
    const [length, error] = parseCertificateStructure(rest);
    if (error !== undefined) return { error };
    rest = rest.subarray(length);
    count++;
  }
  return { count };
}
