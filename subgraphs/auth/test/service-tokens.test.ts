import { schemaOf, sha256Hex } from '@bastion/platform';
import { postGraphQL, registerUser, startTestPlatform, type TestPlatform } from '@bastion/testing';

const ISSUE = 'mutation ($n: String!, $s: [String!]!) { issueServiceToken(name: $n, scopes: $s) }';

describe('issueServiceToken', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

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
    expect(asUser.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
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
