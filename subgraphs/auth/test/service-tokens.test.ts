import { generateServiceToken, schemaOf, sha256Hex } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  postGraphQL,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const ISSUE = 'mutation ($n: String!, $s: [String!]!) { issueServiceToken(name: $n, scopes: $s) }';

describe('issueServiceToken', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const admin = () => ({ headers: { 'x-service-token': platform.devServiceToken! } });

  it('returns a token once, stores only its hash, and the gateway accepts it with exactly its scopes', async () => {
    const issued = await platform.internal<{ issueServiceToken: string }>(
      ISSUE,
      { n: 'reporting', s: ['users:read'] },
      admin(),
    );
    expect(issued.body.errors).toBeUndefined();
    const token = issued.body.data!.issueServiceToken;
    expect(token).toMatch(/^bst_/);
    const rows = await platform.auth.dataSource.query(
      `SELECT * FROM ${schemaOf(platform.auth.dataSource)}.service_tokens`,
    );
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({
      name: 'reporting',
      sha256: sha256Hex(token),
      scopes: ['users:read'],
    });

    const user = await registerUser(platform);
    const read = await postGraphQL<{ user: { email: string } }>(
      platform.gateway.internalUrl,
      'query ($id: ID!) { user(id: $id) { email } }',
      { id: user.id },
      { token },
    );
    expect(read.body.data?.user.email).toBe(user.email);
    const write = await postGraphQL(
      platform.gateway.internalUrl,
      'query ($id: ID!) { creditBalance(userId: $id) }',
      { id: user.id },
      { token },
    );
    expect(write.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('needs tokens:admin, never a user token, and validates scopes', async () => {
    const user = await registerUser(platform, { verified: true });
    const asUser = await platform.internal(
      ISSUE,
      { n: 'x', s: ['users:read'] },
      { token: user.accessToken },
    );
    // The internal listener takes no user token at all.
    expect(asUser.status).toBe(401);
    expect(asUser.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const limited = await platform.internal<{ issueServiceToken: string }>(
      ISSUE,
      { n: 'limited', s: ['credits:read'] },
      admin(),
    );
    const escalate = await platform.internal(
      ISSUE,
      { n: 'y', s: ['tokens:admin'] },
      { headers: { 'x-service-token': limited.body.data!.issueServiceToken } },
    );
    expect(escalate.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await platform.internal(ISSUE, { n: 'Bad Name!', s: ['root'] }, admin());
    expect(bad.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: { name: expect.any(String), scopes: expect.any(String) },
    });
  });
});

/**
 * Issue 16: who may grant what, and which names are taken. Operators configure two tokens here: an
 * administrator holding users:read and credits:read besides tokens:admin, and a service "auditor".
 */
describe('issueServiceToken: scopes bounded by the issuer, reserved names, budgets per token', () => {
  let platform: TestPlatform;
  const operator = generateServiceToken();
  const auditor = generateServiceToken();
  // Service budget of 100 points a minute per token: 2 reads of 50 points, then the 3rd is refused
  // (the operator's own few requests cost a point each).
  const SERVICE_BUDGET = 100;

  beforeAll(async () => {
    platform = await startTestPlatform({
      SERVICE_TOKENS: JSON.stringify([
        {
          name: 'operator',
          scopes: ['tokens:admin', 'users:read', 'credits:read'],
          sha256: sha256Hex(operator),
        },
        { name: 'auditor', scopes: ['users:read'], sha256: sha256Hex(auditor) },
      ]),
      SERVICE_COST_BUDGET_PER_MINUTE: String(SERVICE_BUDGET),
    });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const asOperator = { headers: { 'x-service-token': operator } };
  const issue = (name: string, scopes: string[]) =>
    platform.internal<{ issueServiceToken: string }>(ISSUE, { n: name, s: scopes }, asOperator);
  const storedNames = async () =>
    (
      (await platform.auth.dataSource.query(
        `SELECT name FROM ${schemaOf(platform.auth.dataSource)}.service_tokens ORDER BY name`,
      )) as { name: string }[]
    ).map((row) => row.name);

  it('refuses minting tokens:admin, even to an administrator holding it', async () => {
    const refused = await issue('second-operator', ['tokens:admin']);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPE_NOT_GRANTABLE',
      fieldErrors: { scopes: expect.stringContaining('tokens:admin') },
    });
    const mixed = await issue('second-operator', ['users:read', 'tokens:admin']);
    expect(mixed.body.errors?.[0].extensions?.reason).toBe('SCOPE_NOT_GRANTABLE');
    expect(await storedNames()).not.toContain('second-operator');
  });

  it('refuses a scope the issuer lacks and allows a subset of its own', async () => {
    const lacking = await issue('writer', ['credits:read', 'credits:write']);
    expect(lacking.body.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPE_NOT_HELD',
      fieldErrors: { scopes: expect.stringContaining('credits:write') },
    });
    expect(lacking.body.errors?.[0].extensions?.fieldErrors).not.toMatchObject({
      scopes: expect.stringContaining('credits:read'),
    });
    expect(await storedNames()).not.toContain('writer');

    const subset = await issue('reader', ['users:read']);
    expect(subset.body.errors).toBeUndefined();
    const user = await registerUser(platform);
    const read = await postGraphQL<{ user: { email: string } }>(
      platform.gateway.internalUrl,
      'query ($id: ID!) { user(id: $id) { email } }',
      { id: user.id },
      { token: subset.body.data!.issueServiceToken },
    );
    expect(read.body.data?.user.email).toBe(user.email);
  });

  it("refuses the names of the registry's subgraphs, the gateway's and the configured services'", async () => {
    // Hand-written: subgraphs/registry.json's five, the gateway's own claims identity, the
    // development token's, and the two SERVICE_TOKENS entries above.
    for (const name of [
      'auth',
      'orgs',
      'credits',
      'ai',
      'webhooks',
      'gateway',
      'development',
      'operator',
      'auditor',
    ]) {
      const refused = await issue(name, ['users:read']);
      expect(refused.body.errors).toHaveLength(1);
      expect(refused.body.errors?.[0].extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'RESERVED_NAME',
        fieldErrors: { name: expect.stringContaining(name) },
      });
    }
    const stored = await storedNames();
    for (const name of [
      'auth',
      'orgs',
      'credits',
      'ai',
      'webhooks',
      'gateway',
      'development',
      'operator',
      'auditor',
    ])
      expect(stored).not.toContain(name);
  });

  it('gives two tokens with the same display name a budget each', async () => {
    const [first, second] = [
      (await issue('nightly-report', ['users:read'])).body.data!.issueServiceToken,
      (await issue('nightly-report', ['users:read'])).body.data!.issueServiceToken,
    ];
    const user = await registerUser(platform);
    // 50 aliased user(id:), one object each: 50 points (hand count; no list, no @cost).
    const query = `query ($id: ID!) { ${Array.from({ length: 50 }, (_, i) => `u${i}: user(id: $id) { id }`).join(' ')} }`;
    const read = (token: string) =>
      postGraphQL(platform.gateway.internalUrl, query, { id: user.id }, { token });
    for (let i = 0; i < 2; i += 1) expect((await read(first)).status).toBe(200);
    const spent = await read(first);
    expect(spent.status).toBe(429);
    expect(spent.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    // The other "nightly-report" and the configured auditor still have their whole minute.
    const other = await read(second);
    expect(other.status).toBe(200);
    expect(other.body.errors).toBeUndefined();
    expect((await read(auditor)).status).toBe(200);
  });
});
