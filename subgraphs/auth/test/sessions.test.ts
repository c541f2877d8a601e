import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const REFRESH =
  'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken user { id } } }';
const ME = '{ me { id } }';
type Refreshed = { refreshToken: { accessToken: string; refreshToken: string } };

describe('sessions: refresh-token families', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const refresh = (token: string) => platform.gql<Refreshed>(REFRESH, { t: token });
  const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
    response.body.errors?.[0]?.extensions?.code;

  it('rotates on each use and stores only hashes', async () => {
    const user = await registerUser(platform);
    const first = await refresh(user.refreshToken);
    const next = first.body.data!.refreshToken;
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect((await platform.gql(ME, {}, { token: next.accessToken })).body.data).toEqual({
      me: { id: user.id },
    });
    const rows = await platform.auth.dataSource.query(
      `SELECT token_hash FROM ${schema()}.refresh_tokens`,
    );
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(user.refreshToken);
    expect(stored).not.toContain(next.refreshToken);
  });

  it('gives two tabs refreshing at once the same successor, then revokes the family on later reuse', async () => {
    const user = await registerUser(platform);
    const [a, b] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect(a.body.data!.refreshToken.refreshToken).toBe(b.body.data!.refreshToken.refreshToken);
    // Past the grace window the old token is a stolen one: the whole family goes.
    await platform.auth.dataSource.query(
      `UPDATE ${schema()}.refresh_tokens SET rotated_at = now() - interval '1 minute' WHERE rotated_at IS NOT NULL`,
    );
    const reuse = await refresh(user.refreshToken);
    expect(code(reuse)).toBe('INVALID_TOKEN');
    expect(code(await refresh(a.body.data!.refreshToken.refreshToken))).toBe('INVALID_TOKEN');
    expect(
      (await platform.gql(ME, {}, { token: a.body.data!.refreshToken.accessToken })).status,
    ).toBe(401);
  });

  it('refuses unknown, malformed and expired-family tokens with INVALID_TOKEN', async () => {
    expect(code(await refresh('brt_' + 'x'.repeat(43)))).toBe('INVALID_TOKEN');
    expect(code(await refresh('nonsense'))).toBe('INVALID_TOKEN');
    expect(code(await platform.gql(REFRESH, {}))).toBe('INVALID_TOKEN');
    const user = await registerUser(platform);
    await platform.auth.dataSource.query(
      `UPDATE ${schema()}.sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    expect(code(await refresh(user.refreshToken))).toBe('INVALID_TOKEN');
  });

  it('logout revokes the family and its access tokens at once', async () => {
    const user = await registerUser(platform);
    expect(
      (
        await platform.gql('mutation ($t: String) { logout(refreshToken: $t) }', {
          t: user.refreshToken,
        })
      ).body.data,
    ).toEqual({ logout: true });
    expect((await platform.gql(ME, {}, { token: user.accessToken })).status).toBe(401);
    expect(code(await refresh(user.refreshToken))).toBe('INVALID_TOKEN');
  });

  it('lists sessions, revokes one, and logoutAll ends every one immediately', async () => {
    const user = await registerUser(platform);
    const login = () =>
      platform.gql<{ login: { accessToken: string; refreshToken: string } }>(
        'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
        { e: user.email, p: user.password },
        { headers: { 'user-agent': 'second-device' } },
      );
    const second = (await login()).body.data!.login;
    const listed = await platform.gql<{
      sessions: { id: string; current: boolean; userAgent: string | null }[];
    }>(
      '{ sessions { id current userAgent ip createdAt lastUsedAt } }',
      {},
      { token: user.accessToken },
    );
    expect(listed.body.data!.sessions).toHaveLength(2);
    expect(listed.body.data!.sessions.filter((s) => s.current)).toHaveLength(1);
    const other = listed.body.data!.sessions.find((s) => !s.current)!;
    expect(other.userAgent).toBe('second-device');
    expect(
      (
        await platform.gql(
          'mutation ($id: ID!) { revokeSession(id: $id) }',
          { id: other.id },
          { token: user.accessToken },
        )
      ).body.data,
    ).toEqual({ revokeSession: true });
    expect((await platform.gql(ME, {}, { token: second.accessToken })).status).toBe(401);

    const stranger = await registerUser(platform);
    const foreign = await platform.gql(
      'mutation ($id: ID!) { revokeSession(id: $id) }',
      { id: other.id },
      { token: stranger.accessToken },
    );
    expect(code(foreign)).toBe('NOT_FOUND');

    const third = (await login()).body.data!.login;
    expect(
      (await platform.gql('mutation { logoutAll }', {}, { token: user.accessToken })).body.data,
    ).toEqual({ logoutAll: true });
    expect((await platform.gql(ME, {}, { token: user.accessToken })).status).toBe(401);
    expect((await platform.gql(ME, {}, { token: third.accessToken })).status).toBe(401);
    expect(code(await refresh(third.refreshToken))).toBe('INVALID_TOKEN');
    const fresh = (await login()).body.data!.login;
    expect((await platform.gql(ME, {}, { token: fresh.accessToken })).body.data).toEqual({
      me: { id: user.id },
    });
  });

  function schema() {
    return schemaOf(platform.auth.dataSource);
  }
});
