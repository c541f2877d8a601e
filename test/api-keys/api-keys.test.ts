import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  postGraphQL,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const CREATE = `mutation ($input: ApiKeyInput!) {
  createApiKey(input: $input) {
    key
    apiKey { id name prefix capabilities organizationId creditCeiling ceilingPeriod expiresAt lastUsedAt createdAt }
  }
}`;
const KEYS = '{ me { apiKeys { id name prefix lastUsedAt } } }';

interface Created {
  key: string;
  apiKey: { id: string; prefix: string; lastUsedAt: string | null } & Record<string, unknown>;
}

describe('API keys: creation, bad input, use, revocation', () => {
  let platform: TestPlatform;
  let user: TestUser;

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const create = (input: Record<string, unknown>, token = user.accessToken) =>
    platform.gql<{ createApiKey: Created }>(CREATE, { input }, { token });
  const listed = async (token = user.accessToken) =>
    (
      await platform.gql<{ me: { apiKeys: { id: string; lastUsedAt: string | null }[] } }>(
        KEYS,
        {},
        { token },
      )
    ).body.data!.me.apiKeys;
  const me = (key: string) =>
    postGraphQL<{ me: { id: string } }>(platform.gateway.url, '{ me { id } }', {}, { token: key });

  it('shows the key once, stores only its hash, and lists it with its prefix', async () => {
    const response = await create({
      name: 'ci',
      capabilities: ['profile:read', 'ai:generate', 'profile:read'],
      creditCeiling: 50,
      ceilingPeriod: 'DAY',
    });
    const { key, apiKey } = response.body.data!.createApiKey;
    expect(key).toMatch(/^bk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      name: 'ci',
      capabilities: ['profile:read', 'ai:generate'],
      organizationId: null,
      creditCeiling: 50,
      ceilingPeriod: 'DAY',
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const [row]: { sha256: string }[] = await platform.auth.dataSource.query(
      `SELECT * FROM ${schemaOf(platform.auth.dataSource)}.api_keys WHERE id = $1`,
      [apiKey.id],
    );
    expect(JSON.stringify(row)).not.toContain(key.slice(apiKey.prefix.length));
    expect((await listed()).map((k) => k.id)).toContain(apiKey.id);

    // The key acts as its user at once, and its use is recorded (coalesced, not per request).
    expect((await me(key)).body.data).toEqual({ me: { id: user.id } });
    expect((await me(key)).body.data).toEqual({ me: { id: user.id } });
    await eventually(async () =>
      expect((await listed()).find((k) => k.id === apiKey.id)?.lastUsedAt).not.toBeNull(),
    );
  });

  // Each a coded error, and nothing created.
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'an unknown capability',
      { capabilities: ['profile:read', 'users:admin'] },
      'BAD_USER_INPUT',
      'capabilities',
    ],
    ['no capability', { capabilities: [] }, 'BAD_USER_INPUT', 'capabilities'],
    [
      'a ceiling below zero',
      { creditCeiling: -1, ceilingPeriod: 'DAY' },
      'BAD_USER_INPUT',
      'creditCeiling',
    ],
    [
      'an absurd ceiling',
      { creditCeiling: 1_000_001, ceilingPeriod: 'MONTH' },
      'BAD_USER_INPUT',
      'creditCeiling',
    ],
    ['a ceiling without its period', { creditCeiling: 10 }, 'BAD_USER_INPUT', 'ceilingPeriod'],
    ['a period without a ceiling', { ceilingPeriod: 'DAY' }, 'BAD_USER_INPUT', 'creditCeiling'],
    [
      'an expiry in the past',
      { expiresAt: new Date(Date.now() - 60_000).toISOString() },
      'BAD_USER_INPUT',
      'expiresAt',
    ],
    ['an empty name', { name: '   ' }, 'BAD_USER_INPUT', 'name'],
    [
      'an organization the user is not in',
      { organizationId: '00000000-0000-4000-8000-000000000000' },
      'NOT_FOUND',
      '',
    ],
  ])('refuses %s', async (_name, change, code, field) => {
    const before = (await listed()).length;
    const response = await create({ name: 'bad', capabilities: ['profile:read'], ...change });
    expect(response.body.data?.createApiKey ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions?.code).toBe(code);
    if (field)
      expect(Object.keys(response.body.errors![0].extensions!.fieldErrors as object)).toContain(
        field,
      );
    expect((await listed()).length).toBe(before);
  });

  it("binds a key to one of the user's organizations", async () => {
    const organization = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Key owners") { id } }',
      {},
      { token: user.accessToken },
    );
    const organizationId = organization.body.data!.createOrganization.id;
    const created = await create({
      name: 'org bot',
      capabilities: ['orgs:read'],
      organizationId,
    });
    const { key, apiKey } = created.body.data!.createApiKey;
    expect(apiKey.organizationId).toBe(organizationId);
    const read = await postGraphQL<{ organization: { id: string; myRole: string } }>(
      platform.gateway.url,
      'query ($id: ID!) { organization(id: $id) { id myRole } }',
      { id: organizationId },
      { token: key },
    );
    expect(read.body.data).toEqual({ organization: { id: organizationId, myRole: 'ADMIN' } });
  });

  it('is for verified users only', async () => {
    const unverified = await registerUser(platform);
    const response = await create(
      { name: 'x', capabilities: ['profile:read'] },
      unverified.accessToken,
    );
    expect(response.body.errors?.[0].extensions?.code).toBe('EMAIL_NOT_VERIFIED');
  });

  it("refuses to revoke another user's key (NOT_FOUND) and leaves it working", async () => {
    const { key, apiKey } = (await create({ name: 'mine', capabilities: ['profile:read'] })).body
      .data!.createApiKey;
    const other = await registerUser(platform, { verified: true });
    const response = await platform.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) }',
      { id: apiKey.id },
      { token: other.accessToken },
    );
    expect(response.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await me(key)).body.data).toEqual({ me: { id: user.id } });
  });

  it('refuses a revoked key at once, and an expired key, as UNAUTHENTICATED', async () => {
    const { key, apiKey } = (await create({ name: 'short', capabilities: ['profile:read'] })).body
      .data!.createApiKey;
    expect((await me(key)).status).toBe(200);
    const revoked = await platform.gql<{ revokeApiKey: boolean }>(
      'mutation ($id: ID!) { revokeApiKey(id: $id) }',
      { id: apiKey.id },
      { token: user.accessToken },
    );
    expect(revoked.body.data).toEqual({ revokeApiKey: true });
    // This gateway shares auth's fast path: refused on the very next request, no waiting.
    const after = await me(key);
    expect([after.status, after.body.errors?.[0].extensions?.code]).toEqual([
      401,
      'UNAUTHENTICATED',
    ]);
    expect((await listed()).map((k) => k.id)).not.toContain(apiKey.id);
    const again = await platform.gql<{ revokeApiKey: boolean }>(
      'mutation ($id: ID!) { revokeApiKey(id: $id) }',
      { id: apiKey.id },
      { token: user.accessToken },
    );
    expect(again.body.data).toEqual({ revokeApiKey: false });

    const expiring = (
      await create({
        name: 'expiring',
        capabilities: ['profile:read'],
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      })
    ).body.data!.createApiKey;
    // Expiry is checked per request: refused once the time has passed (polled, no fixed sleep).
    await eventually(async () => {
      const response = await me(expiring.key);
      expect([response.status, response.body.errors?.[0].extensions?.code]).toEqual([
        401,
        'UNAUTHENTICATED',
      ]);
    });
  });

  it("revokes the user's keys with the account", async () => {
    const leaving = await registerUser(platform, { verified: true });
    const { key } = (
      await create({ name: 'bot', capabilities: ['profile:read'] }, leaving.accessToken)
    ).body.data!.createApiKey;
    expect((await me(key)).status).toBe(200);
    const deleted = await platform.gql(
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: leaving.password },
      { token: leaving.accessToken },
    );
    expect(deleted.body.errors).toBeUndefined();
    const after = await me(key);
    expect([after.status, after.body.errors?.[0].extensions?.code]).toEqual([
      401,
      'UNAUTHENTICATED',
    ]);
  });

  it('publishes the capabilities', async () => {
    const response = await platform.gql<{ apiKeyCapabilities: string[] }>('{ apiKeyCapabilities }');
    expect(response.body.data!.apiKeyCapabilities.sort()).toEqual(
      ['ai:generate', 'credits:read', 'orgs:read', 'orgs:write', 'profile:read'].sort(),
    );
  });
});
