import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type TestServer,
  closeWatch,
  configMap,
  endsWithin,
  expectStatus,
  failure,
  readWatch,
  revisionOf,
  startBadInputServer,
} from './bad-input-helpers';

/**
 * Issue 4, lists and watches: bad selectors, misused list options, expired
 * and foreign continue tokens, watches from compacted or future revisions,
 * timeouts, bookmarks and selector transitions behave as kube-apiserver's.
 */
let t: TestServer;
const C = '/clusters/lists';
const CMS = `${C}/api/v1/namespaces/ns/configmaps`;
const MERGE = { 'content-type': 'application/merge-patch+json' };

beforeAll(async () => {
  // a short watch cache history, so that old revisions are served by the store; quick progress and bookmarks
  t = await startBadInputServer({ watchCacheHistory: 8, watchCacheProgressIntervalMs: 20, watchBookmarkIntervalMs: 20 });
  expect((await t.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'ns' } })).status).toBe(201);
  for (const name of ['a', 'b', 'c']) expect((await t.request('POST', CMS, configMap(name))).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

const listOptionsInvalid = (...causes: Array<{ reason: string; message: string; field: string }>) =>
  failure(
    422,
    'Invalid',
    `ListOptions.meta.k8s.io "" is invalid: ${causes.length === 1 ? `${causes[0]!.field}: ${causes[0]!.message}` : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`}`,
    { group: 'meta.k8s.io', kind: 'ListOptions', causes },
  );
const forbidden = (field: string, detail: string) => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field });
const notSupported = (field: string, value: string, supported: string[]) => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  field,
});

async function firstPageToken(): Promise<string> {
  const page = (await t.request('GET', `${CMS}?limit=1`)).json();
  expect(page.metadata.continue).toEqual(expect.any(String));
  return page.metadata.continue;
}

describe('bad list and watch options', () => {
  const cases: Array<{ name: string; query: () => Promise<string> | string; expected: Record<string, unknown> }> = [
    {
      name: 'an unterminated set in a label selector',
      query: () => `labelSelector=${encodeURIComponent('app in (a')}`,
      expected: failure(400, 'BadRequest', "unable to parse requirement: found '', expected: ',' or ')'"),
    },
    {
      name: 'two operators in a label selector',
      query: () => `labelSelector=${encodeURIComponent('x=a=b')}`,
      expected: failure(400, 'BadRequest', "found '=', expected: ',' or 'end of string'"),
    },
    {
      name: 'a field selector without operator',
      query: () => 'fieldSelector=metadata.name',
      expected: failure(400, 'BadRequest', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    },
    {
      // config maps have no field labels of their own: upstream's default conversion words the error
      name: 'an unsupported field label',
      query: () => 'fieldSelector=spec.foo%3Dx',
      expected: failure(400, 'BadRequest', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    },
    {
      name: 'an unsupported field label on a watch',
      query: () => 'watch=true&fieldSelector=data.k%3Dx',
      expected: failure(400, 'BadRequest', '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    },
    {
      name: 'continue with a resourceVersion',
      query: async () => `continue=${await firstPageToken()}&resourceVersion=5`,
      expected: failure(400, 'BadRequest', 'specifying resource version is not allowed when using continue'),
    },
    {
      name: 'a continue token the server did not issue',
      query: () => 'continue=abc',
      expected: failure(400, 'BadRequest', 'invalid continue token: not an encoded position'),
    },
    {
      name: 'a continue token that is not base64',
      query: () => 'continue=%25%25',
      expected: failure(400, 'BadRequest', 'invalid continue token: not base64url'),
    },
    {
      name: 'resourceVersionMatch without resourceVersion',
      query: () => 'resourceVersionMatch=NotOlderThan',
      expected: listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')),
    },
    {
      name: 'an unknown resourceVersionMatch',
      query: () => 'resourceVersion=1&resourceVersionMatch=Newest',
      expected: listOptionsInvalid(notSupported('resourceVersionMatch', 'Newest', ['Exact', 'NotOlderThan', ''])),
    },
    {
      name: 'resourceVersionMatch=Exact at resourceVersion 0',
      query: () => 'resourceVersion=0&resourceVersionMatch=Exact',
      expected: listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')),
    },
    {
      name: 'resourceVersionMatch with continue (every violation)',
      query: async () => `continue=${await firstPageToken()}&resourceVersionMatch=Exact`,
      expected: listOptionsInvalid(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'),
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'),
      ),
    },
    {
      name: 'sendInitialEvents on a list',
      query: () => 'sendInitialEvents=true',
      expected: listOptionsInvalid(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list')),
    },
    {
      name: 'sendInitialEvents without resourceVersionMatch=NotOlderThan',
      query: () => 'watch=true&sendInitialEvents=true',
      expected: listOptionsInvalid(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan')),
    },
    {
      name: 'resourceVersionMatch on a watch without sendInitialEvents',
      query: () => 'watch=true&resourceVersion=1&resourceVersionMatch=NotOlderThan',
      expected: listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided')),
    },
    {
      name: 'sendInitialEvents with resourceVersionMatch=Exact',
      query: () => 'watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&allowWatchBookmarks=true',
      expected: listOptionsInvalid(
        forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'),
        notSupported('resourceVersionMatch', 'Exact', ['NotOlderThan']),
      ),
    },
    ...[
      ['a limit that is not a number', 'limit=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['a limit in exponent notation', 'limit=1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
      ['a limit beyond int64', 'limit=9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
      ['a timeoutSeconds that is not an integer', 'watch=true&timeoutSeconds=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ].map(([name, query, message]) => ({ name: name!, query: () => query!, expected: failure(400, 'BadRequest', message!) })),
  ];

  it.each(cases)('$name', async ({ query, expected }) => {
    const q = await query();
    const before = await revisionOf(t);
    expectStatus(await t.request('GET', `${CMS}?${q}`), expected);
    expect(await revisionOf(t)).toBe(before);
    expect((await t.request('GET', CMS)).status).toBe(200);
  });

  it('takes every int64 limit: the largest is no limit, a negative one none either', async () => {
    for (const limit of ['9223372036854775807', '-5', '%2B2']) {
      const r = await t.request('GET', `${CMS}?limit=${limit}`);
      expect(r.status).toBe(200);
      expect(r.json().metadata.continue === undefined).toBe(limit !== '%2B2');
    }
  });

  it('ends a watch with a negative timeoutSeconds at once, and keeps one beyond a Node timer open', async () => {
    const ended = await t.request('GET', `${CMS}?watch=true&timeoutSeconds=-1&resourceVersion=${await revisionOf(t)}`);
    expect(ended.status).toBe(200);
    expect(await endsWithin(ended, 2_000)).toBe(true);
    // 3,000,000 s is past a Node timer's 24.8 days: set as it is, the timer would fire at once
    const long = await t.request('GET', `${CMS}?watch=true&timeoutSeconds=3000000&resourceVersion=${await revisionOf(t)}`);
    expect((await t.request('POST', CMS, configMap('after-long-watch'))).status).toBe(201);
    const { events, ended: longEnded } = await readWatch(long, 2, 1_000);
    expect(events.map((e: any) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED after-long-watch']);
    expect(longEnded).toBe(false);
    await closeWatch(long);
  });

  it('words an unsupported field label of a type with field labels of its own (secrets) as upstream: field label not supported', async () => {
    expectStatus(await t.request('GET', `${C}/api/v1/namespaces/ns/secrets?fieldSelector=data.k%3Dx`), failure(400, 'BadRequest', 'field label not supported: data.k'));
  });
});

describe('resourceVersions out of range', () => {
  it('answers a read at a revision the server has not reached with 504 and a ResourceVersionTooLarge cause', async () => {
    const current = await revisionOf(t);
    const future = current + 1000;
    expectStatus(
      await t.request('GET', `${CMS}/a?resourceVersion=${future}`),
      failure(504, 'Timeout', `Timeout: Too large resource version: ${future}, current: ${current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      }),
    );
  });

  it('answers an exact list at a compacted revision with 410', async () => {
    const old = (await t.request('GET', CMS)).json().metadata.resourceVersion;
    await t.request('POST', CMS, configMap('after-compaction-1'));
    await t.store.compact(await revisionOf(t));
    expectStatus(
      await t.request('GET', `${CMS}?resourceVersion=${old}&resourceVersionMatch=Exact`),
      failure(410, 'Expired', 'The resourceVersion for the provided list is too old.'),
    );
  });

  it('reads a paginated list at a resourceVersion without resourceVersionMatch exactly there (legacy exact), 410 once compacted', async () => {
    const before = (await t.request('GET', CMS)).json();
    await t.request('POST', CMS, configMap('legacy-exact-later'));
    const page = (await t.request('GET', `${CMS}?limit=1&resourceVersion=${before.metadata.resourceVersion}`)).json();
    expect(page.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(page.items.map((i: any) => i.metadata.name)).toEqual([before.items[0].metadata.name]);
    expect(page.metadata.continue).toEqual(expect.any(String));
    const rest = (await t.request('GET', `${CMS}?continue=${page.metadata.continue}`)).json();
    expect([...page.items, ...rest.items].map((i: any) => i.metadata.name)).toEqual(before.items.map((i: any) => i.metadata.name));
    // without limit, the same resourceVersion is NotOlderThan: the current list
    const current = (await t.request('GET', `${CMS}?resourceVersion=${before.metadata.resourceVersion}`)).json();
    expect(current.items.map((i: any) => i.metadata.name)).toContain('legacy-exact-later');
    await t.store.compact(await revisionOf(t));
    expectStatus(
      await t.request('GET', `${CMS}?limit=1&resourceVersion=${before.metadata.resourceVersion}`),
      failure(410, 'Expired', 'The resourceVersion for the provided list is too old.'),
    );
  });

  it('answers an expired continue token with 410 and a token that continues at the current revision', async () => {
    const token = await firstPageToken();
    await t.request('POST', CMS, configMap('zz-added-later'));
    await t.store.compact(await revisionOf(t));
    const r = await t.request('GET', `${CMS}?limit=2&continue=${token}`);
    expect(r.status).toBe(410);
    const status = r.json();
    expect(status).toEqual({
      ...failure(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      ),
      metadata: { continue: expect.any(String) },
    });
    // the inconsistent token resumes after the first page's last item, at the current revision
    const rest = (await t.request('GET', `${CMS}?continue=${status.metadata.continue}`)).json();
    expect(rest.items.map((i: any) => i.metadata.name)).toContain('zz-added-later');
    expect(rest.items.map((i: any) => i.metadata.name)).not.toContain('a');
  });
});

describe('watches', () => {
  it('answers a watch from a compacted revision with 200, one ERROR 410 event, and the end', async () => {
    // more writes than the cache history holds, then compaction: revision 2 is gone everywhere
    for (let i = 0; i < 12; i++) await t.request('PATCH', `${CMS}/b`, { data: { i: String(i) } }, MERGE);
    const compacted = await revisionOf(t);
    await t.store.compact(compacted);
    const r = await t.request('GET', `${CMS}?watch=true&resourceVersion=2`);
    expect(r.status).toBe(200);
    const { events, ended } = await readWatch(r, 2);
    expect(events).toEqual([{ type: 'ERROR', object: failure(410, 'Expired', `too old resource version: 2 (${compacted})`) }]);
    expect(ended).toBe(true);
  });

  it('waits for a resourceVersion the server has not reached yet, then streams what follows it', async () => {
    const current = await revisionOf(t);
    const r = await t.request('GET', `${CMS}?watch=true&resourceVersion=${current + 2}`);
    expect(r.status).toBe(200);
    await t.request('POST', CMS, configMap('future-1'));
    await t.request('POST', CMS, configMap('future-2'));
    await t.request('POST', CMS, configMap('future-3'));
    const { events } = await readWatch(r, 1);
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion])).toEqual([['ADDED', 'future-3', String(current + 3)]]);
    await closeWatch(r);
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const r = await t.request('GET', `${CMS}?watch=true&resourceVersion=${await revisionOf(t)}&timeoutSeconds=1`);
    expect(await endsWithin(r, 3_000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('sends bookmarks only to watches that allow them', async () => {
    const rv = await revisionOf(t);
    const withBookmarks = await t.request('GET', `${CMS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    const without = await t.request('GET', `${CMS}?watch=true&resourceVersion=${rv}`);
    const { events } = await readWatch(withBookmarks, 1);
    expect(events[0]).toEqual({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } } });
    expect(Number(events[0].object.metadata.resourceVersion)).toBeGreaterThanOrEqual(rv);
    await t.request('POST', CMS, configMap('after-bookmark'));
    const plain = await readWatch(without, 1);
    expect(plain.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'after-bookmark']]);
    await closeWatch(withBookmarks);
    await closeWatch(without);
  });

  it('streams initial events and ends them with an annotated bookmark (sendInitialEvents)', async () => {
    const query = `watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&fieldSelector=${encodeURIComponent('metadata.name=a')}`;
    const r = await t.request('GET', `${CMS}?${query}&allowWatchBookmarks=true`);
    const { events } = await readWatch(r, 2);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[0].object.metadata.name).toBe('a');
    expect(events[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    await closeWatch(r);
    // without bookmarks the initial events are not followed by one
    const plain = await t.request('GET', `${CMS}?${query}`);
    await t.request('PATCH', `${CMS}/a`, { data: { k: 'after-initial' } }, MERGE);
    const second = await readWatch(plain, 2);
    expect(second.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    await closeWatch(plain);
  });

  it('starts a watch without resourceVersion at once when the last write was to another resource', async () => {
    // a server whose caches hear of other resources' writes only from rare progress events
    const quiet = await startBadInputServer();
    try {
      expect((await quiet.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'ns' } })).status).toBe(201);
      expect((await quiet.request('POST', CMS, configMap('first'))).status).toBe(201);
      expect((await quiet.request('POST', `${C}/api/v1/namespaces`, { metadata: { name: 'written-last' } })).status).toBe(201);
      const r = await quiet.request('GET', `${CMS}?watch=true`);
      expect(r.status).toBe(200);
      await quiet.request('POST', CMS, configMap('second'));
      const { events } = await readWatch(r, 2);
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
        ['ADDED', 'first'],
        ['ADDED', 'second'],
      ]);
      await closeWatch(r);
      // the same for a consistent list
      expect((await quiet.request('GET', CMS)).json().items.map((i: any) => i.metadata.name)).toEqual(['first', 'second']);
    } finally {
      await quiet.stop();
    }
  });

  it('turns label selector transitions into ADDED and DELETED events', async () => {
    const r = await t.request('GET', `${CMS}?watch=true&resourceVersion=${await revisionOf(t)}&labelSelector=app%3Dweb`);
    await t.request('POST', CMS, configMap('moving'));
    await t.request('PATCH', `${CMS}/moving`, { metadata: { labels: { app: 'web' } } }, MERGE);
    await t.request('PATCH', `${CMS}/moving`, { data: { k: 'changed' } }, MERGE);
    await t.request('PATCH', `${CMS}/moving`, { metadata: { labels: { app: 'db' } } }, MERGE);
    await t.request('PATCH', `${CMS}/moving`, { metadata: { labels: { app: 'web' } } }, MERGE);
    const deleted = await t.request('DELETE', `${CMS}/moving`);
    expect(deleted.status).toBe(200);
    const { events } = await readWatch(r, 5);
    expect(events.map((e) => [e.type, e.object.metadata.labels?.app, e.object.data?.k])).toEqual([
      ['ADDED', 'web', 'v'],
      ['MODIFIED', 'web', 'changed'],
      // leaving the selection: the previous state, at the revision of the change
      ['DELETED', 'web', 'changed'],
      ['ADDED', 'web', 'changed'],
      ['DELETED', 'web', 'changed'],
    ]);
    const revisions = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...revisions].sort((x, y) => x - y)).toEqual(revisions);
    await closeWatch(r);
  });
});
