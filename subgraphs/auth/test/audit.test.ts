import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

describe('audit events leave auth through the outbox', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  async function auditOf(
    userId: string,
  ): Promise<{ action: string; ip: string | null; userAgent: string | null }[]> {
    const rows: { data: { action: string; ip: string | null; userAgent: string | null } }[] =
      await platform.auth.dataSource.query(
        `SELECT data FROM ${schemaOf(platform.auth.dataSource)}.outbox WHERE type = 'AUDIT_RECORDED' AND (data->>'actorId' = $1 OR data->>'targetId' = $1 OR data->>'targetType' = 'session') ORDER BY occurred_at`,
        [userId],
      );
    return rows.map((r) => r.data);
  }

  it('records register, login success and failure, logout, session revocation and logout-all with address and agent', async () => {
    const user = await registerUser(platform);
    const login = (password: string) =>
      platform.gql<{ login: { accessToken: string; refreshToken: string } }>(
        'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
        { e: user.email, p: password },
        { headers: { 'user-agent': 'audit-test' } },
      );
    await login('definitely wrong password');
    const second = (await login(user.password)).body.data!.login;
    await platform.gql('mutation ($t: String) { logout(refreshToken: $t) }', {
      t: second.refreshToken,
    });
    const third = (await login(user.password)).body.data!.login;
    const sessions = await platform.gql<{ sessions: { id: string; current: boolean }[] }>(
      '{ sessions { id current } }',
      {},
      { token: third.accessToken },
    );
    const other = sessions.body.data!.sessions.find((s) => !s.current)!;
    await platform.gql(
      'mutation ($id: ID!) { revokeSession(id: $id) }',
      { id: other.id },
      { token: third.accessToken },
    );
    await platform.gql('mutation { logoutAll }', {}, { token: third.accessToken });

    const entries = await auditOf(user.id);
    const actions = entries.map((e) => e.action);
    for (const action of [
      'user.registered',
      'user.login_failed',
      'user.login',
      'user.logout',
      'session.revoked',
      'user.logout_all',
    ]) {
      expect(actions).toContain(action);
    }
    const failed = entries.find((e) => e.action === 'user.login_failed')!;
    expect(failed).toMatchObject({ ip: '127.0.0.1', userAgent: 'audit-test' });
  });
});
