import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateCA, issueCertificate, type CertificateAndKey } from '../pki/pki';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Obj } from '../registry/types';
import { WatchStream } from '../watch/watch-stream';
import type { ApiRequest, ApiResponse } from './api-request';
import { BodyTooLargeError, SecureServer } from './node-server';

let ca: CertificateAndKey;
let serving: CertificateAndKey;
beforeAll(async () => {
  ca = await generateCA('node-server-test-ca');
  serving = await issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
});

/** A SecureServer whose handler is `handle`, for the duration of the tests of one describe. */
function serverWith(handle: (request: ApiRequest) => Promise<ApiResponse> | ApiResponse) {
  const state = { port: 0, server: undefined as SecureServer | undefined };
  beforeAll(async () => {
    state.server = new SecureServer({ bindAddress: '127.0.0.1', port: 0, cert: serving.cert, key: serving.key }, { handle: (r) => handle(r) as Promise<ApiResponse> });
    state.port = (await state.server.listen()).port;
  });
  afterAll(async () => {
    await state.server?.close();
  });
  return state;
}

function http1(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, headers, ca: ca.cert, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function h2Session(port: number): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.cert });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

/** One complete request on an HTTP/2 session: the response headers and the body as text. */
function h2Exchange(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<{ head: http2.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let head: http2.IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (c: string) => (body += c));
    stream.on('end', () => resolve({ head, body }));
    stream.on('error', reject);
  });
}

describe('SecureServer complete responses', () => {
  const seen: ApiRequest[] = [];
  const t = serverWith((request) => {
    seen.push(request);
    if (request.url === '/throw') throw new Error('sync failure');
    if (request.url === '/reject') return Promise.reject(new Error('async failure'));
    if (request.url === '/warn') return Promise.resolve({ status: 200, headers: { warning: ['299 - "one"', '299 - "two"'] }, body: 'not for HEAD' });
    const bodiless = /^\/status\/(\d+)$/.exec(request.url);
    if (bodiless) return { status: Number(bodiless[1]), headers: { etag: '"e1"' }, body: '' };
    return { status: 200, headers: { 'content-type': 'text/plain', 'x-test': 'yes' }, body: `${request.method} ${request.url}` };
  });

  it.each([
    ['HTTP/1.1', async (path: string, headers: Record<string, string>) => http1(t.port, 'GET', path, headers)],
    [
      'HTTP/2',
      async (path: string, headers: Record<string, string>) => {
        const session = await h2Session(t.port);
        try {
          const { head, body } = await h2Exchange(session, { ':path': path, ...headers });
          return { status: Number(head[':status']), headers: head as Record<string, unknown>, body };
        } finally {
          session.close();
        }
      },
    ],
  ])('serves %s with the request as the handler sees it', async (_protocol, get) => {
    seen.length = 0;
    const response = await get('/clusters/root/api?x=1', { 'X-Custom': 'v' });
    expect(response.status).toBe(200);
    expect(response.headers['x-test']).toBe('yes');
    // as kube-apiserver's WithCacheControl, on every response that sets none of its own
    expect(response.headers['cache-control']).toBe('no-cache, private');
    expect(response.body).toBe('GET /clusters/root/api?x=1');
    const request = seen[0]!;
    expect(request.headers['x-custom']).toBe('v');
    expect(Object.keys(request.headers).filter((h) => h.startsWith(':'))).toEqual([]);
    expect(request.remoteAddress).toMatch(/127\.0\.0\.1$/);
    expect(request.peerCertificates).toBeUndefined();
    expect(request.signal.aborted).toBe(false);
  });

  it('sends repeated headers and no body for HEAD over HTTP/2', async () => {
    const session = await h2Session(t.port);
    try {
      const { head, body } = await h2Exchange(session, { ':method': 'HEAD', ':path': '/warn' });
      expect(head[':status']).toBe(200);
      expect(head['warning']).toBe('299 - "one", 299 - "two"');
      expect(body).toBe('');
    } finally {
      session.close();
    }
  });

  it.each([204, 205, 304])('answers %i over HTTP/2 without a body, and goes on serving (Node ends such streams itself)', async (status) => {
    const session = await h2Session(t.port);
    try {
      for (let i = 0; i < 2; i++) {
        const { head, body } = await h2Exchange(session, { ':path': `/status/${status}`, 'if-none-match': '"e1"' });
        expect([head[':status'], head['etag'], body]).toEqual([status, '"e1"', '']);
      }
    } finally {
      session.close();
    }
  });

  it.each(['/throw', '/reject'])('answers 500 when the handler fails (%s)', async (path) => {
    const response = await http1(t.port, 'GET', path);
    expect(response.status).toBe(500);
    expect(response.body).toMatch(/^internal error: Error: (sync|async) failure$/);
  });
});

/** A GET whose body is read as bytes (a gzipped body is not text). */
function http1Bytes(port: number, path: string, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method: 'GET', path, headers, ca: ca.cert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('SecureServer response compression', () => {
  const bodies: Record<string, string> = {
    '/large': JSON.stringify({ items: Array.from({ length: 3000 }, (_, i) => ({ name: `item-${i}`, data: 'x'.repeat(40) })) }),
    '/small': JSON.stringify({ items: [] }),
    // 100,000 bytes of UTF-8 in 50,000 characters: under the threshold; 140,000 bytes over it
    '/accents-under': 'é'.repeat(50_000),
    '/accents-over': 'é'.repeat(70_000),
  };
  const t = serverWith((request) => ({ status: 200, headers: { 'content-type': 'application/json', vary: 'Accept' }, body: bodies[request.url]! }));

  it('gzips a complete response over 128 KiB for a client that accepts gzip, as kube-apiserver does', async () => {
    expect(bodies['/large']!.length).toBeGreaterThan(128 * 1024);
    const r = await http1Bytes(t.port, '/large', { 'accept-encoding': 'gzip, deflate' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['vary']).toBe('Accept, Accept-Encoding');
    expect(r.body.length).toBeLessThan(bodies['/large']!.length / 10);
    expect(zlib.gunzipSync(r.body).toString()).toBe(bodies['/large']);

    const session = await h2Session(t.port);
    try {
      const stream = session.request({ ':path': '/accents-over', 'accept-encoding': 'gzip' });
      const chunks: Buffer[] = [];
      const head = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        let h: http2.IncomingHttpHeaders = {};
        stream.on('response', (x) => (h = x));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(h));
        stream.on('error', reject);
      });
      expect(head['content-encoding']).toBe('gzip');
      expect(zlib.gunzipSync(Buffer.concat(chunks)).toString()).toBe(bodies['/accents-over']);
    } finally {
      session.close();
    }
  });

  it('sends the body as it is without gzip in Accept-Encoding, under 128 KiB of UTF-8, or for gzip with parameters', async () => {
    for (const [path, headers] of [
      ['/large', {}],
      ['/large', { 'accept-encoding': 'deflate, br' }],
      ['/large', { 'accept-encoding': 'gzip;q=1' }],
      ['/small', { 'accept-encoding': 'gzip' }],
      ['/accents-under', { 'accept-encoding': 'gzip' }],
    ] as const) {
      const r = await http1Bytes(t.port, path, headers);
      expect(r.headers['content-encoding'], `${path} ${JSON.stringify(headers)}`).toBeUndefined();
      expect(r.headers['vary']).toBe('Accept');
      expect(r.body.toString()).toBe(bodies[path]);
    }
  });
});

describe('SecureServer streamed responses', () => {
  const released: Array<() => void> = [];
  const events: string[] = [];
  let push: ((line: string) => void) | undefined;
  let started: (() => void) | undefined;
  const t = serverWith((request) => {
    if (request.url === '/wait-for-abort') {
      started?.();
      return new Promise<ApiResponse>((resolve) => {
        request.signal.addEventListener('abort', () => {
          events.push('aborted');
          released.shift()?.();
          resolve({ status: 499, headers: {}, body: '' });
        });
      });
    }
    // a hand-written iterator like WatchStream: return() takes effect while next() is pending
    const lines: string[] = [];
    let waiting: ((result: IteratorResult<string>) => void) | undefined;
    push = (line) => {
      if (waiting) waiting({ value: line, done: false });
      else lines.push(line);
      waiting = undefined;
    };
    const stream: AsyncIterableIterator<string> = {
      next: () => (lines.length > 0 ? Promise.resolve({ value: lines.shift()!, done: false }) : new Promise((resolve) => (waiting = resolve))),
      return: () => {
        events.push('released');
        waiting?.({ value: undefined, done: true });
        released.shift()?.();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => stream,
    };
    return { status: 200, headers: { 'content-type': 'application/json' }, stream };
  });

  it('writes chunks as they come and releases the stream when the client goes away', async () => {
    events.length = 0;
    const session = await h2Session(t.port);
    const stream = session.request({ ':path': '/watch' });
    stream.setEncoding('utf8');
    const head = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
    expect(head[':status']).toBe(200);
    const received = new Promise<string>((resolve) => stream.once('data', resolve));
    push!('{"type":"ADDED"}\n');
    expect(await received).toBe('{"type":"ADDED"}\n');
    const release = new Promise<void>((resolve) => released.push(resolve));
    stream.close();
    await release;
    expect(events).toEqual(['released']);
    session.close();
  });

  it('aborts the request signal when the client leaves before the response', async () => {
    events.length = 0;
    const session = await h2Session(t.port);
    const handling = new Promise<void>((resolve) => (started = resolve));
    const stream = session.request({ ':path': '/wait-for-abort' });
    stream.on('error', () => {});
    await handling;
    const aborted = new Promise<void>((resolve) => released.push(resolve));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await aborted;
    expect(events).toEqual(['aborted']);
    session.close();
  });
});

describe('SecureServer pushed watches', () => {
  const closed: string[] = [];
  const streams: WatchStream[] = [];
  let leave: (() => void) | undefined;
  const t = serverWith(async (request) => {
    // a watch the client leaves while it is being set up: answered after its 'close'
    if (request.url === '/late') await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
    const stream = new WatchStream({
      cluster: 'root' as ClusterName,
      matches: () => true,
      encoder: { key: 'text', memoKey: (type) => `text|${type}`, encode: (type, o: Obj) => `${type} ${o.metadata.name ?? ''}\n`, bookmark: (rv) => `BOOKMARK ${rv}\n` },
      bookmarks: false,
      onClose: () => closed.push(request.url),
    });
    stream.push('first\n');
    streams.push(stream);
    leave?.();
    return { status: 200, headers: { 'content-type': 'application/json' }, stream };
  });

  it.each(['HTTP/2', 'HTTP/1.1'])('writes the queued and the later lines as they come over %s, and releases the watch when the client goes away', async (protocol) => {
    closed.length = 0;
    streams.length = 0;
    const received: string[] = [];
    let gone: () => void;
    let got: Promise<void>;
    let next: () => void = () => {};
    const arrived = () => new Promise<void>((resolve) => (next = resolve));
    if (protocol === 'HTTP/2') {
      const session = await h2Session(t.port);
      const stream = session.request({ ':path': '/watch' });
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (received.push(c), next()));
      got = arrived();
      await new Promise((resolve) => stream.once('response', resolve));
      gone = () => (stream.close(http2.constants.NGHTTP2_CANCEL), session.close());
    } else {
      got = arrived();
      const req = https.request({ host: '127.0.0.1', port: t.port, path: '/watch', ca: ca.cert, agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (received.push(c), next()));
      });
      req.on('error', () => {});
      req.end();
      gone = () => req.destroy();
    }
    await got;
    got = arrived();
    streams[0]!.push('second\n');
    await got;
    expect(received.join('')).toBe('first\nsecond\n');
    gone();
    await vi.waitFor(() => expect(closed).toEqual(['/watch']));
    expect(streams[0]!.push('third\n')).toBe(false);
  });

  it.each([
    ['CANCEL', http2.constants.NGHTTP2_CANCEL],
    ['INTERNAL_ERROR', http2.constants.NGHTTP2_INTERNAL_ERROR],
    ['PROTOCOL_ERROR', http2.constants.NGHTTP2_PROTOCOL_ERROR],
  ])('releases a watch whose client resets its stream with %s, and goes on serving', async (_name, code) => {
    closed.length = 0;
    streams.length = 0;
    const session = await h2Session(t.port);
    const stream = session.request({ ':path': '/watch' });
    stream.on('error', () => {});
    await new Promise((resolve) => stream.once('data', resolve));
    stream.close(code);
    await vi.waitFor(() => expect(closed).toEqual(['/watch']));
    // the server is still there
    const again = session.request({ ':path': '/watch' });
    again.setEncoding('utf8');
    expect(await new Promise((resolve) => again.once('data', resolve))).toBe('first\n');
    session.close();
  });

  it.each(['HTTP/2', 'HTTP/1.1'])('releases a watch whose client left over %s before it was answered', async (protocol) => {
    closed.length = 0;
    streams.length = 0;
    const answered = new Promise<void>((resolve) => (leave = resolve));
    if (protocol === 'HTTP/2') {
      const session = await h2Session(t.port);
      const stream = session.request({ ':path': '/late' });
      stream.on('error', () => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await answered;
      session.close();
    } else {
      const req = https.request({ host: '127.0.0.1', port: t.port, path: '/late', ca: ca.cert, agent: false });
      req.on('error', () => {});
      req.end();
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      await answered;
    }
    leave = undefined;
    await vi.waitFor(() => expect(closed).toEqual(['/late']));
  });
});

describe('SecureServer.close', () => {
  it.each(['HTTP/1.1', 'HTTP/2'])('ends open %s connections, watches included', async (protocol) => {
    let released = false;
    const stream: AsyncIterableIterator<string> = {
      next: () => new Promise<IteratorResult<string>>(() => {}),
      return: () => {
        released = true;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => stream,
    };
    const server = new SecureServer({ bindAddress: '127.0.0.1', port: 0, cert: serving.cert, key: serving.key }, {
      handle: (request) => Promise.resolve(request.url === '/watch' ? { status: 200, headers: {}, stream } : { status: 200, headers: {}, body: 'ok' }),
    });
    const { port } = await server.listen();
    let ended: Promise<unknown>;
    if (protocol === 'HTTP/2') {
      const session = await h2Session(port);
      session.on('error', () => {});
      const watch = session.request({ ':path': '/watch' });
      watch.on('error', () => {});
      await new Promise((resolve) => watch.once('response', resolve));
      ended = new Promise((resolve) => session.once('close', resolve));
    } else {
      // a keep-alive connection left idle after one request
      const agent = new https.Agent({ keepAlive: true, ca: ca.cert });
      await new Promise<void>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
      const socket = Object.values(agent.freeSockets).flat()[0]!;
      ended = new Promise((resolve) => socket.once('close', resolve));
    }
    await server.close();
    await ended;
    if (protocol === 'HTTP/2') expect(released).toBe(true);
  });
});

describe('SecureServer request bodies', () => {
  const outcomes: string[] = [];
  let outcome: (() => void) | undefined;
  let reading: (() => void) | undefined;
  const t = serverWith(async (request) => {
    reading?.();
    try {
      const body = await request.readBody(16);
      outcomes.push(`read ${Buffer.from(body).toString('utf8')}`);
      return { status: 201, headers: {}, body: Buffer.from(body).toString('utf8') };
    } catch (err) {
      outcomes.push(err instanceof BodyTooLargeError ? `too large, limit ${err.limit}` : `failed: ${(err as Error).message}`);
      return { status: 413, headers: {}, body: '' };
    } finally {
      outcome?.();
    }
  });

  /** A POST whose body is written in `chunks`, without a declared length. */
  function post(chunks: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: t.port, method: 'POST', path: '/', ca: ca.cert, agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it.each([
    ['in one piece', ['{"a":"b"}'], 201, 'read {"a":"b"}'],
    ['in pieces', ['{"a"', ':"b', '"}'], 201, 'read {"a":"b"}'],
    ['up to the limit exactly', ['0123456789', 'abcdef'], 201, 'read 0123456789abcdef'],
    ['beyond the limit', ['0123456789', 'abcdefg'], 413, 'too large, limit 16'],
  ])('reads a body sent %s', async (_how, chunks, status, seen) => {
    outcomes.length = 0;
    const response = await post(chunks);
    expect(response.status).toBe(status);
    expect(outcomes).toEqual([seen]);
  });

  it('reads a body sent in pieces over HTTP/2', async () => {
    outcomes.length = 0;
    const session = await h2Session(t.port);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/' });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
        stream.write('{"a"');
        setImmediate(() => stream.end(':"b"}'));
      });
      expect(status).toBe(201);
      expect(outcomes).toEqual(['read {"a":"b"}']);
    } finally {
      session.close();
    }
  });

  it('rejects when the client goes away before the body is complete', async () => {
    outcomes.length = 0;
    const handled = new Promise<void>((resolve) => (outcome = resolve));
    const started = new Promise<void>((resolve) => (reading = resolve));
    const req = https.request({ host: '127.0.0.1', port: t.port, method: 'POST', path: '/', ca: ca.cert, agent: false, headers: { 'content-length': '12' } });
    req.on('error', () => {});
    req.write('{"a"');
    await started;
    req.destroy();
    await handled;
    outcome = undefined;
    reading = undefined;
    expect(outcomes).toEqual(['failed: the client went away before the request body was complete']);
  });

  // client-go cancelling a request: RST_STREAM (CANCEL) before END_STREAM, no declared length
  it('rejects when an HTTP/2 client resets its stream before the body is complete', async () => {
    outcomes.length = 0;
    const handled = new Promise<void>((resolve) => (outcome = resolve));
    const started = new Promise<void>((resolve) => (reading = resolve));
    const session = await h2Session(t.port);
    try {
      const cancel = new AbortController();
      const stream = session.request({ ':method': 'POST', ':path': '/' }, { signal: cancel.signal });
      stream.on('error', () => {});
      stream.write('{"a"');
      await started;
      cancel.abort();
      await handled;
      expect(outcomes).toEqual(['failed: the client went away before the request body was complete']);
    } finally {
      outcome = undefined;
      reading = undefined;
      session.close();
    }
  });
});

describe('SecureServer client certificates', () => {
  it.each(['HTTP/1.1', 'HTTP/2'])('reach every request of a %s connection', async (protocol) => {
    const client = await issueCertificate(ca, { commonName: 'alice', organizations: ['devs'], usage: 'client' });
    const subjects: string[] = [];
    const server = new SecureServer({ bindAddress: '127.0.0.1', port: 0, cert: serving.cert, key: serving.key, clientCAs: ca.cert }, {
      handle: (request) => {
        subjects.push(request.peerCertificates?.[0]?.subject.replace(/\n/g, ',') ?? 'none');
        return Promise.resolve({ status: 200, headers: {}, body: 'ok' });
      },
    });
    const { port } = await server.listen();
    try {
      if (protocol === 'HTTP/2') {
        const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.cert, cert: client.cert, key: client.key });
        for (let i = 0; i < 2; i++) {
          await new Promise<void>((resolve, reject) => {
            const stream = session.request({ ':path': '/' });
            stream.on('error', reject);
            stream.resume();
            stream.on('end', resolve);
          });
        }
        session.close();
      } else {
        const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ca.cert, cert: client.cert, key: client.key });
        for (let i = 0; i < 2; i++) {
          await new Promise<void>((resolve, reject) => {
            https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
          });
        }
        agent.destroy();
      }
      expect(subjects).toEqual(['O=devs,CN=alice', 'O=devs,CN=alice']);
    } finally {
      await server.close();
    }
  });
});
