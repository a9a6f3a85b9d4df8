/**
 * Go's `%#v` of the `resource.Quantity` that `resource.ParseQuantity` makes of
 * `text`: how kube-apiserver 1.32 prints a Quantity given as a field error's
 * value (`field.Invalid(path, quantity, …)`: a Quantity is not a
 * `fmt.Stringer`, its `String` has a pointer receiver), e.g.
 * `resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}`.
 *
 * It follows ParseQuantity's fast path: an int64 mantissa and a decimal
 * scale, the text kept (`s`) when it is already canonical. Values that take
 * the slow path are held as an `*inf.Dec`, whose address Go prints; any
 * address stands in for it here. `text` must be a valid quantity.
 */
export function goQuantitySyntax(text: string): string {
  const fast = fastPath(text);
  const format = fast?.format ?? formatOf(suffixOf(text));
  const dec = fast ? '(*inf.Dec)(nil)' : '(*inf.Dec)(0xc000a2e0c0)';
  const amount = fast ? `value:${fast.value}, scale:${fast.scale}` : 'value:0, scale:0';
  return `resource.Quantity{i:resource.int64Amount{${amount}}, d:resource.infDecAmount{Dec:${dec}}, s:${JSON.stringify(fast?.kept ?? '')}, Format:${JSON.stringify(format)}}`;
}

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const DECIMAL: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MAX = 2n ** 63n - 1n;

function suffixOf(text: string): string {
  return /^[+-]?[0-9]*(?:\.[0-9]*)?(.*)$/.exec(text)?.[1] ?? '';
}

function formatOf(suffix: string): Format {
  if (suffix in BINARY) return 'BinarySI';
  if (suffix in DECIMAL) return 'DecimalSI';
  return 'DecimalExponent';
}

function fastPath(text: string): { value: bigint; scale: number; kept: string; format: Format } | undefined {
  if (text === '0') return { value: 0n, scale: 0, kept: '0', format: 'DecimalSI' };
  const m = /^([+-]?)(0*)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text);
  if (!m) return undefined;
  const positive = m[1] !== '-';
  const num = m[3] === '' ? '0' : m[3]!;
  const denom = m[4] ?? '';
  const suffix = m[5]!;
  const format = formatOf(suffix);
  let exponent: number;
  if (format === 'BinarySI') exponent = BINARY[suffix]!;
  else if (format === 'DecimalSI') exponent = DECIMAL[suffix]!;
  else exponent = Number(suffix.slice(1));
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (denom.length > 0) return undefined;
    mantissa = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision < 0) return undefined;
  scale -= denom.length;
  if (scale < -9) return undefined;
  const shifted = num + denom;
  const value = BigInt(shifted);
  if (value > INT64_MAX) return undefined;
  const product = value * mantissa;
  if (product > INT64_MAX) return undefined;
  const result = positive ? product : -product;
  const canonical =
    format === 'BinarySI' ? exponent % 10 === 0 && (value & 7n) !== 0n : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return { value: result, scale, kept: canonical ? text : '', format };
}
