import {
  PLATFORM_SETUP_MS,
  postGraphQL,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/**
 * The oracle of issue 21's "capability x field": which capabilities a key holds, one operation,
 * and what must come back. Written by hand from the rules (README "API keys"), NOT derived from
 * the SDL or from schema/tiers.md: a key reaches a non-public field only when the field names one
 * of its capabilities; credential and internal fields never; public fields always; and the user's
 * own rules still apply on top (membership, owner).
 *
 * Outcome: 'allowed' (no tier refusal: no FORBIDDEN, UNAUTHENTICATED, EMAIL_NOT_VERIFIED or
 * STEP_UP_REQUIRED on any path), 'KEY_CAPABILITY' (FORBIDDEN with that reason), or another code the
 * user's own rules give.
 */
type Outcome = 'allowed' | 'KEY_CAPABILITY' | 'NOT_FOUND' | 'UNAUTHENTICATED';
type Listener = 'public' | 'internal';
const ALL = ['profile:read', 'orgs:read', 'orgs:write', 'credits:read', 'ai:generate'];

const TABLE: [string[], Listener, string, Outcome][] = [
  // profile:read: the user's own profile, nothing of their credentials.
  [
    ['profile:read'],
    'public',
    '{ me { id email displayName emailVerified createdAt } }',
    'allowed',
  ],
  [['credits:read'], 'public', '{ me { id } }', 'KEY_CAPABILITY'],
  [['ai:generate'], 'public', '{ me { email } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { mfaEnabled } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { linkedProviders } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { mfaFactors { id } } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { recoveryCodesRemaining } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { apiKeys { id } } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ sessions { id } }', 'KEY_CAPABILITY'],
  [ALL, 'public', '{ me { securityEvents { edges { cursor } } } }', 'KEY_CAPABILITY'],
  // Credentials, sessions, keys, deletion: never, whatever the key holds.
  [
    ALL,
    'public',
    'mutation { changePassword(currentPassword: "x", newPassword: "y") }',
    'KEY_CAPABILITY',
  ],
  [
    ALL,
    'public',
    'mutation { changeEmail(newEmail: "a@example.com", password: "x") }',
    'KEY_CAPABILITY',
  ],
  [ALL, 'public', 'mutation { deleteAccount(password: "x") }', 'KEY_CAPABILITY'],
  [ALL, 'public', 'mutation { logoutAll }', 'KEY_CAPABILITY'],
  [
    ALL,
    'public',
    'mutation { revokeSession(id: "00000000-0000-4000-8000-000000000000") }',
    'KEY_CAPABILITY',
  ],
  [ALL, 'public', 'mutation { enrollTotp { factorId } }', 'KEY_CAPABILITY'],
  [
    ALL,
    'public',
    'mutation { updateProfile(input: { displayName: "Bot" }) { id } }',
    'KEY_CAPABILITY',
  ],
  [
    ALL,
    'public',
    'mutation { switchOrganization(organizationId: null) { accessToken } }',
    'KEY_CAPABILITY',
  ],
  [
    ALL,
    'public',
    'mutation { createApiKey(input: { name: "child", capabilities: ["profile:read"] }) { key } }',
    'KEY_CAPABILITY',
  ],
  [
    ALL,
    'public',
    'mutation { revokeApiKey(id: "00000000-0000-4000-8000-000000000000") }',
    'KEY_CAPABILITY',
  ],
  [
    ALL,
    'public',
    'mutation { createCheckoutSession(packageId: "starter", successUrl: "http://127.0.0.1/ok", cancelUrl: "http://127.0.0.1/no") { url } }',
    'KEY_CAPABILITY',
  ],
  // Internal fields: never. The internal listener takes service tokens only, so a key is refused there outright.
  [
    ALL,
    'internal',
    '{ user(id: "00000000-0000-4000-8000-000000000000") { id } }',
    'UNAUTHENTICATED',
  ],
  [ALL, 'internal', '{ tokenRevocationState { revokedSessionIds } }', 'UNAUTHENTICATED'],
  // The public listener has no internal field at all; were one reached, the tier rule answers
  // KEY_CAPABILITY for it (packages/platform/src/tiers/rules.test.ts).
  // credits:read, through the profile (me needs profile:read).
  [
    ['profile:read', 'credits:read'],
    'public',
    '{ me { credits { balance available } } }',
    'allowed',
  ],
  [['profile:read'], 'public', '{ me { credits { balance } } }', 'KEY_CAPABILITY'],
  [
    ['profile:read', 'credits:read'],
    'public',
    '{ me { credits { paymentMethods { id } } } }',
    'KEY_CAPABILITY',
  ],
  // orgs:read and orgs:write.
  [['orgs:read'], 'public', '{ myOrganizations { id name } }', 'allowed'],
  [['profile:read'], 'public', '{ myOrganizations { id } }', 'KEY_CAPABILITY'],
  [
    ['orgs:read'],
    'public',
    'mutation { createOrganization(name: "Read only") { id } }',
    'KEY_CAPABILITY',
  ],
  [
    ['orgs:read', 'orgs:write'],
    'public',
    'mutation { createOrganization(name: "By key") { id name } }',
    'allowed',
  ],
  // The user's own rules still apply: an organization they are not in is NOT_FOUND, key or not.
  [['orgs:read'], 'public', 'query { organization(id: "$OTHER_ORG") { id } }', 'NOT_FOUND'],
  // ai:generate.
  [
    ['credits:read'],
    'public',
    'mutation { generateText(input: { model: "gemini-2.5-flash", prompt: "hi" }) { id } }',
    'KEY_CAPABILITY',
  ],
  [
    ['profile:read', 'ai:generate'],
    'public',
    '{ me { generations { edges { cursor } } } }',
    'allowed',
  ],
  [['profile:read'], 'public', '{ me { generations { edges { cursor } } } }', 'KEY_CAPABILITY'],
  // Public fields pass any key.
  [
    ['credits:read'],
    'public',
    '{ aiModels { id } creditPackages { id } apiKeyCapabilities }',
    'allowed',
  ],
];

const TIER_CODES = ['FORBIDDEN', 'UNAUTHENTICATED', 'EMAIL_NOT_VERIFIED', 'STEP_UP_REQUIRED'];

describe('API keys: the hand-written capability x field table', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let otherOrganization: string;
  const keys = new Map<string, string>();

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
    const other = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Not yours") { id } }',
      {},
      { token: other.accessToken },
    );
    otherOrganization = created.body.data!.createOrganization.id;
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  /** One key per capability set, made once through the API as a user would. */
  async function keyFor(capabilities: string[]): Promise<string> {
    const id = [...capabilities].sort().join(' ');
    const known = keys.get(id);
    if (known) return known;
    const response = await platform.gql<{ createApiKey: { key: string } }>(
      'mutation ($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { capabilities } } }',
      { input: { name: `table ${keys.size}`, capabilities } },
      { token: user.accessToken },
    );
    const key = response.body.data?.createApiKey.key;
    if (!key) throw new Error(`createApiKey failed: ${JSON.stringify(response.body)}`);
    keys.set(id, key);
    return key;
  }

  it.each(TABLE)('%j on %s: %s -> %s', async (capabilities, listener, query, expected) => {
    const key = await keyFor(capabilities);
    const url = listener === 'public' ? platform.gateway.url : platform.gateway.internalUrl;
    const response = await postGraphQL(
      url,
      query.replace('$OTHER_ORG', otherOrganization),
      {},
      { token: key },
    );
    const errors = response.body.errors ?? [];
    const context = JSON.stringify(errors);
    if (expected === 'allowed') {
      expect([
        context,
        errors.filter((e) => TIER_CODES.includes(String(e.extensions?.code))),
      ]).toEqual([context, []]);
    } else if (expected === 'KEY_CAPABILITY') {
      expect([
        context,
        errors.some(
          (e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.reason === 'KEY_CAPABILITY',
        ),
      ]).toEqual([context, true]);
    } else {
      expect([context, errors.map((e) => e.extensions?.code)]).toEqual([context, [expected]]);
    }
  });

  it('refuses POST /ai/stream to a key without ai:generate, before anything is generated', async () => {
    const key = await keyFor(['credits:read']);
    const response = await fetch(new URL('/ai/stream', platform.gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gemini-2.5-flash', prompt: 'hi' }),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'KEY_CAPABILITY',
    });
  });
});
