import { isDeepStrictEqual } from 'node:util';
import { isStatusError } from '@kcp-ts/apimachinery';
import { describe, expect, it } from 'vitest';
import { decodeJsonPatchBody, decodeRequestObject } from './body';
import { goJsonSyntaxError } from './go-json';

/** The outcome of a decoder: its value, or the status message (or the error class) it threw. */
function outcome(decode: () => unknown): unknown {
  try {
    return { value: decode() };
  } catch (err) {
    return isStatusError(err) ? { status: err.status.code, message: err.status.message } : { thrown: (err as Error).constructor.name };
  }
}

/** Go's scan first, then JSON.parse: the order in which every body used to be read. */
function scanThenParse(bytes: Uint8Array): { syntaxError: string } | { value: unknown } {
  const syntaxError = goJsonSyntaxError(bytes);
  if (syntaxError !== undefined) return { syntaxError };
  return { value: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown };
}

const seeds = [
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"b"}},"data":{"k":"v\\n\\"q\\"\\u00e9"}}',
  '[{"op":"add","path":"/data/k","value":[1,2.5e-3,-0,true,false,null]}]',
  ' {"a" : [ {"b":{}} , [] ] } ',
  '"text"',
  '12',
  'null',
];
// bytes that matter to one parser or the other: structure, escapes, numbers, literals, controls, UTF-8 lead and continuation bytes, a BOM
const alphabet = [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x22, 0x5c, 0x2f, 0x75, 0x62, 0x6e, 0x74, 0x66, 0x2e, 0x2d, 0x2b, 0x65, 0x45, 0x30, 0x31, 0x39, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x61, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x80, 0xa8, 0xef, 0xbb, 0xff, 0xf0];

function mutations(count: number): Uint8Array[] {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const bytes = [...Buffer.from(pick(seeds))];
    for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
      const at = Math.floor(random() * (bytes.length + 1));
      const kind = random();
      if (kind < 0.4) bytes.splice(at, 0, pick(alphabet));
      else if (kind < 0.7) bytes.splice(at, 1);
      else bytes[Math.min(at, bytes.length - 1)] = pick(alphabet);
    }
    out.push(Buffer.from(bytes));
  }
  return out;
}

describe('JSON bodies parsed before the Go-compatible scan', () => {
  const bodies = [...seeds.map((s) => Buffer.from(s)), ...mutations(20_000)];

  it('JSON.parse takes exactly the bodies Go’s scan takes', () => {
    let invalid = 0;
    const disagreements: string[] = [];
    for (const body of bodies) {
      let parses = true;
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        parses = false;
      }
      const syntaxError = goJsonSyntaxError(body);
      if (syntaxError !== undefined) invalid++;
      if (parses !== (syntaxError === undefined)) disagreements.push(`${body.toString('hex')}: JSON.parse ${parses ? 'takes' : 'refuses'} it, Go's scan: ${syntaxError ?? 'valid'}`);
    }
    expect(disagreements).toEqual([]);
    // the corpus exercises both sides
    expect(invalid).toBeGreaterThan(bodies.length / 4);
    expect(invalid).toBeLessThan(bodies.length - bodies.length / 10);
  });

  it('decode every body as scanning first did', () => {
    const patchReference = (read: ReturnType<typeof scanThenParse>) => {
      if ('syntaxError' in read) return { status: 400, message: read.syntaxError };
      return read.value === null ? { value: [] } : Array.isArray(read.value) ? { value: read.value } : { status: 400 };
    };
    const objectReference = (read: ReturnType<typeof scanThenParse>) => {
      if ('syntaxError' in read) return { status: 400, syntaxError: read.syntaxError };
      return { value: read.value };
    };
    // compared without expect() per body (100,000 of them took most of the 5 s a test may run on 2 cores); every mismatch is listed
    const mismatches: string[] = [];
    for (const body of bodies) {
      const mismatch = (what: string, got: unknown, want: unknown) => mismatches.push(`${body.toString('hex')} ${what}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
      const patch = outcome(() => decodeJsonPatchBody(body)) as { value?: unknown; status?: number; message?: string };
      const read = scanThenParse(body);
      const expectedPatch = patchReference(read);
      if (patch.status !== expectedPatch.status) mismatch('patch status', patch.status, expectedPatch.status);
      if ('message' in expectedPatch && patch.message !== expectedPatch.message) mismatch('patch message', patch.message, expectedPatch.message);
      if ('value' in expectedPatch && !isDeepStrictEqual(patch.value, expectedPatch.value)) mismatch('patch', patch.value, expectedPatch.value);

      const object = outcome(() => decodeRequestObject('application/json', body, { kind: 'ConfigMap', apiVersion: 'v1' })) as { value?: unknown; status?: number; message?: string };
      const expectedObject = objectReference(read);
      if ('syntaxError' in expectedObject) {
        if (!object.message?.includes(`json parse error: ${expectedObject.syntaxError} (`)) mismatch('object syntax error', object.message, expectedObject.syntaxError);
      } else if (typeof expectedObject.value === 'object' && expectedObject.value !== null && !Array.isArray(expectedObject.value) && object.value !== undefined) {
        if (!isDeepStrictEqual(object.value, expectedObject.value)) mismatch('object', object.value, expectedObject.value);
      } else if (/json parse error: (invalid character|unexpected end)/.test(object.message ?? '')) {
        // null, a scalar or an array: read, then refused (or taken as empty) for what it is, never as a syntax error
        mismatch('object refused as a syntax error', object.message, expectedObject.value);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('still scans first beyond 4 KiB (a deep document gives Go’s message there too)', () => {
    const deep = Buffer.from(`${'['.repeat(3000)}${']'.repeat(2999)}`);
    expect(outcome(() => decodeJsonPatchBody(deep))).toEqual({ status: 400, message: 'unexpected end of JSON input' });
    const valid = Buffer.from(`[${'{"op":"test","path":"/a","value":1},'.repeat(200)}{"op":"test","path":"/a","value":1}]`);
    expect(valid.length).toBeGreaterThan(4096);
    expect((outcome(() => decodeJsonPatchBody(valid)) as { value: unknown[] }).value).toHaveLength(201);
  });
});
