import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const USERS = 'query ($ids: [ID!]!) { users(ids: $ids) { id email mfaEnabled } }';
type Users = { users: ({ id: string; email: string; mfaEnabled: boolean } | null)[] };

/** users(ids:): what orgs asks once per members list (Membership.mfaEnabled). */
describe('users(ids:)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const service = () => ({ headers: { 'x-service-token': platform.devServiceToken! } });

  it('answers one entry per id, in order, null for unknown or malformed ids', async () => {
    const [a, b] = [await registerUser(platform), await registerUser(platform)];
    await platform.auth.dataSource.query(
      `UPDATE ${schemaOf(platform.auth.dataSource)}.users SET mfa_enabled = true WHERE id = $1`,
      [b.id],
    );
    const unknown = '00000000-0000-4000-8000-000000000000';
    const answer = await platform.internal<Users>(
      USERS,
      { ids: [b.id, unknown, a.id, 'not-an-id', b.id.toUpperCase()] },
      service(),
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.users).toEqual([
      { id: b.id, email: b.email, mfaEnabled: true },
      null,
      { id: a.id, email: a.email, mfaEnabled: false },
      null,
      { id: b.id, email: b.email, mfaEnabled: true },
    ]);
  });

  it('takes at most 100 ids, and only from services with users:read', async () => {
    const ids = Array.from(
      { length: 101 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const tooMany = await platform.internal(USERS, { ids }, service());
    expect(tooMany.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const hundred = await platform.internal<Users>(USERS, { ids: ids.slice(1) }, service());
    expect(hundred.body.errors).toBeUndefined();
    expect(hundred.body.data!.users).toHaveLength(100);

    // The internal listener takes no user token; behind it, the tier asks for the scope.
    const user = await registerUser(platform);
    const asUser = await platform.internal(USERS, { ids: [user.id] }, { token: user.accessToken });
    expect(asUser.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const withoutScope = await platform.subgraph(
      'auth',
      { kind: 'service', name: 'reporting', scopes: ['orgs:read'] },
      USERS,
      { ids: [user.id] },
    );
    expect(withoutScope.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});
