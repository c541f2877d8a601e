import type { IncomingMessage } from 'node:http';
import {
  ServiceTokenRegistry,
  generateServiceToken,
  serviceTokenEntry,
  sha256Hex,
  type AccessTokenVerifier,
  type ApiKeyEntry,
} from '@bastion/platform';
import { Authenticator, type CredentialState } from './authenticate';

// Two configured entries for one service (a rotation), and two issued tokens sharing a display
// name, one of them issued with tokens:admin before only configuration could grant it.
const rotationOld = generateServiceToken();
const rotationNew = generateServiceToken();
const issuedReader = generateServiceToken();
const issuedLegacyAdmin = generateServiceToken();
const issued = new Map([
  [sha256Hex(issuedReader), { name: 'nightly-report', scopes: ['users:read'] }],
  [
    sha256Hex(issuedLegacyAdmin),
    { name: 'nightly-report', scopes: ['tokens:admin', 'users:read'] },
  ],
]);
const liveKey = `bk_${'a'.repeat(43)}`;
const expiredKey = `bk_${'b'.repeat(43)}`;
const keyEntry = (key: string, expiresAt: string | null): ApiKeyEntry => ({
  id:
    key === liveKey
      ? '00000000-0000-4000-8000-0000000000a1'
      : '00000000-0000-4000-8000-0000000000a2',
  userId: '00000000-0000-4000-8000-000000000001',
  sha256: sha256Hex(key),
  capabilities: ['profile:read'],
  organizationId: '00000000-0000-4000-8000-0000000000aa',
  creditCeiling: 50,
  ceilingPeriod: 'DAY',
  expiresAt,
  emailVerified: true,
});
const keys = new Map([
  [sha256Hex(liveKey), keyEntry(liveKey, null)],
  [sha256Hex(expiredKey), keyEntry(expiredKey, new Date(Date.now() - 1000).toISOString())],
]);
const keysUsed: string[] = [];
const state: CredentialState = {
  isRevoked: async () => false,
  findIssued: async (sha256) => issued.get(sha256) ?? null,
  findApiKey: async (sha256) => keys.get(sha256) ?? null,
};
const authenticator = new Authenticator(
  // Only service tokens are presented below: the access-token verifier is never reached.
  {} as AccessTokenVerifier,
  new ServiceTokenRegistry([
    serviceTokenEntry('ai', ['credits:read', 'credits:write'], rotationOld),
    serviceTokenEntry('ai', ['credits:read', 'credits:write'], rotationNew),
  ]),
  state,
  (keyId) => keysUsed.push(keyId),
);
const withToken = (token: string) =>
  authenticator.authenticate({
    headers: { 'x-service-token': token },
  } as unknown as IncomingMessage);

describe('Authenticator: service tokens', () => {
  it('identifies a configured service by its entry name, shared by its rotation', async () => {
    expect(await withToken(rotationOld)).toEqual({
      kind: 'service',
      name: 'ai',
      scopes: ['credits:read', 'credits:write'],
      tokenId: 'configured:ai',
    });
    expect(await withToken(rotationNew)).toMatchObject({ tokenId: 'configured:ai' });
  });

  it('identifies an issued token by its hash, not its display name', async () => {
    const first = await withToken(issuedReader);
    const second = await withToken(issuedLegacyAdmin);
    expect(first).toMatchObject({
      name: 'nightly-report',
      tokenId: `issued:${sha256Hex(issuedReader)}`,
    });
    expect(second).toMatchObject({
      name: 'nightly-report',
      tokenId: `issued:${sha256Hex(issuedLegacyAdmin)}`,
    });
  });

  it('never lets an issued token hold tokens:admin, even one issued with it', async () => {
    expect(await withToken(issuedLegacyAdmin)).toMatchObject({ scopes: ['users:read'] });
  });
});

describe('Authenticator: personal API keys', () => {
  const withKey = (key: string) =>
    authenticator.authenticate({
      headers: { authorization: `Bearer ${key}` },
    } as unknown as IncomingMessage);

  it("acts as the key's user, in its organization, with its grant and no session factor", async () => {
    const entry = keys.get(sha256Hex(liveKey))!;
    expect(await withKey(liveKey)).toEqual({
      kind: 'user',
      userId: entry.userId,
      sessionId: entry.id,
      emailVerified: true,
      organizationId: entry.organizationId,
      role: null,
      tokenId: `apikey:${entry.id}`,
      issuedAt: 0,
      amr: [],
      authTime: 0,
      mfaEnrolled: false,
      apiKey: {
        id: entry.id,
        capabilities: ['profile:read'],
        creditCeiling: 50,
        ceilingPeriod: 'DAY',
      },
    });
    expect(keysUsed).toContain(entry.id);
  });

  it.each([
    ['an unknown (or revoked) key', `bk_${'c'.repeat(43)}`, 'The API key is not valid.'],
    ['an expired key', expiredKey, 'The API key has expired.'],
  ])('refuses %s as UNAUTHENTICATED, never anonymous', async (_name, key, message) => {
    await expect(withKey(key)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message,
    });
  });
});
