import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  loadJose,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const SWITCH =
  'mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken user { id } } }';
type Switched = { switchOrganization: { accessToken: string; refreshToken: string } };

describe('switchOrganization', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);
  const decode = async (token: string) => (await loadJose()).decodeJwt(token);

  it('asks orgs through the internal gateway and issues tokens carrying org and role', async () => {
    const admin = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Acme") { id } }',
      {},
      { token: admin.accessToken },
    );
    const organizationId = created.body.data!.createOrganization.id;

    const switched = await platform.gql<Switched>(
      SWITCH,
      { id: organizationId },
      { token: admin.accessToken },
    );
    expect(switched.body.errors).toBeUndefined();
    const claims = await decode(switched.body.data!.switchOrganization.accessToken);
    expect(claims).toMatchObject({ org: organizationId, role: 'ADMIN', sub: admin.id });

    // The session remembers it: a refresh keeps org and role.
    const refreshed = await platform.gql<{ refreshToken: { accessToken: string } }>(
      'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
      { t: switched.body.data!.switchOrganization.refreshToken },
    );
    expect(await decode(refreshed.body.data!.refreshToken.accessToken)).toMatchObject({
      org: organizationId,
      role: 'ADMIN',
    });
    // The refresh token from before the switch is retired without signing the session out.
    const stale = await platform.gql(
      'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
      { t: admin.refreshToken },
    );
    expect(stale.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');

    const back = await platform.gql<Switched>(
      SWITCH,
      { id: null },
      { token: refreshed.body.data!.refreshToken.accessToken },
    );
    expect(await decode(back.body.data!.switchOrganization.accessToken)).toMatchObject({
      org: null,
      role: null,
    });
  });

  it('re-reads the role on refresh: a changed role or a removal reaches the next token', async () => {
    const admin = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Roles") { id } }',
      {},
      { token: admin.accessToken },
    );
    const organizationId = created.body.data!.createOrganization.id;
    const switched = (
      await platform.gql<Switched>(SWITCH, { id: organizationId }, { token: admin.accessToken })
    ).body.data!.switchOrganization;
    const memberships = `${schemaOf(platform.orgs.dataSource)}.memberships`;
    await platform.orgs.dataSource.query(
      `UPDATE ${memberships} SET role = 'VIEWER' WHERE user_id = $1`,
      [admin.id],
    );
    const refresh = (t: string) =>
      platform.gql<{ refreshToken: { accessToken: string; refreshToken: string } }>(
        'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }',
        { t },
      );
    const first = (await refresh(switched.refreshToken)).body.data!.refreshToken;
    expect(await decode(first.accessToken)).toMatchObject({ org: organizationId, role: 'VIEWER' });
    await platform.orgs.dataSource.query(`DELETE FROM ${memberships} WHERE user_id = $1`, [
      admin.id,
    ]);
    const second = (await refresh(first.refreshToken)).body.data!.refreshToken;
    expect(await decode(second.accessToken)).toMatchObject({ org: null, role: null });
  });

  it('answers NOT_FOUND for an organization the caller does not belong to', async () => {
    const owner = await registerUser(platform, { verified: true });
    const outsider = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Private") { id } }',
      {},
      { token: owner.accessToken },
    );
    const response = await platform.gql(
      SWITCH,
      { id: created.body.data!.createOrganization.id },
      { token: outsider.accessToken },
    );
    expect(response.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const missing = await platform.gql(
      SWITCH,
      { id: '00000000-0000-4000-8000-000000000000' },
      { token: outsider.accessToken },
    );
    expect(missing.body.errors?.[0]).toMatchObject({
      message: response.body.errors?.[0].message,
      extensions: { code: 'NOT_FOUND' },
    });
  });
});
