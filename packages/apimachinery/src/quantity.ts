/**
 * `resource.Quantity` of k8s.io/apimachinery/pkg/api/resource: a fixed-point
 * number with an SI (`k`, `M`, `m`, `n`, …), binary (`Ki`, `Mi`, …) or
 * exponent (`e3`) suffix, as resource requests, limits and quotas carry it.
 *
 * Parsing, the canonical form and the arithmetic follow upstream's
 * `ParseQuantity`, `CanonicalizeBytes`, `Cmp`, `Add`, `Sub`, `Value` and
 * `MilliValue`, with the value kept exactly as `coefficient × 10^exponent`
 * in a `bigint` (upstream keeps an `int64` fast form and an `inf.Dec` slow
 * form; the value is the same either way).
 */

/**
 * How a quantity is written back out: `DecimalExponent` (`12e6`), `BinarySI`
 * (`12Mi`, 12 × 2^20) or `DecimalSI` (`12M`, 12 × 10^6). A parsed quantity
 * keeps the kind of suffix it was written with.
 */
export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

/**
 * Why a text is not a quantity, with upstream's error texts:
 * - `QuantityFormat`: `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`
 * - `QuantityNumeric`: `unable to parse numeric part of quantity`
 * - `QuantitySuffix`: `unable to parse quantity's suffix`
 */
export type QuantityParseErrorCode = 'QuantityFormat' | 'QuantityNumeric' | 'QuantitySuffix';

/** The pattern upstream's format error quotes (the parser itself is a scanner). */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

const QUANTITY_ERROR_MESSAGES: Readonly<Record<QuantityParseErrorCode, string>> = {
  QuantityFormat: `quantities must match the regular expression '${QUANTITY_PATTERN}'`,
  QuantityNumeric: 'unable to parse numeric part of quantity',
  QuantitySuffix: "unable to parse quantity's suffix",
};

const quantityParseErrorBrand = Symbol.for('@kcp-ts/apimachinery.QuantityParseError');
const quantityBrand = Symbol.for('@kcp-ts/apimachinery.Quantity');

/** Thrown by {@link Quantity.parse}; the message is upstream's error text for the code. */
export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  readonly [quantityParseErrorBrand] = true;

  constructor(readonly code: QuantityParseErrorCode) {
    super(QUANTITY_ERROR_MESSAGES[code]);
  }
}

/** Whether `err` is a {@link QuantityParseError}, optionally of one code; works across duplicated package copies. */
export function isQuantityParseError(err: unknown, code?: QuantityParseErrorCode): err is QuantityParseError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as Record<symbol, unknown>)[quantityParseErrorBrand] === true &&
    (code === undefined || (err as QuantityParseError).code === code)
  );
}

/** The most digits a value of any one computation may grow by (aligning `1e1000000000` with `1n` would not finish). */
const MAX_DIGITS = 1_000_000;
/** Parsing keeps values down to nano (10^-9), rounding finer ones away from zero. */
const NANO = -9;
const MAX_INT64 = (1n << 63n) - 1n;

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const DECIMAL_SUFFIX_OF_EXPONENT: ReadonlyMap<number, string> = new Map([...DECIMAL_SUFFIXES].map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
/** The binary suffix of 1024^k, k = 0..6. */
const BINARY_SUFFIX_OF_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const SUFFIX_LETTERS = 'eEinumkKMGTP';

/**
 * A fixed-point amount with a unit suffix (upstream's `resource.Quantity`).
 * Immutable: `add` and `sub` return new quantities. `toString()` (and
 * `toJSON()`) give upstream's canonical form: `1000` → `1k`, `1024Mi` → `1Gi`,
 * `1.5Gi` → `1536Mi`, `0.5` → `500m`; a text already in canonical form is
 * kept as written (`1e3`, `+1`), as upstream keeps it.
 */
export class Quantity {
  readonly [quantityBrand] = true;

  private constructor(
    /** the value is `coefficient × 10^exponent`; `coefficient` has no trailing zeros (0 has exponent 0) */
    private readonly coefficient: bigint,
    private readonly exponent: number,
    /** How the quantity is written out. */
    readonly format: QuantityFormat,
    /** the text to write out, when parsed from a text in canonical form */
    private text?: string,
  ) {}

  private static of(coefficient: bigint, exponent: number, format: QuantityFormat, text?: string): Quantity {
    if (coefficient === 0n) return new Quantity(0n, 0, format, text);
    const digits = coefficient.toString();
    let zeros = 0;
    while (digits[digits.length - 1 - zeros] === '0') zeros++;
    if (zeros > 0) return new Quantity(coefficient / 10n ** BigInt(zeros), exponent + zeros, format, text);
    return new Quantity(coefficient, exponent, format, text);
  }

  /**
   * Parses a quantity as upstream's `ParseQuantity`: an optionally signed
   * decimal number and a suffix; values finer than nano are rounded away from
   * zero to the next nano, and a binary-suffixed value is capped at 2^63-1.
   * @throws QuantityParseError with upstream's message
   */
  static parse(text: string): Quantity {
    if (text.length === 0) throw new QuantityParseError('QuantityFormat');
    if (text === '0') return new Quantity(0n, 0, 'DecimalSI', text);
    const scanned = scanQuantity(text);
    const unit = interpretSuffix(scanned.suffix);
    if (!unit) throw new QuantityParseError('QuantitySuffix');
    const { num, denom } = scanned;

    // Upstream's int64 fast path: a value that fits keeps its text when that is already canonical.
    let precision: number;
    let mantissa = 1n;
    let scale: number;
    if (unit.format === 'BinarySI') {
      scale = 0;
      if (unit.exponent >= 0 && denom.length === 0) {
        mantissa = 1n << BigInt(unit.exponent);
        precision = 15 - num.length - Math.trunc((unit.exponent * 3) / 10) - 1;
      } else {
        precision = -1;
      }
    } else {
      scale = unit.exponent;
      precision = 18 - (num.length + denom.length);
    }
    if (precision >= 0) {
      scale = (scale - denom.length) | 0; // an int32, as upstream's
      if (scale >= NANO) {
        const shifted = num + denom;
        const value = BigInt(shifted);
        const product = value * mantissa;
        if (product <= MAX_INT64) {
          const signed = scanned.positive ? product : -product;
          const canonical =
            unit.format === 'BinarySI'
              ? unit.exponent % 10 === 0 && (value & 7n) !== 0n
              : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
          return Quantity.of(signed, scale, unit.format, canonical ? text : undefined);
        }
      }
    }

    // Upstream's inf.Dec path.
    const digits = scanned.value.replace(/[+.-]/g, '');
    if (digits.length === 0) throw new QuantityParseError('QuantityNumeric');
    const point = scanned.value.indexOf('.');
    let coefficient = BigInt(digits);
    let exponent = point < 0 ? 0 : -(scanned.value.length - point - 1);
    if (unit.base === 10) exponent += unit.exponent;
    else coefficient <<= BigInt(unit.exponent);
    if (coefficient !== 0n && exponent < NANO) {
      const drop = NANO - exponent;
      coefficient = drop > digits.length ? 1n : ceilDiv(coefficient, 10n ** BigInt(drop));
      exponent = NANO;
    }
    let format = unit.format;
    if (format === 'BinarySI') {
      if (magnitudeCmp(coefficient, exponent, MAX_INT64, 0) > 0) {
        coefficient = MAX_INT64;
        exponent = 0;
      }
      if (coefficient !== 0n && magnitudeCmp(coefficient, exponent, 1n, 0) < 0) format = 'DecimalSI';
    }
    return Quantity.of(scanned.positive ? coefficient : -coefficient, exponent, format);
  }

  /** A quantity of `value` units (upstream's `NewQuantity`); `format` defaults to `DecimalSI`. */
  static fromInteger(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.of(toBigInt(value, 'fromInteger'), 0, checkFormat(format));
  }

  /** A quantity of `milli` thousandths (upstream's `NewMilliQuantity`); `format` defaults to `DecimalSI`. */
  static fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.of(toBigInt(milli, 'fromMilli'), -3, checkFormat(format));
  }

  /** Upstream's `String()`: the canonical form, or the parsed text when that was canonical already. */
  toString(): string {
    this.text ??= this.canonical();
    return this.text;
  }

  /** The JSON form, a string: {@link Quantity.toString}. */
  toJSON(): string {
    return this.toString();
  }

  /** -1, 0 or 1 as this quantity is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const a = this.sign();
    const b = other.sign();
    if (a !== b) return a < b ? -1 : 1;
    if (a === 0) return 0;
    const magnitude = magnitudeCmp(abs(this.coefficient), this.exponent, abs(other.coefficient), other.exponent);
    return a > 0 || magnitude === 0 ? magnitude : magnitude < 0 ? 1 : -1;
  }

  /** -1, 0 or 1 as the quantity is negative, zero or positive. */
  sign(): -1 | 0 | 1 {
    return this.coefficient === 0n ? 0 : this.coefficient < 0n ? -1 : 1;
  }

  /** Whether the quantity is zero. */
  isZero(): boolean {
    return this.coefficient === 0n;
  }

  /**
   * Upstream's `Value()`: the value rounded to an integer away from zero
   * (`1.1` → 2, `-1.1` → -2). Exact, where upstream's int64 may overflow.
   */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** Upstream's `MilliValue()`: the value in thousandths, rounded away from zero (`1.0001` → 1001). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /**
   * The sum, as upstream's `Add`: in this quantity's format, or in `other`'s
   * when this one is zero.
   */
  add(other: Quantity): Quantity {
    return this.combine(other, 1n);
  }

  /** The difference, as upstream's `Sub`: formats as {@link Quantity.add}. */
  sub(other: Quantity): Quantity {
    return this.combine(other, -1n);
  }

  private combine(other: Quantity, factor: 1n | -1n): Quantity {
    const format = this.isZero() ? other.format : this.format;
    if (other.isZero()) return Quantity.of(this.coefficient, this.exponent, format);
    if (this.isZero()) return Quantity.of(factor * other.coefficient, other.exponent, format);
    const exponent = Math.min(this.exponent, other.exponent);
    const sum = scaleUp(this.coefficient, this.exponent - exponent) + factor * scaleUp(other.coefficient, other.exponent - exponent);
    return Quantity.of(sum, exponent, format);
  }

  /** ceil(|q| / 10^scale) with q's sign: upstream's `ScaledValue`, rounding away from zero. */
  private scaledValue(scale: number): bigint {
    const exponent = this.exponent - scale;
    if (this.coefficient === 0n) return 0n;
    if (exponent >= 0) return scaleUp(this.coefficient, exponent);
    const drop = -exponent;
    const magnitude = abs(this.coefficient);
    const rounded = drop > magnitude.toString().length ? 1n : ceilDiv(magnitude, 10n ** BigInt(drop));
    return this.coefficient < 0n ? -rounded : rounded;
  }

  /** Upstream's `CanonicalizeBytes`. */
  private canonical(): string {
    if (this.coefficient === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = magnitudeCmp(abs(this.coefficient), this.exponent, 1024n, 0) < 0;
      // shown in decimal when between -1024 and 1024, or when not a whole number (no precision lost)
      if (small || this.exponent < 0) format = 'DecimalSI';
      else return binaryCanonical(scaleUp(this.coefficient, this.exponent));
    }
    // the largest exponent that is a multiple of 3, with no fraction digits
    const shift = ((this.exponent % 3) + 3) % 3;
    const number = (this.coefficient * 10n ** BigInt(shift)).toString();
    const exponent = this.exponent - shift;
    if (format === 'DecimalSI') {
      const suffix = DECIMAL_SUFFIX_OF_EXPONENT.get(exponent);
      if (suffix !== undefined) return number + suffix;
    }
    return exponent === 0 ? number : `${number}e${exponent}`;
  }
}

/** Parses a quantity: {@link Quantity.parse}. */
export function parseQuantity(text: string): Quantity {
  return Quantity.parse(text);
}

/** Whether `x` is a {@link Quantity}; works across duplicated package copies. */
export function isQuantity(x: unknown): x is Quantity {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[quantityBrand] === true;
}

interface ScannedQuantity {
  positive: boolean;
  /** the number as written, sign included (`-01.50`) */
  value: string;
  /** the integer digits without leading zeros (`0` when none) */
  num: string;
  /** the fraction digits */
  denom: string;
  suffix: string;
}

/** Upstream's `parseQuantityString`, a scanner more permissive than the quoted pattern. */
function scanQuantity(text: string): ScannedQuantity {
  const end = text.length;
  let pos = 0;
  let positive = true;
  if (text[0] === '-') {
    positive = false;
    pos++;
  } else if (text[0] === '+') {
    pos++;
  }
  while (pos < end && text[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (pos < end && isDigit(text[pos]!)) pos++;
  const num = pos > numStart ? text.slice(numStart, pos) : '0';
  if (pos >= end) return { positive, value: text, num, denom: '', suffix: '' };
  let denom = '';
  if (text[pos] === '.') {
    const denomStart = ++pos;
    while (pos < end && isDigit(text[pos]!)) pos++;
    denom = text.slice(denomStart, pos);
    if (pos >= end) return { positive, value: text, num, denom, suffix: '' };
  }
  const value = text.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(text[pos]!)) pos++;
  if (pos < end && (text[pos] === '-' || text[pos] === '+')) pos++;
  while (pos < end && isDigit(text[pos]!)) pos++;
  if (pos < end) throw new QuantityParseError('QuantityFormat');
  return { positive, value, num, denom, suffix: text.slice(suffixStart) };
}

interface SuffixUnit {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

/** Upstream's suffix lookup: SI, binary, then `e`/`E` with a signed int64 exponent (kept as an int32, as upstream). */
function interpretSuffix(suffix: string): SuffixUnit | undefined {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const exponent = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(exponent)) return undefined;
    const parsed = BigInt(exponent);
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** A whole BinarySI value of at least 1024 in magnitude: the largest power of 1024 that divides it, up to `Ei`. */
function binaryCanonical(value: bigint): string {
  let power = 0;
  while (power < BINARY_SUFFIX_OF_POWER.length - 1 && value % 1024n === 0n) {
    value /= 1024n;
    power++;
  }
  return `${value}${BINARY_SUFFIX_OF_POWER[power]}`;
}

/** Compares a × 10^ae with b × 10^be, both non-negative. */
function magnitudeCmp(a: bigint, ae: number, b: bigint, be: number): -1 | 0 | 1 {
  if (a === 0n || b === 0n) return a === b ? 0 : a === 0n ? -1 : 1;
  const orderA = a.toString().length + ae;
  const orderB = b.toString().length + be;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  // same order of magnitude: the exponents differ by fewer digits than the coefficients have
  const exponent = Math.min(ae, be);
  const x = a * 10n ** BigInt(ae - exponent);
  const y = b * 10n ** BigInt(be - exponent);
  return x === y ? 0 : x < y ? -1 : 1;
}

function scaleUp(value: bigint, digits: number): bigint {
  if (digits === 0 || value === 0n) return value;
  if (digits > MAX_DIGITS) throw new RangeError(`quantity arithmetic would need more than ${MAX_DIGITS} digits`);
  return value * 10n ** BigInt(digits);
}

/** ceil(a / b) for a, b > 0... and away from zero for a negative `a`. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  if (a % b === 0n) return quotient;
  return a < 0n ? quotient - 1n : quotient + 1n;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function toBigInt(value: bigint | number, method: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`Quantity.${method} needs a safe integer, got ${value}`);
  return BigInt(value);
}

function checkFormat(format: QuantityFormat): QuantityFormat {
  if (format !== 'DecimalExponent' && format !== 'BinarySI' && format !== 'DecimalSI') throw new RangeError(`unknown quantity format ${String(format)}`);
  return format;
}
