import { randomUUID } from 'node:crypto';
import { eventually, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { addMember, CHANGE_ROLE, codes, orgWithAdmin, schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const VERIFY = `query($id: ID) { verifyAuditChain(organizationId: $id) auditChainReports(organizationId: $id) { valid brokenAtSeq reason } }`;
const ACCESS_LOG = `query($id: ID!, $first: Int, $after: String, $action: String) {
  accessLog(organizationId: $id, first: $first, after: $after, action: $action) { edges { cursor node { action actorId targetId } } pageInfo { hasNextPage endCursor } } }`;

type Report = {
  verifyAuditChain: boolean;
  auditChainReports: { valid: boolean; brokenAtSeq: number | null; reason: string | null }[];
};

async function verify(orgId: string): Promise<Report> {
  const response = await platform.internal<Report>(
    VERIFY,
    { id: orgId },
    { token: platform.devServiceToken },
  );
  if (!response.body.data) throw new Error(JSON.stringify(response.body));
  return response.body.data;
}

/** An organization with five audited actions in its chain (created, then four role changes). */
async function auditedOrg() {
  const { admin, orgId } = await orgWithAdmin(platform);
  const member = await addMember(platform, orgId, 'VIEWER');
  for (const role of ['EDITOR', 'VIEWER', 'EDITOR', 'VIEWER']) {
    expect(
      codes(
        await platform.gql(
          CHANGE_ROLE,
          { org: orgId, user: member.id, role },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual([]);
  }
  const s = schema(platform);
  await eventually(async () => {
    const [{ n }] = await platform.orgs.dataSource.query(
      `SELECT count(*)::int AS n FROM ${s}.audit_log WHERE organization_id = $1`,
      [orgId],
    );
    expect(n).toBe(5);
  });
  return { admin, member, orgId, s };
}

/** A superuser's edit past the append-only trigger (replication role skips triggers). */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await platform.orgs.dataSource.transaction(async (m) => {
    await m.query(`SET LOCAL session_replication_role = replica`);
    await m.query(sql, params);
  });
}

describe('the audit log', () => {
  it("records orgs' own actions; ADMINs read it newest first, filtered and paged; others cannot", async () => {
    const { admin, member, orgId } = await auditedOrg();
    const page = await platform.gql<{
      accessLog: {
        edges: { cursor: string; node: { action: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(ACCESS_LOG, { id: orgId, first: 2 }, { token: admin.accessToken });
    expect(page.body.data?.accessLog.edges.map((e) => e.node.action)).toEqual([
      'member.role_changed',
      'member.role_changed',
    ]);
    expect(page.body.data?.accessLog.pageInfo.hasNextPage).toBe(true);
    const rest = await platform.gql<{ accessLog: { edges: { node: { action: string } }[] } }>(
      ACCESS_LOG,
      { id: orgId, first: 10, after: page.body.data?.accessLog.pageInfo.endCursor },
      { token: admin.accessToken },
    );
    expect(rest.body.data?.accessLog.edges.map((e) => e.node.action)).toEqual([
      'member.role_changed',
      'member.role_changed',
      'organization.created',
    ]);
    const created = await platform.gql<{ accessLog: { edges: unknown[] } }>(
      ACCESS_LOG,
      { id: orgId, action: 'organization.created' },
      { token: admin.accessToken },
    );
    expect(created.body.data?.accessLog.edges).toHaveLength(1);
    expect(
      codes(await platform.gql(ACCESS_LOG, { id: orgId }, { token: member.accessToken })),
    ).toEqual(['FORBIDDEN']);
  });

  it('the append-only trigger refuses UPDATE and DELETE', async () => {
    const { orgId, s } = await auditedOrg();
    await expect(
      platform.orgs.dataSource.query(
        `UPDATE ${s}.audit_log SET action = 'x' WHERE organization_id = $1`,
        [orgId],
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      platform.orgs.dataSource.query(`DELETE FROM ${s}.audit_log WHERE organization_id = $1`, [
        orgId,
      ]),
    ).rejects.toThrow(/append-only/);
    expect((await verify(orgId)).verifyAuditChain).toBe(true);
  });

  it('detects an entry altered by a superuser bypassing the trigger, and says where', async () => {
    const { orgId, s } = await auditedOrg();
    expect((await verify(orgId)).verifyAuditChain).toBe(true);
    await tamper(
      `UPDATE ${s}.audit_log SET metadata = '{"from":"VIEWER","to":"ADMIN"}' WHERE organization_id = $1 AND seq = 3`,
      [orgId],
    );
    expect(await verify(orgId)).toEqual({
      verifyAuditChain: false,
      auditChainReports: [{ valid: false, brokenAtSeq: 3, reason: 'entry 3 was altered' }],
    });
  });

  it('detects a removed entry, in the middle and at the end', async () => {
    const middle = await auditedOrg();
    await tamper(`DELETE FROM ${middle.s}.audit_log WHERE organization_id = $1 AND seq = 2`, [
      middle.orgId,
    ]);
    expect((await verify(middle.orgId)).auditChainReports[0]).toMatchObject({
      valid: false,
      brokenAtSeq: 2,
    });
    const end = await auditedOrg();
    await tamper(`DELETE FROM ${end.s}.audit_log WHERE organization_id = $1 AND seq = 5`, [
      end.orgId,
    ]);
    expect((await verify(end.orgId)).auditChainReports[0]).toMatchObject({
      valid: false,
      brokenAtSeq: 5,
    });
  });

  it('detects two entries swapped', async () => {
    const { orgId, s } = await auditedOrg();
    const swap = (from: number, to: number) =>
      tamper(`UPDATE ${s}.audit_log SET seq = $3 WHERE organization_id = $1 AND seq = $2`, [
        orgId,
        from,
        to,
      ]);
    await swap(2, 1000);
    await swap(3, 2);
    await swap(1000, 3);
    const report = await verify(orgId);
    expect(report.verifyAuditChain).toBe(false);
    expect(report.auditChainReports[0].brokenAtSeq).toBe(2);
  });

  it("ORGANIZATION_DELETED ends the organization's chain once, however often it is delivered", async () => {
    const { admin, orgId, s } = await auditedOrg();
    expect(
      (
        await platform.gql(
          `mutation { deleteOrganization(id: "${orgId}") }`,
          {},
          { token: admin.accessToken },
        )
      ).body.data,
    ).toEqual({ deleteOrganization: true });
    const deleted = () =>
      platform.orgs.dataSource.query(
        `SELECT action FROM ${s}.audit_log WHERE organization_id = $1 AND action = 'organization.deleted'`,
        [orgId],
      );
    await eventually(async () => expect(await deleted()).toHaveLength(1));
    const [row] = await platform.orgs.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${s}.outbox WHERE type = 'ORGANIZATION_DELETED' AND data->>'organizationId' = $1`,
      [orgId],
    );
    const event = {
      id: row.id,
      type: row.type,
      data: row.data,
      occurredAt: new Date(row.occurred_at).toISOString(),
      source: 'orgs',
    };
    await platform.orgs.services.handleAuditEvent(event);
    await platform.orgs.services.handleAuditEvent(event);
    expect(await deleted()).toHaveLength(1);
    expect((await verify(orgId)).verifyAuditChain).toBe(true);
  });

  it("a user reads their own security events (from auth) and nobody else's", async () => {
    const { admin } = await orgWithAdmin(platform);
    const query = `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { securityEvents(first: 5) { edges { node { action } } } } } }`;
    await eventually(async () => {
      const mine = await platform.subgraph<{
        _entities: { securityEvents: { edges: { node: { action: string } }[] } }[];
      }>(
        'orgs',
        {
          kind: 'user',
          userId: admin.id,
          sessionId: randomUUID(),
          emailVerified: true,
          organizationId: null,
          role: null,
          tokenId: randomUUID(),
          issuedAt: 0,
        },
        query,
        { id: admin.id },
      );
      expect(mine.body.data?._entities[0].securityEvents.edges.map((e) => e.node.action)).toEqual(
        expect.arrayContaining(['user.registered', 'user.login']),
      );
    });
    const stranger = {
      kind: 'user' as const,
      userId: randomUUID(),
      sessionId: randomUUID(),
      emailVerified: true,
      organizationId: null,
      role: null,
      tokenId: randomUUID(),
      issuedAt: 0,
    };
    const theirs = await platform.subgraph('orgs', stranger, query, { id: admin.id });
    expect(codes(theirs)).toEqual(['FORBIDDEN']);
    const me = await platform.gql<{ me: { securityEvents: { edges: unknown[] } } }>(
      `{ me { securityEvents { edges { node { action } } } } }`,
      {},
      { token: admin.accessToken },
    );
    expect(me.body.data?.me.securityEvents.edges.length).toBeGreaterThan(0);
  });
});
