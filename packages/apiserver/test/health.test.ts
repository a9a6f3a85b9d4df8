import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer } from './harness';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await t.stop();
});

async function get(path: string) {
  const r = await t.request('GET', path, undefined, { authorization: '' });
  return { status: r.status, text: String((r as { body?: unknown }).body), type: r.headers['content-type'] };
}

describe('health endpoints (/healthz, /livez, /readyz) with upstream checks and output', () => {
  it('lists the checks with ?verbose and answers ok without', async () => {
    expect(await get('/readyz?verbose')).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      text: '[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\nreadyz check passed\n',
    });
    expect(await get('/livez?verbose')).toMatchObject({ status: 200, text: '[+]ping ok\n[+]etcd ok\nlivez check passed\n' });
    expect(await get('/healthz')).toMatchObject({ status: 200, text: 'ok' });
    expect(await get('/readyz/informer-sync')).toMatchObject({ status: 200, text: 'ok' });
    expect(await get('/healthz/nonexistent')).toMatchObject({ status: 404 });
  });

  it('fails the storage checks when the store does not answer, withholding the reason except on the check itself', async () => {
    vi.spyOn(t.store, 'currentRevision').mockRejectedValue(new Error('etcdserver: request timed out'));
    expect(await get('/healthz')).toMatchObject({ status: 500, text: '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n' });
    expect(await get('/readyz')).toMatchObject({
      status: 500,
      text: '[+]ping ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n',
    });
    expect(await get('/readyz/etcd')).toMatchObject({ status: 500, text: 'internal server error: etcdserver: request timed out\n' });
    // a load balancer may exclude checks; names no check has are reported
    expect(await get('/readyz?exclude=etcd&exclude=etcd-readiness&exclude=nope')).toMatchObject({ status: 200, text: 'ok' });
    expect(await get('/readyz?verbose&exclude=etcd&exclude=etcd-readiness&exclude=nope')).toMatchObject({
      status: 200,
      text: '[+]ping ok\n[+]etcd excluded: ok\n[+]etcd-readiness excluded: ok\n[+]informer-sync ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n',
    });
  });

  it('fails the storage check of a store that hangs after 2 s', async () => {
    vi.spyOn(t.store, 'currentRevision').mockReturnValue(new Promise<number>(() => undefined));
    expect(await get('/livez/etcd')).toMatchObject({ status: 500, text: 'internal server error: the storage did not answer within 2s\n' });
  });

  it('answers under a logical cluster path too', async () => {
    const r = await t.request('GET', '/clusters/root/livez');
    expect([r.status, (r as { body?: unknown }).body]).toEqual([200, 'ok']);
  });
});
