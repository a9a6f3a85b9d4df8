/**
 * Go's `time.Parse` for the two layouts Kubernetes decodes timestamps with:
 * `metav1.Time` (RFC 3339) and `metav1.MicroTime` (RFC 3339 with exactly six
 * fractional digits). A request with a bad timestamp fails with Go's parse
 * error, word for word; a good one is written back as Go would encode the
 * decoded value again (UTC, whole seconds or microseconds).
 */

/** `time.RFC3339`, the layout of `metav1.Time`. */
export const RFC3339 = '2006-01-02T15:04:05Z07:00';
/** `metav1.RFC3339Micro`, the layout of `metav1.MicroTime`. */
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

/** The chunks of the two layouts, as Go's `nextStdChunk` splits them: a literal prefix and a field. */
type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'micros' | 'zone';
type Chunk = readonly [prefix: string, field: Field, std: string];
const DATE_TIME: readonly Chunk[] = [
  ['', 'year', '2006'],
  ['-', 'month', '01'],
  ['-', 'day', '02'],
  ['T', 'hour', '15'],
  [':', 'minute', '04'],
  [':', 'second', '05'],
];
const ZONE: Chunk = ['', 'zone', 'Z07:00'];
const CHUNKS: Record<string, readonly Chunk[]> = {
  [RFC3339]: [...DATE_TIME, ZONE],
  [RFC3339_MICRO]: [...DATE_TIME, ['', 'micros', '.000000'], ZONE],
};

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** Go's `getnum`: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 0x30, s.slice(1)];
  return [(s.charCodeAt(0) - 0x30) * 10 + (s.charCodeAt(1) - 0x30), s.slice(2)];
}

/** Go's `atoi` (an optional sign, then only digits). */
function atoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

/** Go's time-package `quote`: bytes outside printable ASCII as `\xNN`. */
function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code >= 0x80) {
      for (const byte of Buffer.from(c, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      if (c === '"' || c === '\\') out += '\\';
      out += c;
    }
  }
  return `${out}"`;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A parsed instant, or Go's error for the input. */
export type ParsedTime = { readonly ok: true; readonly epochMillis: number; readonly micros: number } | { readonly ok: false; readonly error: string };

/**
 * Parses `value` with Go's algorithm for `layout` (RFC 3339 or its
 * microsecond form): the same accepted inputs (a fraction after the seconds
 * even when the layout has none, `Z` or a `±hh:mm` offset) and the same
 * errors (`parsing time "x" as "<layout>": cannot parse "x" as "2006"`,
 * `…: month out of range`, `…: extra text: …`).
 */
export function parseGoTime(layout: typeof RFC3339 | typeof RFC3339_MICRO, input: string): ParsedTime {
  const cannotParse = (rest: string, std: string): ParsedTime => ({
    ok: false,
    error: `parsing time ${quote(input)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(std)}`,
  });
  const message = (text: string): ParsedTime => ({ ok: false, error: `parsing time ${quote(input)}${text}` });
  let value = input;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let offsetSeconds = 0;
  const chunks = CHUNKS[layout]!;
  for (let c = 0; c < chunks.length; c++) {
    const [prefix, field, std] = chunks[c]!;
    if (prefix !== '') {
      if (!value.startsWith(prefix)) return cannotParse(value, prefix);
      value = value.slice(prefix.length);
    }
    const hold = value;
    let range = '';
    switch (field) {
      case 'year': {
        if (value.length < 4) return cannotParse(hold, std);
        const parsed = atoi(value.slice(0, 4));
        if (parsed === undefined) return cannotParse(hold, std);
        year = parsed;
        value = value.slice(4);
        break;
      }
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second': {
        const got = getnum(value, field !== 'hour');
        if (!got) return cannotParse(hold, std);
        const [n, rest] = got;
        value = rest;
        if (field === 'month') {
          month = n;
          if (n <= 0 || n > 12) range = 'month';
        } else if (field === 'day') day = n;
        else if (field === 'hour') {
          hour = n;
          if (n >= 24) range = 'hour';
        } else if (field === 'minute') {
          minute = n;
          if (n >= 60) range = 'minute';
        } else {
          second = n;
          if (n >= 60) {
            range = 'second';
            break;
          }
          // a fraction the layout does not spell out is accepted after the seconds
          const next = chunks[c + 1];
          if (next?.[1] !== 'micros' && value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
            let n2 = 2;
            while (isDigit(value, n2)) n2++;
            micros = Math.floor(Number(`0.${value.slice(1, Math.min(n2, 10))}`) * 1e6 + 1e-7);
            value = value.slice(n2);
          }
        }
        break;
      }
      case 'micros': {
        // exactly as many digits as the layout has
        if (value.length < 7 || (value[0] !== '.' && value[0] !== ',')) return cannotParse(hold, std);
        const digits = value.slice(1, 7);
        if (!/^[0-9]{6}$/.test(digits)) return cannotParse(hold, std);
        micros = Number(digits);
        value = value.slice(7);
        break;
      }
      case 'zone': {
        if (value.startsWith('Z')) {
          value = value.slice(1);
          break;
        }
        if (value.length < 6 || value[3] !== ':') return cannotParse(hold, std);
        const sign = value[0];
        const hh = getnum(value.slice(1, 3), true);
        const mm = getnum(value.slice(4, 6), true);
        value = value.slice(6);
        if (!hh || !mm) return cannotParse(hold, std);
        if (hh[0] > 24) range = 'time zone offset hour';
        if (mm[0] > 60) range = 'time zone offset minute';
        if (range === '' && sign !== '+' && sign !== '-') return cannotParse(hold, std);
        offsetSeconds = (hh[0] * 60 + mm[0]) * 60 * (sign === '-' ? -1 : 1);
        break;
      }
    }
    if (range !== '') return message(`: ${range} out of range`);
  }
  if (value.length > 0) return message(`: extra text: ${quote(value)}`);
  if (day < 1 || day > daysIn(month, year)) return message(': day out of range');
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  return { ok: true, epochMillis: utc.getTime() - offsetSeconds * 1000, micros };
}

/** The JSON text Go writes for a decoded `metav1.Time` (UTC, whole seconds) or `metav1.MicroTime` (UTC, six digits). */
export function formatGoTime(parsed: { epochMillis: number; micros: number }, micro: boolean): string {
  const date = new Date(parsed.epochMillis);
  const year = date.getUTCFullYear();
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const head = `${year < 0 ? `-${pad(-year, 4)}` : pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return micro ? `${head}.${pad(parsed.micros, 6)}Z` : `${head}Z`;
}
