import { createMemoryStore } from '@kcp-ts/storage';
import { TokenAuthenticator, UnionAuthenticator } from '../src/auth/authentication';
import { ApiServer, type ApiServerOptions } from '../src/server/api-server';
import type { ApiResponse } from '../src/server/api-request';
import { isStreamResponse } from '../src/server/api-request';

export const ADMIN_TOKEN = 'admin-token';
export const USER_TOKEN = 'alice-token';

/** An ApiServer over an in-memory store, with an admin (system:masters) and a plain user token. */
export async function startTestServer(options: Partial<ApiServerOptions> = {}) {
  const store = createMemoryStore();
  const tokens = new TokenAuthenticator([
    [ADMIN_TOKEN, { username: 'admin', groups: ['system:masters'] }],
    [USER_TOKEN, { username: 'alice', groups: ['devs'] }],
  ]);
  const server = new ApiServer({ store, authenticator: new UnionAuthenticator([tokens]), externalAddress: '127.0.0.1:6443', ...options });
  const abort = new AbortController();
  const running = server.run(abort.signal);
  await server.whenReady();
  const request = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}, token = ADMIN_TOKEN) => {
    const bytes = body === undefined ? new Uint8Array() : typeof body === 'string' || body instanceof Uint8Array ? Buffer.from(body as string) : Buffer.from(JSON.stringify(body));
    const signal = new AbortController();
    const response = await server.handle({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      readBody: async (max) => {
        if (bytes.length > max) {
          const { BodyTooLargeError } = await import('../src/server/node-server');
          throw new BodyTooLargeError(max);
        }
        return bytes;
      },
      signal: signal.signal,
    });
    // a namespace is answered once its `default` service account is there: the controller's write must not
    // land in the middle of a later test that asserts nothing was written
    const createdNamespace = /^(\/clusters\/[^/]+)\/api\/v1\/namespaces$/.exec(url);
    if (method === 'POST' && createdNamespace && response.status === 201 && options.runControllers !== false) {
      const name = (decode(response) as { metadata: { name: string } }).metadata.name;
      await until(async () => (await server.handle(adminGet(`${createdNamespace[1]}/api/v1/namespaces/${name}/serviceaccounts/default`))).status === 200);
    }
    return { ...response, json: () => decode(response), abort: () => signal.abort() };
  };
  return {
    server,
    store,
    request,
    async stop() {
      abort.abort();
      await running;
      await store.close();
    },
  };
}

function adminGet(url: string) {
  const user = { username: 'harness', groups: ['system:masters'] };
  return { method: 'GET', url, headers: {}, authenticatedUser: user, readBody: () => Promise.resolve(new Uint8Array()), signal: new AbortController().signal };
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the default service account of a new namespace did not appear');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function decode(response: ApiResponse): any {
  if (isStreamResponse(response)) throw new Error('stream response');
  const text = typeof response.body === 'string' ? response.body : Buffer.from(response.body).toString();
  return text === '' ? undefined : JSON.parse(text);
}

/** Reads watch lines until `count` events arrived (or the stream ended). */
export async function readEvents(response: ApiResponse, count: number): Promise<any[]> {
  if (!isStreamResponse(response)) throw new Error(`not a stream: ${JSON.stringify(response)}`);
  const events: any[] = [];
  const iterator = response.stream[Symbol.asyncIterator]();
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(JSON.parse(next.value));
  }
  return events;
}
