import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { schemaOf } from '@bastion/platform';
import {
  addMember,
  CHANGE_ROLE,
  codes,
  CREATE,
  MEMBERS,
  membershipEvents,
  orgWithAdmin,
  REMOVE,
} from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ ORGS_CREATED_PER_DAY: '3' });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

describe('organizations through the gateway', () => {
  it('renames an organization and derives a new slug; a non-member gets NOT_FOUND', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'First Name');
    const renamed = await platform.gql<{ updateOrganization: { name: string; slug: string } }>(
      `mutation { updateOrganization(id: "${orgId}", name: "Second Name!") { name slug } }`,
      {},
      { token: admin.accessToken },
    );
    expect(renamed.body.data?.updateOrganization.name).toBe('Second Name!');
    expect(renamed.body.data?.updateOrganization.slug).toMatch(/^second-name-[0-9a-f]{8}$/);
    const stranger = await registerUser(platform, { verified: true });
    const foreign = await platform.gql(
      `mutation { updateOrganization(id: "${orgId}", name: "Mine") { name } }`,
      {},
      { token: stranger.accessToken },
    );
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
    const unknown = await platform.gql(
      `{ organization(id: "00000000-0000-4000-8000-000000000000") { id } }`,
      {},
      { token: stranger.accessToken },
    );
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
  });

  it('bounds lists: first above 100 is refused, pages follow the cursor', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    for (let i = 0; i < 3; i += 1) await addMember(platform, orgId, 'VIEWER');
    const tooMany = await platform.gql(
      `{ organization(id: "${orgId}") { members(first: 101) { role } } }`,
      {},
      { token: admin.accessToken },
    );
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    const page = await platform.gql<{ organization: { members: { user: { id: string } }[] } }>(
      `{ organization(id: "${orgId}") { members(first: 2) { user { id } } } }`,
      {},
      { token: admin.accessToken },
    );
    expect(page.body.data?.organization.members).toHaveLength(2);
  });

  it('limits organizations created per user per day (ORGS_CREATED_PER_DAY=3)', async () => {
    const user = await registerUser(platform, { verified: true });
    const results = [];
    for (let i = 0; i < 4; i += 1)
      results.push(await platform.gql(CREATE, { name: `Org ${i}` }, { token: user.accessToken }));
    expect(results.map((r) => codes(r)[0] ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
    expect(results[3].body.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
  });

  it("a demoted or removed member's old token cannot act: the membership row decides", async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const second = await addMember(platform, orgId, 'ADMIN');
    const viewer = await addMember(platform, orgId, 'VIEWER');
    // second demotes itself to VIEWER; its token still says nothing new, yet it cannot act as ADMIN.
    expect(
      codes(
        await platform.gql(
          CHANGE_ROLE,
          { org: orgId, user: second.id, role: 'VIEWER' },
          { token: second.accessToken },
        ),
      ),
    ).toEqual([]);
    expect(
      codes(
        await platform.gql(REMOVE, { org: orgId, user: viewer.id }, { token: second.accessToken }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await platform.gql(REMOVE, { org: orgId, user: second.id }, { token: admin.accessToken }),
      ),
    ).toEqual([]);
    expect(
      codes(await platform.gql(MEMBERS, { id: orgId }, { token: second.accessToken })),
    ).toEqual(['NOT_FOUND']);
    // Each change left ORGANIZATION_MEMBERSHIP_CHANGED in the outbox; the refused removal left nothing.
    expect(await membershipEvents(platform, orgId)).toEqual([
      { userId: second.id, role: null, reason: 'removed' },
      { userId: second.id, role: 'VIEWER', reason: 'role_changed' },
    ]);
  });

  it('a member can leave; the last ADMIN cannot, nor be demoted (CONFLICT)', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const editor = await addMember(platform, orgId, 'EDITOR');
    expect(
      codes(
        await platform.gql(REMOVE, { org: orgId, user: editor.id }, { token: editor.accessToken }),
      ),
    ).toEqual([]);
    expect(
      codes(
        await platform.gql(REMOVE, { org: orgId, user: admin.id }, { token: admin.accessToken }),
      ),
    ).toEqual(['CONFLICT']);
    expect(
      codes(
        await platform.gql(
          CHANGE_ROLE,
          { org: orgId, user: admin.id, role: 'EDITOR' },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual(['CONFLICT']);
    const bad = await platform.gql(
      CHANGE_ROLE,
      { org: orgId, user: admin.id, role: 'OWNER' },
      { token: admin.accessToken },
    );
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    // A role "changed" to the one the member has is no change: nothing to publish.
    expect(
      codes(
        await platform.gql(
          CHANGE_ROLE,
          { org: orgId, user: admin.id, role: 'ADMIN' },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual([]);
    expect(await membershipEvents(platform, orgId)).toEqual([
      { userId: editor.id, role: null, reason: 'left' },
    ]);
  });

  it('under concurrent demotions of both ADMINs, exactly one succeeds and one ADMIN remains', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { admin, orgId } = await orgWithAdmin(platform);
      const other = await addMember(platform, orgId, 'ADMIN');
      const results = await Promise.all(
        [admin, other].map((u) =>
          platform.gql(
            CHANGE_ROLE,
            { org: orgId, user: u.id, role: 'VIEWER' },
            { token: u.accessToken },
          ),
        ),
      );
      expect(results.map((r) => codes(r)[0] ?? 'ok').sort()).toEqual(['CONFLICT', 'ok']);
      const [{ admins }] = await platform.orgs.dataSource.query(
        `SELECT count(*)::int AS admins FROM ${schemaOf(platform.orgs.dataSource)}.memberships WHERE organization_id = $1 AND role = 'ADMIN'`,
        [orgId],
      );
      expect(admins).toBe(1);
    }
  });

  it('deletes an organization (ADMIN only) and publishes ORGANIZATION_DELETED', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const editor = await addMember(platform, orgId, 'EDITOR');
    expect(
      codes(
        await platform.gql(
          `mutation { deleteOrganization(id: "${orgId}") }`,
          {},
          { token: editor.accessToken },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    const deleted = await platform.gql(
      `mutation { deleteOrganization(id: "${orgId}") }`,
      {},
      { token: admin.accessToken },
    );
    expect(deleted.body.data).toEqual({ deleteOrganization: true });
    expect(codes(await platform.gql(MEMBERS, { id: orgId }, { token: admin.accessToken }))).toEqual(
      ['NOT_FOUND'],
    );
    const events = await platform.orgs.dataSource.query(
      `SELECT data FROM ${schemaOf(platform.orgs.dataSource)}.outbox WHERE type = 'ORGANIZATION_DELETED' AND data->>'organizationId' = $1`,
      [orgId],
    );
    expect(events).toHaveLength(1);
    expect(events[0].data.memberIds.sort()).toEqual([admin.id, editor.id].sort());
  });
});
