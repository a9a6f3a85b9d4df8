import { goQuote } from '@kcp-ts/topology';

/**
 * The parts of a URL that Go's `net/url.Parse` produces and webhook
 * validation looks at (`url.URL`): the scheme lower-cased, the host with its
 * port, the user information (as written), the raw query and the fragment.
 */
export interface GoURL {
  readonly scheme: string;
  /** a rootless path after the scheme (`https:example.com`), which leaves the host empty */
  readonly opaque: string;
  /** the user information before `@`, when there is an `@` in the authority */
  readonly user?: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
  /** the fragment, unescaped */
  readonly fragment: string;
}

/** The outcome of {@link parseGoURL}: the URL, or Go's error text (`parse "…": …`). */
export type GoURLResult = { readonly url: GoURL } | { readonly error: string };

const HEX = /^[0-9a-fA-F]$/;
/** Characters Go's `shouldEscape` lets through unescaped in a host (besides ASCII letters and digits). */
const HOST_CHARS = new Set("!$&'()*+,;=:[]<>\"-_.~");
/** Characters Go's `validUserinfo` accepts (besides ASCII letters and digits). */
const USERINFO_CHARS = new Set("-._:~!$&'()*+,;=%@");
const ALNUM = /^[A-Za-z0-9]$/;

class GoURLError extends Error {}

/**
 * Go's `net/url.Parse` (Go 1.23), the part kube-apiserver's webhook URL
 * validation depends on: which strings fail and with which message
 * (`missing protocol scheme`, `invalid character " " in host name`,
 * `invalid port ":x" after host`, `invalid URL escape "%zz"`, …), and the
 * scheme, host, user information, query and fragment of the others.
 * Paths are not unescaped beyond checking their escapes.
 */
export function parseGoURL(raw: string): GoURLResult {
  // Go cuts the fragment off first: errors in the rest name the URL without it
  const hash = raw.indexOf('#');
  const beforeFragment = hash < 0 ? raw : raw.slice(0, hash);
  let url: GoURL;
  try {
    url = parse(beforeFragment);
  } catch (err) {
    if (!(err instanceof GoURLError)) throw err;
    return { error: `parse ${goQuote(beforeFragment)}: ${err.message}` };
  }
  if (hash < 0) return { url };
  try {
    return { url: { ...url, fragment: unescape(raw.slice(hash + 1), 'fragment') } };
  } catch (err) {
    if (!(err instanceof GoURLError)) throw err;
    return { error: `parse ${goQuote(raw)}: ${err.message}` };
  }
}

function parse(raw: string): GoURL {
  if ([...raw].some((c) => c < ' ' || c === '\x7f')) throw new GoURLError('net/url: invalid control character in URL');
  if (raw === '*') return { scheme: '', opaque: '', host: '', path: '*', rawQuery: '', fragment: '' };
  let [scheme, rest] = splitScheme(raw);
  scheme = scheme.toLowerCase();
  let rawQuery = '';
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) [rest, rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { scheme, opaque: rest, host: '', path: '', rawQuery, fragment: '' };
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) throw new GoURLError('first path segment in URL cannot contain colon');
  }
  let host = '';
  let user: string | undefined;
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    [authority, rest] = slash < 0 ? [authority, ''] : [authority.slice(0, slash), authority.slice(slash)];
    const at = authority.lastIndexOf('@');
    host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      user = authority.slice(0, at);
      if (![...user].every((c) => ALNUM.test(c) || USERINFO_CHARS.has(c))) throw new GoURLError('net/url: invalid userinfo');
      const colon = user.indexOf(':');
      for (const part of colon < 0 ? [user] : [user.slice(0, colon), user.slice(colon + 1)]) unescape(part, 'userinfo');
    }
  }
  unescape(rest, 'path');
  return { scheme, opaque: '', ...(user !== undefined ? { user } : {}), host, path: rest, rawQuery, fragment: '' };
}

/** Go's `getScheme`: `[scheme, rest]`, the scheme empty when there is none. */
function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoURLError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's `parseHost`: the port must be digits, an IPv6 literal needs its `]`, and the rest must be a valid host. */
function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new GoURLError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new GoURLError(`invalid port ${goQuote(colonPort)} after host`);
    // an RFC 6874 zone (`%25…`) may hold any escaped byte
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, close), 'zone') + unescape(host.slice(close), 'host');
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) throw new GoURLError(`invalid port ${goQuote(host.slice(colon))} after host`);
  }
  return unescape(host, 'host');
}

type EscapeMode = 'host' | 'zone' | 'path' | 'userinfo' | 'fragment';

/** Go's `unescape`: `%XX` must be well formed; a host allows escapes of non-ASCII bytes only and no reserved characters. */
function unescape(s: string, mode: EscapeMode): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !HEX.test(s[i + 1]!) || !HEX.test(s[i + 2]!)) throw new GoURLError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      const escape = s.slice(i, i + 3);
      const value = parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === 'host' && value < 0x80 && escape !== '%25') throw new GoURLError(`invalid URL escape ${goQuote(escape)}`);
      if (mode === 'zone') {
        const ch = String.fromCharCode(value);
        if (escape !== '%25' && value !== 0x20 && !(ALNUM.test(ch) || HOST_CHARS.has(ch))) throw new GoURLError(`invalid URL escape ${goQuote(escape)}`);
      }
      bytes.push(value);
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && !ALNUM.test(c) && !HOST_CHARS.has(c)) {
      throw new GoURLError(`invalid character ${goQuote(c)} in host name`);
    }
    const code = s.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    bytes.push(...Buffer.from(char, 'utf8'));
    i += char.length;
  }
  return Buffer.from(bytes).toString('utf8');
}
