import { schemaOf, sha256Hex } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startRestartablePlatform,
  type RestartablePlatform,
} from '@bastion/testing';

const ISSUE = 'mutation ($n: String!, $s: [String!]!) { issueServiceToken(name: $n, scopes: $s) }';
const REVOKE = 'mutation ($n: String!) { revokeServiceToken(name: $n) }';

/**
 * Revocations and issued service tokens live in auth's tables, so a restart of the whole platform
 * (and, on the real stack, a Redis that comes back empty, as compose's does) changes nothing.
 * Embedded mode with a DATA_DIR of its own without DATABASE_URL; the real stack with it.
 */
describe('revocations and issued service tokens across a restart', () => {
  let platform: RestartablePlatform;

  beforeAll(async () => {
    platform = await startRestartablePlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const me = (token: string) =>
    platform.current.gql<{ me: { id: string } }>('{ me { id } }', {}, { token });
  const admin = () => ({ headers: { 'x-service-token': platform.current.devServiceToken! } });
  const readUser = (token: string, id: string) =>
    platform.current.internal<{ user: { id: string } }>(
      'query ($id: ID!) { user(id: $id) { id } }',
      { id },
      { token },
    );
  /** On the real stack Redis also loses this test's keys while the platform is down. */
  const restart = () => platform.restart();

  it('keeps refusing access tokens signed out by logout, logoutAll and deleteAccount', async () => {
    const kept = await registerUser(platform.current);
    const loggedOut = await registerUser(platform.current);
    const allOut = await registerUser(platform.current);
    const deleted = await registerUser(platform.current, { verified: true });
    const logout = await platform.current.gql(
      'mutation ($r: String) { logout(refreshToken: $r) }',
      { r: loggedOut.refreshToken },
    );
    expect(logout.body.data).toEqual({ logout: true });
    expect(
      (await platform.current.gql('mutation { logoutAll }', {}, { token: allOut.accessToken })).body
        .data,
    ).toEqual({ logoutAll: true });
    const deletion = await platform.current.gql(
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: deleted.password },
      { token: deleted.accessToken },
    );
    expect(deletion.body.data).toEqual({ deleteAccount: true });

    await restart();

    for (const user of [loggedOut, allOut, deleted]) {
      const response = await me(user.accessToken);
      expect([user.email, response.status, response.body.errors?.[0].extensions?.code]).toEqual([
        user.email,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    // The control: a user who never signed out is still served, so the refusals above are revocations.
    expect((await me(kept.accessToken)).body.data).toEqual({ me: { id: kept.id } });
  });

  it('keeps refusing stale organization claims (a demotion, a deleted organization), and only those', async () => {
    const gql = <T>(query: string, token: string, variables: Record<string, unknown> = {}) =>
      platform.current.gql<T>(query, variables, { token }).then((r) => r.body.data!);
    const owner = await registerUser(platform.current, { verified: true });
    const member = await registerUser(platform.current, { verified: true });
    const create = () =>
      gql<{ createOrganization: { id: string } }>(
        'mutation { createOrganization(name: "Restart") { id } }',
        owner.accessToken,
      );
    const switchInto = async (orgId: string, user: { accessToken: string }) =>
      (
        await gql<{ switchOrganization: { accessToken: string; refreshToken: string } }>(
          'mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken } }',
          user.accessToken,
          { id: orgId },
        )
      ).switchOrganization;
    const kept = (await create()).createOrganization.id;
    const { dataSource: orgs } = platform.current.orgs;
    await orgs.query(
      `INSERT INTO ${schemaOf(orgs)}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, 'ADMIN', now())`,
      [kept, member.id],
    );
    const ownerIn = await switchInto(kept, owner);
    const memberIn = await switchInto(kept, member);
    const doomed = (await create()).createOrganization.id;
    const ownerInDoomed = await switchInto(doomed, owner);
    await gql(
      'mutation ($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: VIEWER) { role } }',
      ownerIn.accessToken,
      { o: kept, u: member.id },
    );
    await gql(`mutation { deleteOrganization(id: "${doomed}") }`, ownerInDoomed.accessToken);
    await eventually(async () => {
      expect((await me(memberIn.accessToken)).status).toBe(401);
      expect((await me(ownerInDoomed.accessToken)).status).toBe(401);
    });

    await restart();

    for (const stale of [memberIn, ownerInDoomed]) {
      const response = await me(stale.accessToken);
      expect([response.status, response.body.errors?.[0].extensions?.code]).toEqual([
        401,
        'UNAUTHENTICATED',
      ]);
    }
    // The controls: tokens without the stale claim are served, and so is the member's refreshed VIEWER token.
    for (const [user, token] of [
      [owner, ownerIn.accessToken],
      [member, member.accessToken],
      [owner, owner.accessToken],
    ] as const) {
      expect((await me(token)).body.data).toEqual({ me: { id: user.id } });
    }
    const refreshed = await platform.current.gql<{ refreshToken: { accessToken: string } }>(
      'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
      { t: memberIn.refreshToken },
    );
    expect((await me(refreshed.body.data!.refreshToken.accessToken)).body.data).toEqual({
      me: { id: member.id },
    });
  });

  it('keeps issued service tokens working, and revoked ones refused, across restarts', async () => {
    const subject = await registerUser(platform.current);
    const issued = await platform.current.internal<{ issueServiceToken: string }>(
      ISSUE,
      { n: 'restart-reporting', s: ['users:read'] },
      admin(),
    );
    const token = issued.body.data!.issueServiceToken;
    expect((await readUser(token, subject.id)).body.data).toEqual({ user: { id: subject.id } });

    await restart();
    expect((await readUser(token, subject.id)).body.data).toEqual({ user: { id: subject.id } });

    // Only tokens:admin may revoke: a token with another scope is refused, and its target lives on.
    const byReader = await platform.current.internal(
      REVOKE,
      { n: 'restart-reporting' },
      { headers: { 'x-service-token': token } },
    );
    expect(byReader.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await readUser(token, subject.id)).status).toBe(200);

    expect(
      (await platform.current.internal(REVOKE, { n: 'restart-reporting' }, admin())).body.data,
    ).toEqual({ revokeServiceToken: true });
    const refused = await readUser(token, subject.id);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([
      401,
      'UNAUTHENTICATED',
    ]);
    expect(
      (await platform.current.internal(REVOKE, { n: 'restart-reporting' }, admin())).body.data,
    ).toEqual({ revokeServiceToken: false });
    expect(
      (await platform.current.internal(REVOKE, { n: 'never-issued' }, admin())).body.data,
    ).toEqual({ revokeServiceToken: false });

    const { dataSource } = platform.current.auth;
    const events: { type: string; data: Record<string, unknown> }[] = await dataSource.query(
      `SELECT type, data FROM ${schemaOf(dataSource)}.outbox WHERE type IN ('SERVICE_TOKEN_REVOKED', 'AUDIT_RECORDED')`,
    );
    expect(events).toContainEqual({
      type: 'SERVICE_TOKEN_REVOKED',
      data: { name: 'restart-reporting', sha256s: [sha256Hex(token)] },
    });
    expect(
      events.some((e) => e.type === 'AUDIT_RECORDED' && e.data.action === 'service_token.revoked'),
    ).toBe(true);

    await restart();
    const stillRefused = await readUser(token, subject.id);
    expect([stillRefused.status, stillRefused.body.errors?.[0].extensions?.code]).toEqual([
      401,
      'UNAUTHENTICATED',
    ]);
    // The name is free again: a new token of it works, the revoked one stays refused.
    const reissued = await platform.current.internal<{ issueServiceToken: string }>(
      ISSUE,
      { n: 'restart-reporting', s: ['users:read'] },
      admin(),
    );
    expect((await readUser(reissued.body.data!.issueServiceToken, subject.id)).body.data).toEqual({
      user: { id: subject.id },
    });
    expect((await readUser(token, subject.id)).status).toBe(401);
  });
});
