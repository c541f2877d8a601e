import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { inScope, INTERNAL } from '../src/db/caller-scope';
import { addMember, orgWithAdmin, schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

describe('row-level security: a second wall behind the service', () => {
  it("a query with no filter of its own reads only the caller's organizations, memberships and invitations", async () => {
    const mine = await orgWithAdmin(platform, 'Mine');
    const theirs = await orgWithAdmin(platform, 'Theirs');
    await addMember(platform, theirs.orgId, 'VIEWER');
    const s = schema(platform);
    await platform.orgs.dataSource.query(
      `INSERT INTO ${s}.invitations (id, organization_id, email, role, token_hash, created_at, expires_at)
       VALUES (gen_random_uuid(), $1, 'x@example.com', 'VIEWER', md5(random()::text), now(), now() + interval '1 day')`,
      [theirs.orgId],
    );
    // The service's connection as such (superuser in tests) sees everything: the wall is the scope.
    const all: { id: string }[] = await platform.orgs.dataSource.query(
      `SELECT id FROM ${s}.organizations`,
    );
    expect(all.map((r) => r.id)).toEqual(expect.arrayContaining([mine.orgId, theirs.orgId]));

    const seen = await inScope(
      platform.orgs.dataSource,
      { kind: 'user', userId: mine.admin.id },
      async (m) => ({
        organizations: (await m.query(`SELECT id FROM ${s}.organizations`)).map(
          (r: { id: string }) => r.id,
        ),
        memberships: (await m.query(`SELECT organization_id FROM ${s}.memberships`)).map(
          (r: { organization_id: string }) => r.organization_id,
        ),
        invitations: await m.query(`SELECT id FROM ${s}.invitations`),
        audit: await m.query(`SELECT id FROM ${s}.audit_log WHERE organization_id = $1`, [
          theirs.orgId,
        ]),
      }),
    );
    expect(seen).toEqual({
      organizations: [mine.orgId],
      memberships: [mine.orgId],
      invitations: [],
      audit: [],
    });

    const anonymous = await inScope(platform.orgs.dataSource, { kind: 'user', userId: null }, (m) =>
      m.query(`SELECT id FROM ${s}.organizations`),
    );
    expect(anonymous).toEqual([]);
    const internal: { id: string }[] = await inScope(platform.orgs.dataSource, INTERNAL, (m) =>
      m.query(`SELECT id FROM ${s}.organizations`),
    );
    expect(internal.map((r) => r.id)).toEqual(expect.arrayContaining([mine.orgId, theirs.orgId]));
  });

  it("a member cannot change another organization's rows, nor write the audit log", async () => {
    const mine = await orgWithAdmin(platform, 'Mine');
    const theirs = await orgWithAdmin(platform, 'Theirs');
    const s = schema(platform);
    const changed = await inScope(
      platform.orgs.dataSource,
      { kind: 'user', userId: mine.admin.id },
      (m) => m.query(`UPDATE ${s}.organizations SET name = 'taken' RETURNING id`),
    );
    expect(changed[0].map((r: { id: string }) => r.id)).toEqual([mine.orgId]);
    await expect(
      inScope(platform.orgs.dataSource, { kind: 'user', userId: mine.admin.id }, (m) =>
        m.query(`INSERT INTO ${s}.audit_log (id, event_id, chain, seq, at, action, target_type, metadata, prev_hash, hash)
        VALUES (gen_random_uuid(), gen_random_uuid(), 'x', 1, now(), 'x', 'x', '{}', 'x', 'x')`),
      ),
    ).rejects.toThrow();
    const [theirName] = await platform.orgs.dataSource.query(
      `SELECT name FROM ${s}.organizations WHERE id = $1`,
      [theirs.orgId],
    );
    expect(theirName.name).toBe('Theirs');
  });
});
