/**
 * Go's `fmt` verb `%v` (and `%+v`, the same for these values) applied to
 * unstructured content (`map[string]interface{}`, `[]interface{}`, strings,
 * bools, int64 and float64): upstream puts a patch printed this way in the
 * 422 of a strategic merge patch whose result does not decode.
 */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return String(value);
    case 'number':
      return Number.isInteger(value) ? String(value) : goFloat(value);
    case 'object': {
      const record = value as Record<string, unknown>;
      // fmt prints maps sorted by key
      const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `map[${keys.map((key) => `${key}:${goFormat(record[key])}`).join(' ')}]`;
    }
    default:
      return '<nil>';
  }
}

/** `strconv.FormatFloat(f, 'g', -1, 64)`, as `%v` prints a float64: shortest digits, exponent form below 1e-4 and from 1e6 on. */
function goFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -4 && exponent < 6) return String(value);
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}
