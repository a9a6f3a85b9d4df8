import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './harness';

// The garbage collector follows every resource's watch cache: dependents whose
// owners are gone are deleted, foreground deletion waits for them, orphaning
// strips the owner reference. Objects with no owner references and no
// deletion in progress are not even decoded (see WatchCache's mayContain).
let server: Awaited<ReturnType<typeof startTestServer>>;
const base = '/clusters/gc/api/v1/namespaces/team/configmaps';

beforeAll(async () => {
  server = await startTestServer();
  expect((await server.request('POST', '/clusters/gc/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })).status).toBe(201);
});
afterAll(async () => {
  await server.stop();
});

async function create(name: string, owner?: { name: string; uid: string }): Promise<{ uid: string }> {
  const metadata: Record<string, unknown> = { name };
  if (owner) metadata['ownerReferences'] = [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid }];
  const response = await server.request('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { k: 'v' } });
  expect(response.status).toBe(201);
  return { uid: (response.json() as { metadata: { uid: string } }).metadata.uid };
}

async function status(name: string): Promise<number> {
  return (await server.request('GET', `${base}/${name}`)).status;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('garbage collection', () => {
  it('deletes the dependents of a deleted owner in the background, and leaves unrelated objects alone', async () => {
    const owner = await create('bg-owner');
    await create('bg-dependent', { name: 'bg-owner', uid: owner.uid });
    await create('bg-bystander');
    expect((await server.request('DELETE', `${base}/bg-owner`)).status).toBe(200);
    await eventually(async () => (await status('bg-dependent')) === 404, 'the dependent to go');
    expect(await status('bg-bystander')).toBe(200);
  });

  it('deletes a dependent whose owner does not exist (another uid)', async () => {
    await create('stale-owner');
    await create('stale-dependent', { name: 'stale-owner', uid: 'not-the-owners-uid' });
    await eventually(async () => (await status('stale-dependent')) === 404, 'the dependent to go');
    expect(await status('stale-owner')).toBe(200);
  });

  it('holds a foreground deletion until the dependents are gone', async () => {
    const owner = await create('fg-owner');
    await create('fg-dependent', { name: 'fg-owner', uid: owner.uid });
    const deleted = await server.request('DELETE', `${base}/fg-owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    expect(deleted.status).toBe(200);
    expect((deleted.json() as { metadata: { finalizers?: string[] } }).metadata.finalizers).toContain('foregroundDeletion');
    await eventually(async () => (await status('fg-dependent')) === 404 && (await status('fg-owner')) === 404, 'dependent, then owner, to go');
  });

  it('orphans the dependents when asked: they stay, without the owner reference', async () => {
    const owner = await create('or-owner');
    await create('or-dependent', { name: 'or-owner', uid: owner.uid });
    expect((await server.request('DELETE', `${base}/or-owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' })).status).toBe(200);
    await eventually(async () => (await status('or-owner')) === 404, 'the owner to go');
    await eventually(async () => {
      const dependent = (await server.request('GET', `${base}/or-dependent`)).json() as { metadata: { ownerReferences?: unknown[] } };
      return (dependent.metadata.ownerReferences ?? []).length === 0;
    }, 'the owner reference to go');
    expect(await status('or-dependent')).toBe(200);
  });
});
