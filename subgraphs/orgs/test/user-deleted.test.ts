import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { addMember, membershipEvents, orgWithAdmin, schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

const DELETE_ACCOUNT = `mutation($password: String!) { deleteAccount(password: $password) }`;

describe('USER_DELETED', () => {
  it('removes memberships, promotes the oldest remaining member, deletes an organization left empty, once per event', async () => {
    const { admin, orgId: shared } = await orgWithAdmin(platform, 'Shared');
    const editor = await addMember(platform, shared, 'EDITOR');
    const viewer = await addMember(platform, shared, 'VIEWER');
    const { orgId: alone } = await orgWithAdmin(platform, 'Alone');
    await addMember(platform, alone, 'ADMIN', admin);
    await platform.orgs.dataSource.query(
      `DELETE FROM ${schema(platform)}.memberships WHERE organization_id = $1 AND user_id <> $2`,
      [alone, admin.id],
    );
    const s = schema(platform);

    const deleted = await platform.gql(
      DELETE_ACCOUNT,
      { password: admin.password },
      { token: admin.accessToken },
    );
    expect(deleted.body.data).toEqual({ deleteAccount: true });

    await eventually(async () => {
      const rows = await platform.orgs.dataSource.query(
        `SELECT user_id, role FROM ${s}.memberships WHERE organization_id = $1 ORDER BY joined_at`,
        [shared],
      );
      expect(rows).toEqual([
        { user_id: editor.id, role: 'ADMIN' },
        { user_id: viewer.id, role: 'VIEWER' },
      ]);
      expect(
        await platform.orgs.dataSource.query(`SELECT id FROM ${s}.organizations WHERE id = $1`, [
          alone,
        ]),
      ).toEqual([]);
    });
    const deletions = await platform.orgs.dataSource.query(
      `SELECT data FROM ${s}.outbox WHERE type = 'ORGANIZATION_DELETED' AND data->>'organizationId' = $1`,
      [alone],
    );
    expect(deletions).toHaveLength(1);
    await eventually(async () => {
      const promoted = await platform.orgs.dataSource.query(
        `SELECT target_id FROM ${s}.audit_log WHERE organization_id = $1 AND action = 'member.promoted'`,
        [shared],
      );
      expect(promoted).toEqual([{ target_id: editor.id }]);
    });
    const expectedEvents = {
      shared: [
        { userId: admin.id, role: null, reason: 'account_deleted' },
        { userId: editor.id, role: 'ADMIN', reason: 'promoted_last_admin_deleted' },
      ],
      alone: [{ userId: admin.id, role: null, reason: 'account_deleted' }],
    };
    expect({
      shared: await membershipEvents(platform, shared),
      alone: await membershipEvents(platform, alone),
    }).toEqual(expectedEvents);

    // Redelivery: the same event again has no second effect (a membership added since stays).
    const [row] = await platform.auth.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${schemaOf(platform.auth.dataSource)}.outbox WHERE type = 'USER_DELETED' AND data->>'userId' = $1`,
      [admin.id],
    );
    await addMember(platform, shared, 'VIEWER', admin);
    await platform.orgs.services.handleUserDeleted({
      id: row.id,
      type: row.type,
      data: row.data,
      occurredAt: new Date(row.occurred_at).toISOString(),
      source: 'auth',
    });
    const still = await platform.orgs.dataSource.query(
      `SELECT role FROM ${s}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [shared, admin.id],
    );
    expect(still).toEqual([{ role: 'VIEWER' }]);
    expect({
      shared: await membershipEvents(platform, shared),
      alone: await membershipEvents(platform, alone),
    }).toEqual(expectedEvents);
  });

  it("a deleted member's organizations no longer list them", async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const leaving = await registerUser(platform, { verified: true });
    await addMember(platform, orgId, 'EDITOR', leaving);
    await platform.gql(
      DELETE_ACCOUNT,
      { password: leaving.password },
      { token: leaving.accessToken },
    );
    await eventually(async () => {
      const members = await platform.gql<{ organization: { members: { user: { id: string } }[] } }>(
        `query($id: ID!) { organization(id: $id) { members { user { id } } } }`,
        { id: orgId },
        { token: admin.accessToken },
      );
      expect(members.body.data?.organization.members.map((m) => m.user.id)).toEqual([admin.id]);
    });
  });
});
