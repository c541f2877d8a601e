import { MemoryApiKeyStore, type ApiKeyEntry } from './api-keys';

const entry = (n: number): ApiKeyEntry => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  userId: '00000000-0000-4000-8000-0000000000aa',
  sha256: String(n).repeat(64),
  capabilities: ['profile:read'],
  organizationId: null,
  creditCeiling: null,
  ceilingPeriod: null,
  expiresAt: null,
  emailVerified: true,
});

describe('MemoryApiKeyStore', () => {
  it('keeps what it hears during a reload: a creation the snapshot missed, a revocation it predates', async () => {
    const store = new MemoryApiKeyStore();
    await store.add(entry(1));
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    const reloading = store.reload(async () => {
      await gate;
      // Read before key 2 existed and before key 1 was revoked.
      return [entry(1)];
    });
    await store.add(entry(2));
    await store.remove([entry(1).sha256]);
    release();
    await reloading;
    expect(await store.find(entry(1).sha256)).toBeNull();
    expect(await store.find(entry(2).sha256)).toEqual(entry(2));
  });
});
