/**
 * The wording of Go's `encoding/json` errors, which kube-apiserver puts in
 * the messages of its 400 responses for malformed bodies: clients and people
 * compare those texts, so the server reproduces them rather than JavaScript's
 * `JSON.parse` messages.
 */

/** The JSON value kinds as Go's `UnmarshalTypeError` names them. */
export type GoJsonValueKind = 'object' | 'array' | 'string' | 'number' | 'bool' | 'null';

/** Go's name of the kind of a parsed JSON value. */
export function goJsonKind(value: unknown): GoJsonValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** `json: cannot unmarshal <kind> into Go value of type <type>` (a top-level type mismatch). */
export function goUnmarshalTypeError(kind: GoJsonValueKind, goType: string): string {
  return `json: cannot unmarshal ${kind} into Go value of type ${goType}`;
}

/** `json: cannot unmarshal <kind> into Go struct field <Struct>.<field> of type <type>`. */
export function goUnmarshalFieldError(kind: GoJsonValueKind, struct: string, field: string, goType: string): string {
  return `json: cannot unmarshal ${kind} into Go struct field ${struct}.${field} of type ${goType}`;
}

/** Go's `quoteChar`: a byte as the scanner shows it in `invalid character …` messages. */
export function goQuoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x5c: '\\\\' };
  let shown = named[c];
  if (shown === undefined) {
    if (c < 0x20 || c === 0x7f) shown = `\\x${c.toString(16).padStart(2, '0')}`;
    // a byte ≥ 0x80 is shown as the rune of the same number; C1 controls, NBSP and soft hyphen are not printable
    else if ((c >= 0x80 && c <= 0xa0) || c === 0xad) shown = `\\u00${c.toString(16).padStart(2, '0')}`;
    else shown = String.fromCharCode(c);
  }
  return `'${shown}'`;
}

const UNEXPECTED_END = 'unexpected end of JSON input';

class GoSyntaxError extends Error {}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/**
 * The error Go's `json.Unmarshal` reports for syntactically invalid input
 * (its `checkValid` scan), or `undefined` when `bytes` is one valid JSON value.
 */
export function goJsonSyntaxError(bytes: Uint8Array): string | undefined {
  let i = 0;
  const fail = (context: string): never => {
    if (i >= bytes.length) throw new GoSyntaxError(UNEXPECTED_END);
    throw new GoSyntaxError(`invalid character ${goQuoteChar(bytes[i]!)} ${context}`);
  };
  const skipSpace = () => {
    while (i < bytes.length && isSpace(bytes[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= bytes.length || bytes[i] !== word.charCodeAt(k)) fail(`in literal ${word} (expecting '${word[k]!}')`);
    }
    i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= bytes.length) fail('');
      const c = bytes[i]!;
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        i++;
        if (i >= bytes.length) fail('');
        const e = bytes[i]!;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= bytes.length || !isHex(bytes[i]!)) fail('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          fail('in string escape code');
        }
        i++;
        continue;
      }
      if (c < 0x20) fail('in string literal');
      i++;
    }
  };
  const number = () => {
    if (bytes[i] === 0x2d) {
      i++;
      if (i >= bytes.length || !isDigit(bytes[i]!)) fail('in numeric literal');
    }
    if (bytes[i] === 0x30) i++;
    else while (i < bytes.length && isDigit(bytes[i]!)) i++;
    if (bytes[i] === 0x2e) {
      i++;
      if (i >= bytes.length || !isDigit(bytes[i]!)) fail('after decimal point in numeric literal');
      while (i < bytes.length && isDigit(bytes[i]!)) i++;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      if (i >= bytes.length || !isDigit(bytes[i]!)) fail('in exponent of numeric literal');
      while (i < bytes.length && isDigit(bytes[i]!)) i++;
    }
  };
  const value = (): void => {
    skipSpace();
    if (i >= bytes.length) fail('');
    const c = bytes[i]!;
    if (c === 0x7b) {
      i++;
      skipSpace();
      if (bytes[i] === 0x7d) {
        i++;
        return;
      }
      for (;;) {
        if (bytes[i] !== 0x22) fail('looking for beginning of object key string');
        string();
        skipSpace();
        if (bytes[i] !== 0x3a) fail('after object key');
        i++;
        value();
        skipSpace();
        if (bytes[i] === 0x2c) {
          i++;
          skipSpace();
          continue;
        }
        if (bytes[i] === 0x7d) {
          i++;
          return;
        }
        fail('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      skipSpace();
      if (bytes[i] === 0x5d) {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (bytes[i] === 0x2c) {
          i++;
          continue;
        }
        if (bytes[i] === 0x5d) {
          i++;
          return;
        }
        fail('after array element');
      }
    }
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    fail('looking for beginning of value');
  };
  try {
    value();
    skipSpace();
    if (i < bytes.length) fail('after top-level value');
    return undefined;
  } catch (err) {
    if (err instanceof GoSyntaxError) return err.message;
    throw err;
  }
}

/** A `\uXXXX` escape of a UTF-16 surrogate: the only way JSON text (valid UTF-8) can spell a lone one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `value` (parsed from `text`) with lone surrogates in its strings and member
 * names replaced by U+FFFD, as Go's `encoding/json` decodes a `\uD800` escape
 * that is not half of a pair. JSON.parse keeps them, and no Go string (so no
 * name, key or label upstream) can hold one. Only text with such an escape
 * is walked.
 */
export function goJsonStrings(text: string, value: unknown): unknown {
  return SURROGATE_ESCAPE.test(text) ? wellFormed(value) : value;
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') {
    LONE_SURROGATE.lastIndex = 0;
    return LONE_SURROGATE.test(value);
  }
  if (value === null || typeof value !== 'object') return false;
  for (const [key, member] of Object.entries(value)) if (hasLoneSurrogate(key) || hasLoneSurrogate(member)) return true;
  return false;
}

/** Replaces lone surrogates in place (a renamed member goes last; of two that become one name, the later wins, as in Go). */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = wellFormed(value[i]);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const member = wellFormed(object[key]);
    const name = key.replace(LONE_SURROGATE, '\ufffd');
    if (name !== key) delete object[key];
    object[name] = member;
  }
  return object;
}

/**
 * Where go-yaml fails on the YAML document `source` (parsed as `value`): the
 * 1-based line of its first `\uD800`-style escape, when the document holds a
 * lone surrogate. go-yaml refuses every surrogate escape ("found invalid
 * Unicode character escape code"); the `yaml` library (and JSON.parse)
 * decode them, and only a lone one can be told from a character written as
 * it is.
 */
export function yamlSurrogateEscapeLine(source: string, value: unknown): number | undefined {
  if (!SURROGATE_ESCAPE.test(source) || !hasLoneSurrogate(value)) return undefined;
  const at = /(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]/.exec(source)?.index ?? 0;
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < at; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** Upstream `summarizeData`: the start of a body for error messages, as text for JSON objects, hex otherwise. */
export function summarizeBody(bytes: Uint8Array, maxLength = 30): string {
  if (bytes.length === 0) return '<empty>';
  const head = bytes.length > maxLength ? bytes.subarray(0, maxLength) : bytes;
  const more = bytes.length > maxLength ? ' ...' : '';
  if (bytes[0] === 0x7b) return `${Buffer.from(head).toString('utf8')}${more}`;
  return `${Buffer.from(head).toString('hex')}${more}`;
}

const BASE64_ALPHABET = /[A-Za-z0-9+/]/;
const lineBreak = (c: string | undefined) => c === '\r' || c === '\n';

/**
 * Where Go's `base64.StdEncoding.Decode` fails on `s` (padded standard
 * alphabet; CR and LF are skipped), or `undefined` when it decodes.
 */
export function goBase64ErrorOffset(s: string): number | undefined {
  let si = 0;
  for (;;) {
    for (let j = 0; j < 4; j++) {
      if (si === s.length) return j === 0 ? undefined : si - j;
      const c = s[si++]!;
      if (BASE64_ALPHABET.test(c)) continue;
      if (lineBreak(c)) {
        j--;
        continue;
      }
      if (c !== '=' || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected, the first "=" is consumed
        while (si < s.length && lineBreak(s[si])) si++;
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      while (si < s.length && lineBreak(s[si])) si++;
      return si < s.length ? si : undefined;
    }
  }
}
