import { X509Certificate } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import * as zlib from 'node:zlib';
import { type PushableWatch, type WatchSink, isPushableWatch } from '../watch/watch-stream';
import type { ApiRequest, ApiResponse, ApiStreamResponse } from './api-request';
import { isStreamResponse } from './api-request';

/** What the Node server needs from the API server. */
export interface RequestHandler {
  handle(request: ApiRequest): Promise<ApiResponse>;
}

/** A body exceeding the limit: the handler maps it to a 413 Status. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`the request body is larger than the limit of ${limit} bytes`);
  }
}

export interface SecureServingOptions {
  readonly bindAddress: string;
  readonly port: number;
  /** PEM serving certificate and key */
  readonly cert: string;
  readonly key: string;
  /** PEM CAs whose client certificates are requested and verified by the authenticators */
  readonly clientCAs?: string;
}

/**
 * Serves the handler over TLS with HTTP/2 and HTTP/1.1 on the same port
 * (ALPN), as kube-apiserver does: client-go multiplexes its watches over one
 * HTTP/2 connection. Client certificates are requested but not required, so
 * token users work too.
 *
 * HTTP/2 streams are served on Node's core stream API rather than its
 * HTTP/1-style compatibility layer, whose request and response objects cost
 * ~2 KB a stream — held for its whole life by every watch.
 */
export class SecureServer {
  private server: http2.Http2SecureServer | undefined;
  private readonly connections = new Set<TLSSocket>();
  /** the client certificates and address of a connection (an HTTP/1.1 socket or an HTTP/2 session), read once */
  private readonly peers = new WeakMap<object, Peer>();

  constructor(
    private readonly options: SecureServingOptions,
    private readonly handler: RequestHandler,
  ) {}

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const server = http2.createSecureServer({
      allowHTTP1: true,
      cert: this.options.cert,
      key: this.options.key,
      ...(this.options.clientCAs ? { ca: this.options.clientCAs, requestCert: true, rejectUnauthorized: false } : {}),
      settings: { maxConcurrentStreams: 10_000 },
      // watches are long-lived: no idle timeout on the session
      minVersion: 'TLSv1.2',
    });
    // Node puts its compatibility layer on every HTTP/2 stream once a 'request' listener exists
    // (a 'newListener' hook); HTTP/1.1 needs that listener, HTTP/2 is served from 'stream'
    for (const hook of server.listeners('newListener')) {
      if (hook.name === 'setupCompat') server.off('newListener', hook as (...args: unknown[]) => void);
    }
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.serve(new Http1Exchange(req, res));
    });
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      void this.serve(new Http2Exchange(stream, headers));
    });
    if (server.listeners('stream').length !== 1) throw new Error('the HTTP/2 compatibility layer is attached to the server');
    server.on('secureConnection', (socket: TLSSocket) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
    });
    server.on('sessionError', () => {});
    server.on('tlsClientError', () => {});
    server.setTimeout(0);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Stops accepting connections and closes open ones (watches end). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // HTTP/2 sessions and HTTP/1.1 keep-alive sockets would hold close() open
      for (const socket of this.connections) socket.destroy();
    });
  }

  private peerOf(exchange: Exchange): Peer {
    let peer = this.peers.get(exchange.connection);
    if (!peer) {
      const socket = exchange.socket;
      peer = { peerCertificates: peerChain(socket), remoteAddress: socket.remoteAddress };
      this.peers.set(exchange.connection, peer);
    }
    return peer;
  }

  private serve(exchange: Exchange): Promise<void> {
    const request = new IncomingApiRequest(exchange, this.peerOf(exchange));
    const onClose = () => request.clientGone();
    exchange.events.on('close', onClose);
    let handled: Promise<ApiResponse>;
    try {
      handled = Promise.resolve(this.handler.handle(request));
    } catch (err) {
      handled = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return handled.then(
      (response) => {
        if (isStreamResponse(response)) {
          // the stream's own close handling takes over; the request is kept only if its signal is in use
          if (!request.signalInUse) exchange.events.off('close', onClose);
          if (isPushableWatch(response.stream)) return pushTo(exchange, response, response.stream, request.gone);
          return pump(exchange, response);
        }
        // the request is done: its 'close' must not abort the signal (an abort builds a DOMException)
        exchange.events.off('close', onClose);
        if (request.gone) return;
        if (request.method !== 'HEAD' && byteLength(response.body) > GZIP_THRESHOLD_BYTES && acceptsGzip(request.headers['accept-encoding'])) {
          return gzipped(response.body).then(
            (body) => {
              if (!request.gone) exchange.respond(response.status, withCacheControl(withGzipEncoding(response.headers)), body);
            },
            // zlib failing (out of memory): the body as it is
            () => {
              if (!request.gone) exchange.respond(response.status, withCacheControl(response.headers), response.body);
            },
          );
        }
        exchange.respond(response.status, withCacheControl(response.headers), response.body);
      },
      (err: unknown) => {
        // the handler turns every error into a Status; this is a last resort
        exchange.events.off('close', onClose);
        if (request.gone) return;
        exchange.respond(500, withCacheControl({ 'content-type': 'text/plain' }), `internal error: ${String(err)}`);
      },
    );
  }
}

interface Peer {
  readonly peerCertificates: X509Certificate[] | undefined;
  readonly remoteAddress: string | undefined;
}

/** A request body as it arrives: an HTTP/1.1 request or an HTTP/2 stream. */
type BodySource = Readable;

/** One request and its response, over HTTP/1.1 or on an HTTP/2 stream. */
interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly contentLength: string | undefined;
  /** the request headers, lower-case, without HTTP/2 pseudo-headers; handed over once (a watch need not keep them) */
  requestHeaders(): Record<string, string | readonly string[] | undefined>;
  /** the TLS connection (for HTTP/2 its session), to read its peer once */
  readonly connection: object;
  readonly socket: TLSSocket;
  readonly body: BodySource;
  /** emits 'close' (the exchange is over: answered, or the client went away) and 'drain' */
  readonly events: EventEmitter;
  /** a complete response */
  respond(status: number, headers: Record<string, string | string[]>, body: string | Uint8Array): void;
  /** the head of a streamed response, sent at once */
  head(status: number, headers: Record<string, string | string[]>): void;
  write(chunk: string | Uint8Array): boolean;
  end(): void;
  readonly ended: boolean;
  /** the response as a writable (write, end), for a pushed watch */
  readonly sink: WatchSink;
}

class Http1Exchange implements Exchange {
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}

  get method(): string {
    return this.req.method ?? 'GET';
  }
  get url(): string {
    return this.req.url ?? '/';
  }
  requestHeaders(): IncomingHttpHeaders {
    // Node lower-cases HTTP/1.1 header names already
    return this.req.headers;
  }
  get contentLength(): string | undefined {
    return this.req.headers['content-length'];
  }
  get connection(): object {
    return this.req.socket;
  }
  get socket(): TLSSocket {
    return this.req.socket as TLSSocket;
  }
  get body(): BodySource {
    return this.req;
  }
  get events(): EventEmitter {
    return this.res;
  }
  get ended(): boolean {
    return this.res.writableEnded;
  }
  get sink(): WatchSink {
    return this.res;
  }

  respond(status: number, headers: Record<string, string | string[]>, body: string | Uint8Array): void {
    this.res.writeHead(status, headers);
    this.res.end(body);
  }

  head(status: number, headers: Record<string, string | string[]>): void {
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  write(chunk: string | Uint8Array): boolean {
    return this.res.write(chunk);
  }

  end(): void {
    this.res.end();
  }
}

class Http2Exchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly contentLength: string | undefined;
  private headers: http2.IncomingHttpHeaders | undefined;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
  ) {
    this.method = headers[':method'] ?? 'GET';
    this.url = headers[':path'] ?? '/';
    this.contentLength = headers['content-length'];
    this.headers = headers;
    // a stream reset by the client with an error code emits 'error': with no listener it would take
    // the process down; it only ends this exchange ('close' follows)
    stream.on('error', ignoreStreamError);
  }

  requestHeaders(): Record<string, string | readonly string[] | undefined> {
    const headers = normalizeHeaders(this.headers ?? {});
    this.headers = undefined;
    return headers;
  }
  get connection(): object {
    return this.stream.session ?? this.stream;
  }
  get socket(): TLSSocket {
    // the session's socket is a proxy of the TLS socket: enough to read the peer
    return this.stream.session?.socket as TLSSocket;
  }
  get body(): BodySource {
    return this.stream;
  }
  get events(): EventEmitter {
    return this.stream;
  }
  get ended(): boolean {
    return this.stream.writableEnded;
  }
  get sink(): WatchSink {
    return this.stream;
  }

  respond(status: number, headers: Record<string, string | string[]>, body: string | Uint8Array): void {
    if (this.stream.destroyed || this.stream.closed) return;
    const headOnly = this.method === 'HEAD';
    this.stream.respond({ ...headers, ':status': status }, { endStream: headOnly });
    // Node ends the stream itself for statuses without a body (204, 205, 304)
    if (!this.stream.writableEnded) this.stream.end(body);
    // a body the handler did not read must not hold the stream open
    if (!this.stream.readableEnded) this.stream.resume();
  }

  head(status: number, headers: Record<string, string | string[]>): void {
    this.stream.respond({ ...headers, ':status': status });
  }

  write(chunk: string | Uint8Array): boolean {
    return this.stream.write(chunk);
  }

  end(): void {
    if (!this.stream.destroyed) this.stream.end();
  }
}

/**
 * A request from the network. Its AbortSignal is made on first use: most
 * requests never look at it, and a watch would hold one (an EventTarget with
 * its maps, ~650 bytes) for its whole life.
 */
class IncomingApiRequest implements ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | readonly string[] | undefined>;
  declare readonly peerCertificates?: readonly X509Certificate[];
  declare readonly remoteAddress?: string;
  gone = false;
  private abort: AbortController | undefined;

  constructor(
    private readonly exchange: Exchange,
    peer: Peer,
  ) {
    this.method = exchange.method;
    this.url = exchange.url;
    this.headers = exchange.requestHeaders();
    if (peer.peerCertificates) (this as { peerCertificates?: readonly X509Certificate[] }).peerCertificates = peer.peerCertificates;
    if (peer.remoteAddress !== undefined) (this as { remoteAddress?: string }).remoteAddress = peer.remoteAddress;
  }

  /** Whether the signal was handed out (someone may listen to it). */
  get signalInUse(): boolean {
    return this.abort !== undefined;
  }

  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.gone) this.abort.abort();
    }
    return this.abort.signal;
  }

  readBody(maxBytes: number): Promise<Uint8Array> {
    const declared = this.exchange.contentLength;
    return readBody(this.exchange.body, declared, maxBytes);
  }

  /** The client went away before the response was complete. */
  clientGone(): void {
    this.gone = true;
    this.abort?.abort();
  }
}

/**
 * Serves a pushable stream (a watch): the watch cache writes each event's
 * shared bytes to the exchange as it dispatches it — no promise, task or copy
 * per watcher per event. A full transport buffer holds the watch's lines back
 * until 'drain'; the client going away (`close`) releases the stream.
 */
function pushTo(exchange: Exchange, response: ApiStreamResponse, stream: PushableWatch, gone: boolean): void {
  if (gone) {
    // the client left while the watch was being set up: its 'close' has fired already
    void stream.return();
    return;
  }
  try {
    // the head goes out at once: clients wait for it before the first event
    exchange.head(response.status, withCacheControl(response.headers));
  } catch {
    void stream.return();
    if (!exchange.ended) exchange.end();
    return;
  }
  const events = exchange.events;
  const onDrain = () => stream.resume();
  // the watch ending ends the response, which closes the exchange too
  const onClose = () => {
    events.off('close', onClose);
    events.off('drain', onDrain);
    void stream.return();
  };
  events.on('close', onClose);
  events.on('drain', onDrain);
  // the response itself is the sink: the fan-out writes straight to it
  stream.pushTo(exchange.sink);
}

/**
 * Writes a streamed response as its chunks come, with backpressure.
 * The client going away (`close`) releases the stream through `return()`.
 * Plain listeners rather than `once` and an AbortSignal: a watch holds them
 * for its whole life, and there may be tens of thousands.
 */
async function pump(exchange: Exchange, response: ApiStreamResponse): Promise<void> {
  const iterator = response.stream[Symbol.asyncIterator]();
  const events = exchange.events;
  let gone = false;
  let drained: (() => void) | undefined;
  const onDrain = () => {
    const resume = drained;
    drained = undefined;
    resume?.();
  };
  const onGone = () => {
    gone = true;
    void iterator.return?.();
    onDrain();
  };
  events.on('close', onGone);
  events.on('drain', onDrain);
  try {
    // the head goes out at once: clients wait for it before the first event
    exchange.head(response.status, withCacheControl(response.headers));
    while (!gone) {
      const next = await iterator.next();
      if (next.done || gone) break;
      if (!exchange.write(next.value)) await new Promise<void>((resolve) => (drained = resolve));
    }
  } catch {
    // the stream failed after the headers were sent: end the response
  } finally {
    events.off('close', onGone);
    events.off('drain', onDrain);
    // released once: by onGone when the client went away, here otherwise
    if (!gone) await iterator.return?.();
    if (!exchange.ended) exchange.end();
  }
}

/** See `Http2Exchange`: a stream's error ends only that stream. */
function ignoreStreamError(): void {}

function normalizeHeaders(headers: IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string | readonly string[] | undefined> {
  const out: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':')) continue;
    out[name.toLowerCase()] = value;
  }
  return out;
}

function peerChain(socket: TLSSocket): X509Certificate[] | undefined {
  if (typeof socket.getPeerX509Certificate !== 'function') return undefined;
  const leaf = socket.getPeerX509Certificate();
  if (!leaf) return undefined;
  const chain = [leaf];
  // the raw chain is available through getPeerCertificate(true).issuerCertificate
  let detailed = socket.getPeerCertificate(true) as { issuerCertificate?: { raw?: Buffer; issuerCertificate?: unknown } } | undefined;
  for (let i = 0; i < 5 && detailed?.issuerCertificate?.raw; i++) {
    const issuer = detailed.issuerCertificate;
    if (issuer === detailed) break;
    try {
      chain.push(new X509Certificate(issuer.raw!));
    } catch {
      break;
    }
    detailed = issuer as typeof detailed;
  }
  return chain;
}

/**
 * Reads a request body up to `maxBytes`. Beyond, the rest is drained unread and
 * the promise rejects with BodyTooLargeError (a 413 still reaches the client).
 * Plain listeners rather than an async iterator: it is on every write's path.
 */
function readBody(req: BodySource, contentLength: string | undefined, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(contentLength ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onClose);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      settle();
      req.resume();
      reject(new BodyTooLargeError(maxBytes));
    };
    // An HTTP/2 body is complete at END_STREAM, even if the client resets the stream afterwards (Node's
    // own client does: its close() ends the body first); a reset before END_STREAM reports 'aborted'
    // first, and a body shorter than its declared content-length is a stream error ('aborted' too).
    const onEnd = () => {
      settle();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      settle();
      reject(err);
    };
    const onClose = () => {
      settle();
      reject(new Error('the client went away before the request body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onClose);
    req.on('close', onClose);
  });
}

/**
 * Complete responses larger than this are gzipped for clients that accept it
 * (kube-apiserver's APIResponseCompression, on by default: client-go asks for
 * gzip, so large lists reach kubectl compressed).
 */
const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** Whether `Accept-Encoding` lists `gzip`, as kube-apiserver reads it: a bare `gzip` token (`gzip;q=…` is not one). */
function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = typeof header === 'string' ? header : header.join(',');
  return value.split(',').some((token) => token.trim() === 'gzip');
}

/**
 * The body's size in bytes, or its length in UTF-16 units when that decides
 * the threshold as well (each unit is one to three bytes of UTF-8).
 */
function byteLength(body: string | Uint8Array): number {
  if (typeof body !== 'string') return body.byteLength;
  return body.length > GZIP_THRESHOLD_BYTES || body.length * 3 <= GZIP_THRESHOLD_BYTES ? body.length : Buffer.byteLength(body);
}

/** The body gzipped at kube-apiserver's level (1, the fastest) on the thread pool, off the event loop. */
function gzipped(body: string | Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.gzip(body, { level: 1 }, (err, result) => (err ? reject(err) : resolve(result))));
}

function withGzipEncoding(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const vary = headers['vary'];
  const varies = vary === undefined ? 'Accept-Encoding' : [...(typeof vary === 'string' ? [vary] : vary), 'Accept-Encoding'];
  const { 'content-length': _length, ...rest } = headers;
  return { ...rest, 'content-encoding': 'gzip', vary: varies };
}

/**
 * Responses are not to be cached by intermediaries unless they say otherwise,
 * as kube-apiserver's `WithCacheControl` filter sets on every response.
 */
function withCacheControl(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return 'cache-control' in headers ? headers : { ...headers, 'cache-control': 'no-cache, private' };
}
