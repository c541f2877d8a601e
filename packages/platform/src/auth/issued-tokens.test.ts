import { MemoryIssuedTokenStore } from './issued-tokens';

const entry = (name: string, sha256: string) => ({ name, scopes: ['users:read'], sha256 });

describe('MemoryIssuedTokenStore.reload', () => {
  it('replaces its entries with the snapshot', async () => {
    const store = new MemoryIssuedTokenStore();
    await store.add(entry('gone', 'a'.repeat(64)));
    await store.reload(async () => [entry('kept', 'b'.repeat(64))]);
    expect(await store.find('a'.repeat(64))).toBeNull();
    expect(await store.find('b'.repeat(64))).toEqual({ name: 'kept', scopes: ['users:read'] });
  });

  it('replays changes heard while the snapshot was in flight: a revocation is never undone', async () => {
    const store = new MemoryIssuedTokenStore();
    await store.add(entry('revoked', 'a'.repeat(64)));
    let release!: () => void;
    const reloading = store.reload(async () => {
      await new Promise<void>((done) => (release = done));
      // Read before the revocation and the issue below committed.
      return [entry('revoked', 'a'.repeat(64))];
    });
    await store.remove(['a'.repeat(64)]);
    await store.add(entry('new', 'c'.repeat(64)));
    release();
    await reloading;
    expect(await store.find('a'.repeat(64))).toBeNull();
    expect(await store.find('c'.repeat(64))).toEqual({ name: 'new', scopes: ['users:read'] });
  });

  it('keeps its entries when the load fails', async () => {
    const store = new MemoryIssuedTokenStore();
    await store.add(entry('kept', 'a'.repeat(64)));
    await expect(store.reload(async () => Promise.reject(new Error('auth down')))).rejects.toThrow(
      'auth down',
    );
    expect(await store.find('a'.repeat(64))).not.toBeNull();
  });
});
