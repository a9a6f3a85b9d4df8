import { describe, expect, it } from 'vitest';
import { isQuantity, isQuantityParseError, parseQuantity, Quantity, QuantityParseError, type QuantityFormat } from './index';

const FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC_ERROR = 'unable to parse numeric part of quantity';
const SUFFIX_ERROR = "unable to parse quantity's suffix";

describe('Quantity.parse and toString', () => {
  // input, canonical string, format, milliValue (ceil)
  it.each<[string, string, QuantityFormat, bigint]>([
    ['0', '0', 'DecimalSI', 0n],
    ['0n', '0', 'DecimalSI', 0n],
    ['0m', '0', 'DecimalSI', 0n],
    ['0Ki', '0', 'BinarySI', 0n],
    ['0Gi', '0', 'BinarySI', 0n],
    ['0T', '0', 'DecimalSI', 0n],
    ['00', '0', 'DecimalSI', 0n],
    ['0.0', '0', 'DecimalSI', 0n],
    ['-0', '0', 'DecimalSI', 0n],
    ['1', '1', 'DecimalSI', 1000n],
    // binary suffixes
    ['1Ki', '1Ki', 'BinarySI', 1024000n],
    ['8Ki', '8Ki', 'BinarySI', 8192000n],
    ['7Mi', '7Mi', 'BinarySI', 7n * 2n ** 20n * 1000n],
    ['6Gi', '6Gi', 'BinarySI', 6n * 2n ** 30n * 1000n],
    ['5Ti', '5Ti', 'BinarySI', 5n * 2n ** 40n * 1000n],
    ['4Pi', '4Pi', 'BinarySI', 4n * 2n ** 50n * 1000n],
    ['3Ei', '3Ei', 'BinarySI', 3n * 2n ** 60n * 1000n],
    ['1024Mi', '1Gi', 'BinarySI', 2n ** 30n * 1000n],
    ['1024Ki', '1Mi', 'BinarySI', 2n ** 20n * 1000n],
    ['1025Mi', '1025Mi', 'BinarySI', 1025n * 2n ** 20n * 1000n],
    ['1.5Gi', '1536Mi', 'BinarySI', 1536n * 2n ** 20n * 1000n],
    ['100.035Ki', '102435840m', 'BinarySI', 102435840n],
    ['0.5Mi', '512Ki', 'BinarySI', 524288000n],
    ['1.1Ki', '1126400m', 'BinarySI', 1126400n],
    ['.001Ki', '1024m', 'BinarySI', 1024n],
    ['.000001Ki', '1024u', 'DecimalSI', 2n],
    ['.000000001Ki', '1024n', 'DecimalSI', 1n],
    ['.000000000001Ki', '2n', 'DecimalSI', 1n],
    // capped at 2^63-1
    ['9Ei', '9223372036854775807', 'BinarySI', 9223372036854775807000n],
    ['9223372036854775807Ki', '9223372036854775807', 'BinarySI', 9223372036854775807000n],
    ['-9Ei', '-9223372036854775807', 'BinarySI', -9223372036854775807000n],
    // decimal suffixes
    ['5n', '5n', 'DecimalSI', 1n],
    ['4u', '4u', 'DecimalSI', 1n],
    ['3m', '3m', 'DecimalSI', 3n],
    ['100m', '100m', 'DecimalSI', 100n],
    ['1000m', '1', 'DecimalSI', 1000n],
    ['1000', '1k', 'DecimalSI', 1000000n],
    ['8k', '8k', 'DecimalSI', 8000000n],
    ['50k', '50k', 'DecimalSI', 50000000n],
    ['1000M', '1G', 'DecimalSI', 10n ** 12n],
    ['5T', '5T', 'DecimalSI', 5n * 10n ** 15n],
    ['2P', '2P', 'DecimalSI', 2n * 10n ** 18n],
    ['12E', '12E', 'DecimalSI', 12n * 10n ** 21n],
    ['1000E', '1e21', 'DecimalSI', 10n ** 24n],
    ['0.5', '500m', 'DecimalSI', 500n],
    ['1.5', '1500m', 'DecimalSI', 1500n],
    ['0.0001', '100u', 'DecimalSI', 1n],
    ['1.08', '1080m', 'DecimalSI', 1080n],
    ['9.01', '9010m', 'DecimalSI', 9010n],
    ['8.1k', '8100', 'DecimalSI', 8100000n],
    ['7.123456M', '7.123456M', 'DecimalSI', 7123456000n],
    ['6.987654321G', '6.987654321G', 'DecimalSI', 6987654321000n],
    ['100.035k', '100.035k', 'DecimalSI', 100035000n],
    ['10.035M', '10.035M', 'DecimalSI', 10035000000n],
    ['1.01E', '1010P', 'DecimalSI', 101n * 10n ** 19n],
    ['.001', '1m', 'DecimalSI', 1n],
    ['.0001k', '100m', 'DecimalSI', 100n],
    ['1.', '1.', 'DecimalSI', 1000n],
    ['1.G', '1.G', 'DecimalSI', 10n ** 12n],
    ['1.500', '1.500', 'DecimalSI', 1500n],
    ['1.5000', '1500m', 'DecimalSI', 1500n],
    // decimal exponents
    ['1e3', '1e3', 'DecimalExponent', 1000000n],
    ['1E6', '1E6', 'DecimalExponent', 10n ** 9n],
    ['1E-3', '1E-3', 'DecimalExponent', 1n],
    ['1e-3', '1e-3', 'DecimalExponent', 1n],
    ['1000e0', '1e3', 'DecimalExponent', 1000000n],
    ['1e14', '100e12', 'DecimalExponent', 10n ** 17n],
    ['0.5e0', '500e-3', 'DecimalExponent', 500n],
    ['0.5e-2', '5e-3', 'DecimalExponent', 5n],
    ['1.2e3', '1200', 'DecimalExponent', 1200000n],
    ['1.3E+6', '1300e3', 'DecimalExponent', 1300000000n],
    ['80e-3', '80e-3', 'DecimalExponent', 80n],
    // rounding up to nano
    ['3.001n', '4n', 'DecimalSI', 1n],
    ['1.1E-9', '2e-9', 'DecimalExponent', 1n],
    ['0.0000000001', '1n', 'DecimalSI', 1n],
    ['0.00000000050', '1n', 'DecimalSI', 1n],
    ['0.9n', '1n', 'DecimalSI', 1n],
    ['0.00000012345', '124n', 'DecimalSI', 1n],
    ['1.0000000001', '1000000001n', 'DecimalSI', 1001n],
    ['-0.0000000001', '-1n', 'DecimalSI', -1n],
    ['1e-1000', '1e-9', 'DecimalExponent', 1n],
    // negative
    ['-1', '-1', 'DecimalSI', -1000n],
    ['-100m', '-100m', 'DecimalSI', -100n],
    ['-1000', '-1k', 'DecimalSI', -1000000n],
    ['-1024Mi', '-1Gi', 'BinarySI', -(2n ** 30n) * 1000n],
    ['-1.5Gi', '-1536Mi', 'BinarySI', -1536n * 2n ** 20n * 1000n],
    ['-0.5', '-500m', 'DecimalSI', -500n],
    ['-1e3', '-1e3', 'DecimalExponent', -1000000n],
    // very large: kept exactly, beyond int64
    ['18446744073709551616', '18446744073709551616', 'DecimalSI', 18446744073709551616000n],
    ['1234567890123456789000', '1234567890123456789k', 'DecimalSI', 1234567890123456789000000n],
    // texts upstream deems canonical (a multiple-of-3 scale, no trailing 000, no leading 0 digit) are kept as written
    ['+1', '+1', 'DecimalSI', 1000n],
    ['01', '01', 'DecimalSI', 1000n],
    ['+1.5', '1500m', 'DecimalSI', 1500n],
    // the scanner is more permissive than the quoted pattern
    ['.', '0', 'DecimalSI', 0n],
    ['-', '0', 'DecimalSI', 0n],
    ['k', '0', 'DecimalSI', 0n],
    ['Ki', '0', 'BinarySI', 0n],
    // an int32 exponent, truncated as upstream's
    ['1e4294967297', '10', 'DecimalExponent', 10000n],
  ])('%s → %s', (input, canonical, format, milli) => {
    const q = Quantity.parse(input);
    expect(q.toString()).toBe(canonical);
    expect(q.toJSON()).toBe(canonical);
    expect(JSON.stringify({ q })).toBe(JSON.stringify({ q: canonical }));
    expect(q.format).toBe(format);
    expect(q.milliValue()).toBe(milli);
    // the canonical form reads back as the same value
    expect(Quantity.parse(canonical).cmp(q)).toBe(0);
  });

  it.each<[string, string]>([
    ['', FORMAT_ERROR],
    [' 1', FORMAT_ERROR],
    ['1 ', FORMAT_ERROR],
    ['1.1.M', FORMAT_ERROR],
    ['1+1.0M', FORMAT_ERROR],
    ['aoeu', FORMAT_ERROR],
    ['Non-Numeric', FORMAT_ERROR],
    ['-3.01e-', SUFFIX_ERROR],
    ['0.1mi', SUFFIX_ERROR],
    ['0.1am', FORMAT_ERROR],
    ['.5i', SUFFIX_ERROR],
    ['1i', SUFFIX_ERROR],
    ['-3.01i', SUFFIX_ERROR],
    ['1KB', FORMAT_ERROR],
    ['1Mm', SUFFIX_ERROR],
    ['1e', SUFFIX_ERROR],
    ['1ee3', SUFFIX_ERROR],
    ['1-5', SUFFIX_ERROR],
    ['1Ki5', SUFFIX_ERROR],
    ['1e99999999999999999999', SUFFIX_ERROR],
    ['.Ei', NUMERIC_ERROR],
    ['-.Pi', NUMERIC_ERROR],
    ['.e-10', NUMERIC_ERROR],
  ])('rejects %j', (input, message) => {
    let caught: unknown;
    try {
      parseQuantity(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QuantityParseError);
    expect((caught as QuantityParseError).message).toBe(message);
    const code = message === FORMAT_ERROR ? 'QuantityFormat' : message === SUFFIX_ERROR ? 'QuantitySuffix' : 'QuantityNumeric';
    expect(isQuantityParseError(caught, code)).toBe(true);
    expect(isQuantityParseError(new Error(message))).toBe(false);
  });
});

describe('Quantity constructors', () => {
  it.each<[bigint | number, QuantityFormat | undefined, string, bigint]>([
    [1, 'DecimalSI', '1', 1n],
    [1000, 'DecimalSI', '1k', 1000n],
    [1234000, undefined, '1234k', 1234000n],
    [1024, 'BinarySI', '1Ki', 1024n],
    [1000000, 'DecimalExponent', '1e6', 1000000n],
    [1024 * 1024, 'BinarySI', '1Mi', 1048576n],
    [1000, 'BinarySI', '1k', 1000n],
    [2n ** 64n, 'BinarySI', '16Ei', 2n ** 64n],
    [2n ** 70n, 'BinarySI', '1024Ei', 2n ** 70n],
    [-5, 'DecimalSI', '-5', -5n],
  ])('fromInteger(%s, %s) → %s', (value, format, text, integer) => {
    const q = Quantity.fromInteger(value, format);
    expect(q.toString()).toBe(text);
    expect(q.format).toBe(format ?? 'DecimalSI');
    expect(q.value()).toBe(integer);
  });

  it.each<[bigint | number, QuantityFormat, string, bigint]>([
    [1, 'DecimalSI', '1m', 1n],
    [1000, 'DecimalSI', '1', 1n],
    [1234000, 'DecimalSI', '1234', 1234n],
    [1024, 'BinarySI', '1024m', 2n],
    [1000000, 'DecimalExponent', '1e3', 1000n],
    [1024 * 1024, 'BinarySI', '1048576m', 1049n],
    [1024000n, 'BinarySI', '1Ki', 1024n],
    [-1500, 'DecimalSI', '-1500m', -2n],
  ])('fromMilli(%s, %s) → %s', (milli, format, text, value) => {
    const q = Quantity.fromMilli(milli, format);
    expect(q.toString()).toBe(text);
    expect(q.milliValue()).toBe(BigInt(milli));
    expect(q.value()).toBe(value);
  });

  it('refuses numbers that are not safe integers', () => {
    expect(() => Quantity.fromInteger(1.5)).toThrow(new RangeError('Quantity.fromInteger needs a safe integer, got 1.5'));
    expect(() => Quantity.fromMilli(2 ** 60)).toThrow(new RangeError(`Quantity.fromMilli needs a safe integer, got ${2 ** 60}`));
    expect(() => Quantity.fromInteger(1, 'Binary' as QuantityFormat)).toThrow(new RangeError('unknown quantity format Binary'));
  });

  it('brands quantities', () => {
    expect(isQuantity(Quantity.parse('1'))).toBe(true);
    expect(isQuantity('1')).toBe(false);
    expect(isQuantity(null)).toBe(false);
    expect(isQuantity({ format: 'DecimalSI' })).toBe(false);
  });
});

describe('Quantity arithmetic', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Ki', '1024', 0],
    ['1k', '1Ki', -1],
    ['-1', '0', -1],
    ['-1', '-2', 1],
    ['-2', '-1', -1],
    ['0', '-1n', 1],
    ['1e1000', '1e999', 1],
    ['1e999', '1e1000', -1],
    ['9.99e999', '1e1000', -1],
    ['10e999', '1e1000', 0],
    ['1e-9', '1n', 0],
    ['18446744073709551616', '18446744073709551615', 1],
  ])('cmp(%s, %s) = %i', (x, y, expected) => {
    expect(Quantity.parse(x).cmp(Quantity.parse(y))).toBe(expected);
    expect(Quantity.parse(y).cmp(Quantity.parse(x))).toBe(-expected || 0);
  });

  it.each<[string, -1 | 0 | 1]>([
    ['0', 0],
    ['0Ki', 0],
    ['1n', 1],
    ['-1n', -1],
  ])('sign(%s) = %i', (x, expected) => {
    const q = Quantity.parse(x);
    expect(q.sign()).toBe(expected);
    expect(q.isZero()).toBe(expected === 0);
  });

  // x, y, x + y, x - y
  it.each<[string, string, string, string]>([
    ['1', '1', '2', '0'],
    ['100m', '50m', '150m', '50m'],
    ['1Gi', '512Mi', '1536Mi', '512Mi'],
    ['1Gi', '1', '1073741825', '1073741823'],
    ['1Gi', '100m', '1073741824100m', '1073741823900m'],
    ['1k', '1Ki', '2024', '-24'],
    ['1e3', '1', '1001', '999'],
    ['-1', '1', '0', '-2'],
    ['1Ki', '1Ki', '2Ki', '0'],
    // the receiver's format, or the other's when the receiver is zero
    ['0', '1Gi', '1Gi', '-1Gi'],
    ['0', '100m', '100m', '-100m'],
    ['100m', '0', '100m', '100m'],
    ['1Gi', '0', '1Gi', '1Gi'],
    ['9223372036854775807', '1', '9223372036854775808', '9223372036854775806'],
    // sums are not capped
    ['8Ei', '8Ei', '18446744073709551614', '0'],
  ])('%s ± %s', (x, y, sum, difference) => {
    const a = Quantity.parse(x);
    const b = Quantity.parse(y);
    expect(a.add(b).toString()).toBe(sum);
    expect(a.sub(b).toString()).toBe(difference);
    // operands are unchanged
    expect(a.toString()).toBe(Quantity.parse(x).toString());
    expect(b.toString()).toBe(Quantity.parse(y).toString());
  });

  it('keeps the receiver format in sums', () => {
    expect(Quantity.parse('1Gi').add(Quantity.parse('1G')).format).toBe('BinarySI');
    expect(Quantity.parse('1G').add(Quantity.parse('1Gi')).format).toBe('DecimalSI');
    expect(Quantity.parse('0').add(Quantity.parse('1Gi')).format).toBe('BinarySI');
    expect(Quantity.parse('0').sub(Quantity.parse('1e3')).format).toBe('DecimalExponent');
  });

  it('refuses sums that need too many digits', () => {
    expect(() => Quantity.parse('1e2000000').add(Quantity.parse('1n'))).toThrow(new RangeError('quantity arithmetic would need more than 1000000 digits'));
  });

  // input, value(), milliValue(): rounded away from zero
  it.each<[string, bigint, bigint]>([
    ['0', 0n, 0n],
    ['1', 1n, 1000n],
    ['1.1', 2n, 1100n],
    ['-1.1', -2n, -1100n],
    ['1.0001', 2n, 1001n],
    ['-1.0001', -2n, -1001n],
    ['100m', 1n, 100n],
    ['1n', 1n, 1n],
    ['-1n', -1n, -1n],
    ['9.01', 10n, 9010n],
    ['1Ki', 1024n, 1024000n],
    ['1.5Gi', 1610612736n, 1610612736000n],
    ['1E', 10n ** 18n, 10n ** 21n],
    ['9223372036854775808', 9223372036854775808n, 9223372036854775808000n],
  ])('value(%s) = %s, milliValue = %s', (input, value, milli) => {
    const q = Quantity.parse(input);
    expect(q.value()).toBe(value);
    expect(q.milliValue()).toBe(milli);
  });
});
