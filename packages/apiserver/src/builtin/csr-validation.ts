import {
  type FieldError,
  type FieldPath,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldPath,
  fieldRequired,
  fieldTooLong,
  goFormatted,
  goQuote,
  isDNS1123Label,
  isDNS1123Subdomain,
} from '@kcp-ts/apimachinery';
import type { Obj } from '../registry/types';
import { goCheckSignature, goParseCertificateRequest, goParseCertificates, goPemDecode } from './go-x509';
import { type Json, obj, str } from '../registry/json';

/*
 * Validation of certificates.k8s.io/v1 CertificateSigningRequests as
 * kube-apiserver 1.32 does it (pkg/apis/certificates/validation:
 * ValidateCertificateSigningRequestCreate, …Update, …StatusUpdate,
 * …ApprovalUpdate; ValidateSignerName of pkg/apis/core/validation), without
 * the metadata checks the server runs for every kind.
 *
 * The input has been decoded already: `spec.request` and `status.certificate`
 * are base64 strings of the PEM bytes (Go's `[]byte`), absent when nil.
 *
 * One known divergence: the `updates may not modify a condition` message
 * carries go-cmp's `cmp.Diff` of the old and new conditions. go-cmp's output
 * is deliberately unstable (it switches between spaces and non-breaking
 * spaces from one process to the next) and elides fields by heuristics; the
 * diff here follows its layout for the common case, one changed condition
 * with regular spaces, without promising byte equality.
 */

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Which upstream entry point runs. */
export type CsrValidationMode = 'create' | 'update' | 'status' | 'approval';

const APPROVED = 'Approved';
const DENIED = 'Denied';
const FAILED = 'Failed';
/** Condition types that may only be True (upstream `trueConditionTypes`). */
const TRUE_CONDITION_TYPES = new Set([APPROVED, DENIED, FAILED]);
const TRUE_STATUS_ONLY = ['True'];
const ALL_STATUS_VALUES = ['False', 'True', 'Unknown'];

/** `certificates.LegacyUnknownSignerName`. */
const LEGACY_UNKNOWN_SIGNER_NAME = 'kubernetes.io/legacy-unknown';

/** Every known key usage (upstream `allValidUsages`), sorted as `sets.String.List()` gives them. */
const ALL_VALID_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
].sort();
const VALID_USAGES = new Set(ALL_VALID_USAGES);

const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
const DNS1123_LABEL_MAX_LENGTH = 63;

/** The options upstream derives from the request and the stored object (`certificateValidationOptions`). */
interface Options {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
  allowBothApprovedAndDenied: boolean;
  allowResettingCertificate: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowUnknownUsages: boolean;
  allowDuplicateUsages: boolean;
}

/** A `[]byte` field of a decoded object: its bytes, `undefined` for nil (absent or null). */
function bytesOf(value: unknown): Buffer | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
}

/** Go's `%#v` of a `[]byte`: `[]byte{0x2d, 0x2d}`, `[]byte{}`, `[]byte(nil)`. */
function goBytesValue(bytes: Buffer | undefined): string {
  if (bytes === undefined) return '[]byte(nil)';
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16)}`).join(', ')}}`;
}

/** Go's `%q` of a byte string (a PEM type): UTF-8 text quoted, invalid bytes as `\x..`. */
function goQuoteBytes(latin1: string): string {
  const bytes = Buffer.from(latin1, 'latin1');
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += goQuote(bytes.subarray(i, i + length).toString('utf8')).slice(1, -1);
      i += length;
    }
  }
  return `"${out}"`;
}

/** The length of the valid UTF-8 sequence at `i`, or 0. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length));
    return length;
  } catch {
    return 0;
  }
}

/** `certificates.ParseCSR` + `CheckSignature` (upstream `validateCSR`): Go's error text, or `undefined`. */
function validateCsr(request: Buffer | undefined): string | undefined {
  const parsed = parseCsrBytes(request ?? Buffer.alloc(0));
  if ('error' in parsed) return parsed.error;
  return goCheckSignature(parsed);
}

function parseCsrBytes(pem: Buffer) {
  const { block } = goPemDecode(pem);
  if (block === undefined || block.type !== 'CERTIFICATE REQUEST') return { error: 'PEM block type must be CERTIFICATE REQUEST' };
  return goParseCertificateRequest(block.bytes);
}

/**
 * `certificates.ParseCSR` (`pem.Decode` of the first block, which must be a
 * CERTIFICATE REQUEST, then `x509.ParseCertificateRequest`) of `spec.request`
 * (base64 of the PEM bytes): the request's subject, or Go's error text.
 * The signature is not checked.
 */
export function parseCertificateRequest(requestBase64: string): { subject: { commonName: string; organizations: string[] } } | { error: string } {
  const parsed = parseCsrBytes(Buffer.from(requestBase64, 'base64'));
  if ('error' in parsed) return { error: parsed.error };
  return { subject: { commonName: parsed.subject.commonName, organizations: [...parsed.subject.organizations] } };
}

/** Upstream `validateCertificate` of `status.certificate`: Go's error text, or `undefined`. */
function validateCertificate(pem: Buffer | undefined): string | undefined {
  if (pem === undefined || pem.length === 0) return undefined;
  let blocks = 0;
  let data = pem;
  for (;;) {
    const { block, rest } = goPemDecode(data);
    if (block === undefined) break;
    if (block.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${goQuoteBytes(block.type)}`;
    if (block.headers.size !== 0) return 'no PEM block headers are permitted';
    blocks++;
    const certificates = goParseCertificates(block.bytes);
    if ('error' in certificates) return certificates.error;
    if (certificates.count === 0) return 'found CERTIFICATE PEM block containing 0 certificates';
    data = rest;
  }
  if (blocks === 0) return 'must contain at least one CERTIFICATE PEM block';
  return undefined;
}

/** Upstream `ValidateSignerName` (pkg/apis/core/validation). */
export function validateSignerName(path: FieldPath, signerName: string): FieldError[] {
  const errors: FieldError[] = [];
  if (signerName.length === 0) return [fieldRequired(path)];
  const segments = signerName.split('/');
  if (segments.length !== 2) {
    return [fieldInvalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  }
  const [domain, signerPath] = segments as [string, string];
  if (Buffer.byteLength(domain) > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(fieldTooLong(path, DNS1123_SUBDOMAIN_MAX_LENGTH));
  const domainLabels = domain.split('.');
  for (const label of domainLabels) {
    const problems = isDNS1123Label(label);
    if (problems.length > 0) {
      for (const problem of problems) errors.push(fieldInvalid(path, domain, `validating label ${goQuote(label)}: ${problem}`));
      break;
    }
  }
  if (domainLabels.length < 2) errors.push(fieldInvalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of signerPath.split('.')) {
    const problems = isDNS1123Subdomain(label);
    if (problems.length > 0) {
      for (const problem of problems) errors.push(fieldInvalid(path, signerPath, `validating label ${goQuote(label)}: ${problem}`));
      break;
    }
  }
  const maxSignerNameLength = DNS1123_SUBDOMAIN_MAX_LENGTH + (DNS1123_SUBDOMAIN_MAX_LENGTH + DNS1123_LABEL_MAX_LENGTH + 1) + 1;
  if (Buffer.byteLength(signerName) > maxSignerNameLength) errors.push(fieldTooLong(path, maxSignerNameLength));
  return errors;
}

const conditionsOf = (csr: Obj): Json[] => list(obj(csr['status'])['conditions']).map(obj);

function hasDuplicates(values: readonly string[]): boolean {
  return new Set(values).size !== values.length;
}

/** Upstream `getValidationOptions`: the compatibility toggles for data already stored. */
function validationOptions(csr: Obj, old: Obj | undefined): Options {
  const oldConditions = old === undefined ? [] : conditionsOf(old);
  const oldTypes = oldConditions.map((c) => str(c['type']));
  const oldUsages = old === undefined ? [] : list(obj(old['spec'])['usages']).map(str);
  const oldCertificate = old === undefined ? undefined : bytesOf(obj(old['status'])['certificate']);
  const newCertificate = bytesOf(obj(csr['status'])['certificate']);
  return {
    allowSettingApprovalConditions: false,
    allowSettingCertificate: false,
    allowResettingCertificate: false,
    allowBothApprovedAndDenied: oldTypes.includes(APPROVED) && oldTypes.includes(DENIED),
    allowLegacySignerName: old !== undefined && str(obj(old['spec'])['signerName']) === LEGACY_UNKNOWN_SIGNER_NAME,
    allowDuplicateConditionTypes: old !== undefined && hasDuplicates(oldTypes),
    allowEmptyConditionType: old !== undefined && oldTypes.includes(''),
    allowArbitraryCertificate:
      old !== undefined && (bytesEqual(newCertificate, oldCertificate) || validateCertificate(oldCertificate) !== undefined),
    allowUnknownUsages: old !== undefined && oldUsages.some((usage) => !VALID_USAGES.has(usage)),
    allowDuplicateUsages: old !== undefined && hasDuplicates(oldUsages),
  };
}

/** Go's `bytes.Equal`: nil and empty are equal. */
function bytesEqual(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return (a ?? Buffer.alloc(0)).equals(b ?? Buffer.alloc(0));
}

/** Upstream `validateCertificateSigningRequest`, metadata left out. */
function validateObject(csr: Obj, options: Options): FieldError[] {
  const errors: FieldError[] = [];
  const spec = obj(csr['spec']);
  const specPath = fieldPath('spec');

  const request = bytesOf(spec['request']);
  const requestError = validateCsr(request);
  if (requestError !== undefined) errors.push(fieldInvalid(specPath.child('request'), goFormatted(goBytesValue(request)), requestError));

  const usages = list(spec['usages']).map(str);
  if (usages.length === 0) errors.push(fieldRequired(specPath.child('usages')));
  if (!options.allowUnknownUsages) {
    usages.forEach((usage, i) => {
      if (!VALID_USAGES.has(usage)) errors.push(fieldNotSupported(specPath.child('usages').index(i), usage, ALL_VALID_USAGES));
    });
  }
  if (!options.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((usage, i) => {
      if (seen.has(usage)) errors.push(fieldDuplicate(specPath.child('usages').index(i), usage));
      seen.add(usage);
    });
  }

  const signerName = str(spec['signerName']);
  if (!options.allowLegacySignerName && signerName === LEGACY_UNKNOWN_SIGNER_NAME) {
    errors.push(fieldInvalid(specPath.child('signerName'), signerName, 'the legacy signerName is not allowed via this API version'));
  } else {
    errors.push(...validateSignerName(specPath.child('signerName'), signerName));
  }

  const expirationSeconds = spec['expirationSeconds'];
  if (typeof expirationSeconds === 'number' && expirationSeconds < 600) {
    errors.push(fieldInvalid(specPath.child('expirationSeconds'), expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }

  errors.push(...validateConditions(csr, options));

  if (!options.allowArbitraryCertificate) {
    const certificateError = validateCertificate(bytesOf(obj(csr['status'])['certificate']));
    if (certificateError !== undefined) errors.push(fieldInvalid(fieldPath('status', 'certificate'), '<certificate data>', certificateError));
  }
  return errors;
}

/** Upstream `validateConditions`. */
function validateConditions(csr: Obj, options: Options): FieldError[] {
  const errors: FieldError[] = [];
  const path = fieldPath('status', 'conditions');
  const seenTypes = new Set<string>();
  let hasApproved = false;
  let hasDenied = false;
  conditionsOf(csr).forEach((condition, i) => {
    const type = str(condition['type']);
    const status = str(condition['status']);
    if (!options.allowEmptyConditionType && type.length === 0) errors.push(fieldRequired(path.index(i).child('type')));
    const allowed = TRUE_CONDITION_TYPES.has(type) ? TRUE_STATUS_ONLY : ALL_STATUS_VALUES;
    if (status === '') errors.push(fieldRequired(path.index(i).child('status')));
    else if (!allowed.includes(status)) errors.push(fieldNotSupported(path.index(i).child('status'), status, allowed));
    if (!options.allowBothApprovedAndDenied) {
      if (type === APPROVED) {
        hasApproved = true;
        if (hasDenied) errors.push(fieldInvalid(path.index(i).child('type'), type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === DENIED) {
        hasDenied = true;
        if (hasApproved) errors.push(fieldInvalid(path.index(i).child('type'), type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!options.allowDuplicateConditionTypes) {
      if (seenTypes.has(type)) errors.push(fieldDuplicate(path.index(i).child('type'), type));
      seenTypes.add(type);
    }
  });
  return errors;
}

/** The fields of an internal `certificates.CertificateSigningRequestCondition`, in struct order. */
const CONDITION_FIELDS = [
  ['Type', 'type'],
  ['Status', 'status'],
  ['Reason', 'reason'],
  ['Message', 'message'],
  ['LastUpdateTime', 'lastUpdateTime'],
  ['LastTransitionTime', 'lastTransitionTime'],
] as const;

/** A condition field as go-cmp prints it: strings quoted, times as `v1.Time{…}` of their `String()`. */
function conditionFieldText(key: string, value: unknown): string {
  if (key === 'lastUpdateTime' || key === 'lastTransitionTime') {
    if (typeof value !== 'string' || value === '') return '{}';
    return `{Time: s"${value.replace('T', ' ').replace(/Z$/, ' +0000 UTC')}"}`;
  }
  return goQuote(str(value));
}

/**
 * go-cmp's `cmp.Diff(old, new)` of two lists of conditions of one type, as
 * far as this server reproduces it (see the module comment).
 */
function conditionsDiff(oldConditions: readonly Json[], newConditions: readonly Json[]): string {
  const lines = ['  []certificates.CertificateSigningRequestCondition{'];
  const count = Math.max(oldConditions.length, newConditions.length);
  for (let i = 0; i < count; i++) {
    const before = oldConditions[i] ?? {};
    const after = newConditions[i] ?? {};
    lines.push('  \t{');
    const width = Math.max(...CONDITION_FIELDS.map(([name]) => name.length)) + 1;
    let identical = 0;
    for (const [name, key] of CONDITION_FIELDS) {
      const label = `${name}:`.padEnd(width + 1);
      const a = conditionFieldText(key, before[key]);
      const b = conditionFieldText(key, after[key]);
      if (a === b) {
        identical++;
        continue;
      }
      lines.push(`- \t\t${label}${a},`, `+ \t\t${label}${b},`);
    }
    if (identical > 0) lines.push(`  \t\t... // ${identical} identical field${identical === 1 ? '' : 's'}`);
    lines.push('  \t},');
  }
  lines.push('  }');
  return `${lines.join('\n')}\n`;
}

/** Deep equality of two condition lists (upstream `apiequality.Semantic.DeepEqual`; times compare as decoded strings). */
function conditionsEqual(a: readonly Json[], b: readonly Json[]): boolean {
  return a.length === b.length && a.every((c, i) => CONDITION_FIELDS.every(([, key]) => str(c[key]) === str(b[i]![key])));
}

/** Upstream `validateCertificateSigningRequestUpdate`, metadata left out. */
function validateUpdate(csr: Obj, old: Obj, options: Options): FieldError[] {
  const errors = validateObject(csr, options);
  const conditionsPath = fieldPath('status', 'conditions');
  const find = (o: Obj, type: string) => conditionsOf(o).filter((c) => str(c['type']) === type);
  for (const type of [APPROVED, DENIED, FAILED]) {
    if (find(csr, type).length < find(old, type).length) {
      errors.push(fieldForbidden(conditionsPath, `updates may not remove a condition of type ${goQuote(type)}`));
    }
  }
  if (!options.allowSettingApprovalConditions) {
    for (const type of [APPROVED, DENIED]) {
      const oldConditions = find(old, type);
      const newConditions = find(csr, type);
      if (newConditions.length < oldConditions.length) continue; // removals are refused above
      if (newConditions.length > oldConditions.length) {
        errors.push(fieldForbidden(conditionsPath, `updates may not add a condition of type ${goQuote(type)}`));
      } else if (!conditionsEqual(oldConditions, newConditions)) {
        errors.push(
          fieldForbidden(conditionsPath, `updates may not modify a condition of type ${goQuote(type)}\n${conditionsDiff(oldConditions, newConditions)}`),
        );
      }
    }
  }
  const newCertificate = bytesOf(obj(csr['status'])['certificate']);
  const oldCertificate = bytesOf(obj(old['status'])['certificate']);
  if (!bytesEqual(newCertificate, oldCertificate)) {
    if (!options.allowSettingCertificate) {
      errors.push(fieldForbidden(fieldPath('status', 'certificate'), 'updates may not set certificate content'));
    } else if (!options.allowResettingCertificate && (oldCertificate?.length ?? 0) > 0) {
      errors.push(fieldForbidden(fieldPath('status', 'certificate'), 'updates may not modify existing certificate content'));
    }
  }
  return errors;
}

/**
 * Upstream `ValidateCertificateSigningRequestCreate` (`mode` `create`, `old`
 * ignored) and `…Update`, `…StatusUpdate`, `…ApprovalUpdate` (the other
 * modes, `old` required), without the metadata checks (the server runs
 * those; CSR names are not restricted). `csr` and `old` are decoded objects
 * (`spec.request` and `status.certificate` base64 strings of the PEM bytes).
 * The compatibility toggles upstream derives from `old` (`getValidationOptions`)
 * apply: problems already stored are tolerated.
 */
export function validateCertificateSigningRequest(csr: Obj, old: Obj | undefined, mode: CsrValidationMode): FieldError[] {
  if (mode === 'create' || old === undefined) return validateObject(csr, validationOptions(csr, undefined));
  const options = validationOptions(csr, old);
  if (mode === 'status') options.allowSettingCertificate = true;
  if (mode === 'approval') options.allowSettingApprovalConditions = true;
  return validateUpdate(csr, old, options);
}
