import { describe, expect, it } from 'vitest';
import { parseGoURL } from './go-url';

describe('parseGoURL', () => {
  it.each([
    ['https://example.com:8443/admit', { scheme: 'https', host: 'example.com:8443', path: '/admit' }],
    ['HTTPS://Example.com', { scheme: 'https', host: 'Example.com', path: '' }],
    ['https://u:p:q@[::1]:443/x?a=b#frag%20ment', { user: 'u:p:q', host: '[::1]:443', rawQuery: 'a=b', fragment: 'frag ment' }],
    ['https://@example.com/', { user: '', host: 'example.com' }],
    ['https:example.com', { scheme: 'https', opaque: 'example.com', host: '' }],
    ['https:///admit', { scheme: 'https', host: '', path: '/admit' }],
    ['https://example.com/?', { host: 'example.com', path: '/', rawQuery: '' }],
    ['//example.com/x', { scheme: '', host: 'example.com', path: '/x' }],
    ['', { scheme: '', host: '', path: '' }],
    ['https://h%C3%A9.example/', { host: 'hé.example' }],
  ])('%j', (raw, parts) => {
    const result = parseGoURL(raw);
    expect(result).toEqual({ url: expect.objectContaining(parts) });
  });

  it.each([
    [':foo', 'parse ":foo": missing protocol scheme'],
    ['https://exa mple.com', 'parse "https://exa mple.com": invalid character " " in host name'],
    ['https://example.com:https/', 'parse "https://example.com:https/": invalid port ":https" after host'],
    ['https://[::1/', `parse "https://[::1/": missing ']' in host`],
    ['https://[::1]x/', 'parse "https://[::1]x/": invalid port "x" after host'],
    ['https://example.com/%zz', 'parse "https://example.com/%zz": invalid URL escape "%zz"'],
    ['https://example.com/%4', 'parse "https://example.com/%4": invalid URL escape "%4"'],
    ['https://ex%41mple.com/', 'parse "https://ex%41mple.com/": invalid URL escape "%41"'],
    ['https://us er@example.com/', 'parse "https://us er@example.com/": net/url: invalid userinfo'],
    ['https://example.com/\n', 'parse "https://example.com/\\n": net/url: invalid control character in URL'],
    ['1a:b', 'parse "1a:b": first path segment in URL cannot contain colon'],
    // the fragment is cut off first: errors before it name the URL without it, errors in it the whole URL
    ['https://exa mple.com#top', 'parse "https://exa mple.com": invalid character " " in host name'],
    ['https://example.com/#%zz', 'parse "https://example.com/#%zz": invalid URL escape "%zz"'],
  ])('%j fails', (raw, error) => {
    expect(parseGoURL(raw)).toEqual({ error });
  });
});
