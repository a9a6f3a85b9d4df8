import { describe, expect, it } from 'vitest';
import { isStorageError } from './errors';
import { runStoreConformance } from './testing';
import { createMemoryStore } from './memory-store';

runStoreConformance('memory', async () => {
  const store = createMemoryStore({ compaction: false });
  return { store, activeWatchCount: () => store.activeWatchCount() };
});

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

describe('memory store group commit', () => {
  it('commits the writes of one turn together, in order, each checked on its own, visible once committed', async () => {
    const store = createMemoryStore({ compaction: false });
    const existing = await store.create('/registry/g/existing', bytes('e'));
    const watch = store.watch('/registry/g/', { afterRevision: existing.modRevision })[Symbol.asyncIterator]();
    const results = Promise.allSettled([
      store.create('/registry/g/new', bytes('1')),
      store.create('/registry/g/existing', bytes('dup')),
      store.update('/registry/g/existing', bytes('2'), existing.modRevision),
      store.update('/registry/g/existing', bytes('3'), existing.modRevision),
      store.delete('/registry/g/new'),
      store.txn([{ key: '/registry/g/new', modRevision: 0 }], [{ type: 'put', key: '/registry/g/t', value: bytes('t') }]),
    ]);
    // issued in the same turn: not committed yet
    expect(await store.get('/registry/g/new')).toBeUndefined();
    expect(await store.currentRevision()).toBe(existing.modRevision);
    const settled = await results;
    expect(settled.map((r) => (r.status === 'fulfilled' ? 'ok' : isStorageError(r.reason) ? r.reason.code : String(r.reason)))).toEqual([
      'ok',
      'KeyExists',
      'ok',
      'Conflict',
      'ok',
      'ok',
    ]);
    const value = <T>(i: number) => (settled[i] as PromiseFulfilledResult<T>).value;
    // each write has its own revision, in the order issued; the txn's compare saw the delete before it
    expect(value<{ modRevision: number }>(0).modRevision).toBe(existing.modRevision + 1);
    expect(value<{ modRevision: number }>(2).modRevision).toBe(existing.modRevision + 2);
    expect(value<{ revision: number }>(4).revision).toBe(existing.modRevision + 3);
    expect(value<{ succeeded: boolean; revision: number }>(5)).toMatchObject({ succeeded: true, revision: existing.modRevision + 4 });
    expect(await store.currentRevision()).toBe(existing.modRevision + 4);
    expect(text((await store.get('/registry/g/existing'))!.value)).toBe('2');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const event = (await watch.next()).value as { type: string; key?: string; kv?: { key: string } };
      seen.push(`${event.type} ${event.kv?.key ?? event.key}`);
    }
    expect(seen).toEqual(['put /registry/g/new', 'put /registry/g/existing', 'delete /registry/g/new', 'put /registry/g/t']);
    await watch.return?.();
    await store.close();
  });

  it('commits the writes queued when it is closed', async () => {
    const store = createMemoryStore({ compaction: false });
    const write = store.create('/registry/c/a', bytes('a'));
    await store.close();
    expect((await write).modRevision).toBe(2);
  });
});
