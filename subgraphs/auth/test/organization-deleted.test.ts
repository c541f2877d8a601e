import { randomUUID } from 'node:crypto';
import { parseEvent, schemaOf } from '@bastion/platform';
import {
  loadJose,
  eventually,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const CREATE = 'mutation ($name: String!) { createOrganization(name: $name) { id } }';
const SWITCH =
  'mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken } }';
const REFRESH = 'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }';
type Tokens = { accessToken: string; refreshToken: string };

describe('auth consumes ORGANIZATION_DELETED', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

  /** A verified user with a session switched into an organization of their own. */
  async function switchedInto(
    name: string,
  ): Promise<{ user: TestUser; orgId: string; switched: Tokens; sessionId: string }> {
    const user = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      CREATE,
      { name },
      { token: user.accessToken },
    );
    const orgId = created.body.data!.createOrganization.id;
    const switched = await platform.gql<{ switchOrganization: Tokens }>(
      SWITCH,
      { id: orgId },
      { token: user.accessToken },
    );
    const tokens = switched.body.data!.switchOrganization;
    return {
      user,
      orgId,
      switched: tokens,
      sessionId: (await decode(tokens.accessToken)).sid as string,
    };
  }
  const decode = async (token: string) => (await loadJose()).decodeJwt(token);
  const sessionOrg = async (sessionId: string) => {
    const rows: { organization_id: string | null; role: string | null }[] =
      await platform.auth.dataSource.query(
        `SELECT organization_id, role FROM ${schemaOf(platform.auth.dataSource)}.sessions WHERE id = $1`,
        [sessionId],
      );
    return rows.map((r) => ({ org: r.organization_id, role: r.role }));
  };

  it('clears the dead organization from its sessions, so the next refresh issues a personal token', async () => {
    const { user, orgId, switched, sessionId } = await switchedInto('Doomed');
    const bystander = await switchedInto('Survivor');
    expect(await sessionOrg(sessionId)).toEqual([{ org: orgId, role: 'ADMIN' }]);

    const deleted = await platform.gql(
      `mutation { deleteOrganization(id: "${orgId}") }`,
      {},
      { token: switched.accessToken },
    );
    expect(deleted.body).toEqual({ data: { deleteOrganization: true } });
    await eventually(async () =>
      expect(await sessionOrg(sessionId)).toEqual([{ org: null, role: null }]),
    );
    // Only sessions in that organization: another one's session keeps its own.
    expect(await sessionOrg(bystander.sessionId)).toEqual([
      { org: bystander.orgId, role: 'ADMIN' },
    ]);

    const refreshed = await platform.gql<{ refreshToken: { accessToken: string } }>(REFRESH, {
      t: switched.refreshToken,
    });
    expect(refreshed.body.errors).toBeUndefined();
    expect(await decode(refreshed.body.data!.refreshToken.accessToken)).toMatchObject({
      sub: user.id,
      org: null,
      role: null,
    });
  });

  it('applies each event once: a redelivery changes nothing, another event id does', async () => {
    const { orgId, switched, sessionId } = await switchedInto('Twice');
    await platform.gql(
      `mutation { deleteOrganization(id: "${orgId}") }`,
      {},
      { token: switched.accessToken },
    );
    await eventually(async () =>
      expect(await sessionOrg(sessionId)).toEqual([{ org: null, role: null }]),
    );

    const orgs = schemaOf(platform.orgs.dataSource);
    const [row] = await platform.orgs.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${orgs}.outbox WHERE type = 'ORGANIZATION_DELETED' AND data->>'organizationId' = $1`,
      [orgId],
    );
    const event = parseEvent(
      {
        id: row.id,
        type: row.type,
        data: row.data,
        occurredAt: new Date(row.occurred_at).toISOString(),
        source: 'orgs',
      },
      ['ORGANIZATION_DELETED'],
    );
    const auth = schemaOf(platform.auth.dataSource);
    const inboxRows = () =>
      platform.auth.dataSource.query(
        `SELECT 1 FROM ${auth}.inbox WHERE consumer = 'auth' AND event_id = $1`,
        [event.id],
      );
    expect(await inboxRows()).toHaveLength(1);

    // Put the session back by hand, so that a second run of the effect would show.
    await platform.auth.dataSource.query(
      `UPDATE ${auth}.sessions SET organization_id = $1, role = 'ADMIN' WHERE id = $2`,
      [orgId, sessionId],
    );
    await platform.auth.services.handleOrganizationEvent(event);
    expect(await sessionOrg(sessionId)).toEqual([{ org: orgId, role: 'ADMIN' }]);
    expect(await inboxRows()).toHaveLength(1);

    // The control: the same news under a new event id is applied.
    await platform.auth.services.handleOrganizationEvent({ ...event, id: randomUUID() });
    expect(await sessionOrg(sessionId)).toEqual([{ org: null, role: null }]);
  });
});
