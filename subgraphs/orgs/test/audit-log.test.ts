import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  canonicalJson,
  createLogger,
  openDataSource,
  quotedSchema,
  schemaName,
} from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  TEST_AUDIT_CHAIN_KEY,
  type TestPlatform,
} from '@bastion/testing';
import { AuditLogService } from '../src/audit/audit-log.service';
import { migrations } from '../src/migrations';
import { addMember, CHANGE_ROLE, codes, orgWithAdmin, schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

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

  it("lets the organization's ADMIN check its own chain, through the public API, and see where it breaks", async () => {
    const { admin, member, orgId, s } = await auditedOrg();
    const CHECK = `query($id: ID!) { auditChainCheck(organizationId: $id) { chain valid entries brokenAtSeq reason } }`;
    const check = (token: string) =>
      platform.gql<{ auditChainCheck: unknown }>(CHECK, { id: orgId }, { token });
    expect((await check(admin.accessToken)).body.data?.auditChainCheck).toEqual({
      chain: `org:${orgId}`,
      valid: true,
      entries: 5,
      brokenAtSeq: null,
      reason: null,
    });
    await tamper(
      `UPDATE ${s}.audit_log SET metadata = '{"from":"VIEWER","to":"ADMIN"}' WHERE organization_id = $1 AND seq = 4`,
      [orgId],
    );
    expect((await check(admin.accessToken)).body.data?.auditChainCheck).toEqual({
      chain: `org:${orgId}`,
      valid: false,
      entries: 5,
      brokenAtSeq: 4,
      reason: 'entry 4 was altered',
    });
    // A member who may not read the log may not check it either. Last: the refusal is itself
    // audited in this chain (access.denied), which would change the counts above.
    expect(codes(await check(member.accessToken))).toEqual(['FORBIDDEN']);
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
          amr: ['pwd'],
          authTime: Math.floor(Date.now() / 1000),
          mfaEnrolled: false,
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
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      mfaEnrolled: false,
    };
    const theirs = await platform.subgraph('orgs', stranger, query, { id: admin.id });
    expect(codes(theirs)).toEqual(['FORBIDDEN']);
    const me = await platform.gql<{
      me: { securityEvents: { edges: { node: { action: string } }[] } };
    }>(`{ me { securityEvents { edges { node { action } } } } }`, {}, { token: admin.accessToken });
    expect(me.body.data?.me.securityEvents.edges.map((e) => e.node.action)).toEqual(
      expect.arrayContaining(['user.registered', 'user.login']),
    );
  });
});

// The attacker's tools, written here from the entry format (docs/security.md "Audit log"), not taken from
// the service: the hash input is the previous hash, a newline and the entry's canonical JSON.
type Rehash = (input: string) => string;
const plainSha256: Rehash = (input) => createHash('sha256').update(input).digest('hex');
const hmacWith =
  (key: string): Rehash =>
  (input) =>
    createHmac('sha256', key).update(input).digest('hex');

interface LogRow {
  event_id: string;
  chain: string;
  seq: number;
  organization_id: string | null;
  subject_user_id: string | null;
  at: Date;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
}

const contentOf = (row: LogRow) =>
  canonicalJson({
    eventId: row.event_id,
    chain: row.chain,
    seq: row.seq,
    organizationId: row.organization_id,
    subjectUserId: row.subject_user_id,
    at: new Date(row.at).toISOString(),
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    metadata: row.metadata,
  });

/**
 * Full database access: rewrites every link of a chain (and its head) with `rehash`, as someone
 * who edited an entry would, optionally relabelling every entry as a legacy (version 1) one.
 */
async function recomputeChain(
  s: string,
  chain: string,
  rehash: Rehash,
  version?: number,
): Promise<void> {
  const rows: LogRow[] = await platform.orgs.dataSource.query(
    `SELECT * FROM ${s}.audit_log WHERE chain = $1 ORDER BY seq`,
    [chain],
  );
  let prev = '0'.repeat(64);
  for (const row of rows) {
    const hash = rehash(`${prev}\n${contentOf(row)}`);
    await tamper(
      `UPDATE ${s}.audit_log SET prev_hash = $3, hash = $4, chain_version = coalesce($5, chain_version) WHERE chain = $1 AND seq = $2`,
      [chain, row.seq, prev, hash, version ?? null],
    );
    prev = hash;
  }
  await platform.orgs.dataSource.query(
    `UPDATE ${s}.audit_chain_heads SET seq = $2, hash = $3 WHERE chain = $1`,
    [chain, rows.length, prev],
  );
}

describe('the keyed chain (issue 16)', () => {
  const ALTER = `UPDATE %s.audit_log SET metadata = '{"from":"VIEWER","to":"ADMIN"}' WHERE organization_id = $1 AND seq = 3`;

  it('an edited entry with every hash and the head recomputed is still reported, whatever the attacker hashes with', async () => {
    const cases: [string, Rehash, number | undefined, number, string][] = [
      ['plain SHA-256', plainSha256, undefined, 1, 'entry 1 was altered'],
      [
        'plain SHA-256, entries relabelled legacy',
        plainSha256,
        1,
        1,
        'entry 1 is an unanchored legacy entry',
      ],
      [
        'HMAC with a wrong key',
        hmacWith('a-guessed-key-of-at-least-32-bytes-000000'),
        undefined,
        1,
        'entry 1 was altered',
      ],
    ];
    for (const [, rehash, version, seq, reason] of cases) {
      const { orgId, s } = await auditedOrg();
      await tamper(ALTER.replace('%s', s), [orgId]);
      await recomputeChain(s, `org:${orgId}`, rehash, version);
      expect(await verify(orgId)).toEqual({
        verifyAuditChain: false,
        auditChainReports: [{ valid: false, brokenAtSeq: seq, reason }],
      });
    }
  });

  it('the same recomputation with the real key passes (so the attacks above failed for want of the key alone)', async () => {
    const { orgId, s } = await auditedOrg();
    await tamper(ALTER.replace('%s', s), [orgId]);
    await recomputeChain(s, `org:${orgId}`, hmacWith(TEST_AUDIT_CHAIN_KEY));
    expect((await verify(orgId)).verifyAuditChain).toBe(true);
  });

  it('upgrading: plain SHA-256 entries are anchored at the first start with the key, keep verifying, and cannot be rewritten', async () => {
    const url = platform.deps.databaseUrl;
    const legacySchema = schemaName('orgs_legacy', platform.suffix);
    const s = quotedSchema('orgs_legacy', platform.suffix);
    const logger = createLogger({ name: 'legacy-test', level: 'silent' });
    const chain = `org:${randomUUID()}`;
    // Before: the schema as the previous release left it, entries chained by plain SHA-256.
    const before = await openDataSource({
      url,
      schema: legacySchema,
      entities: [],
      migrations: migrations.slice(0, 4),
      logger,
    });
    let prev = '0'.repeat(64);
    for (const seq of [1, 2, 3]) {
      const row: LogRow = {
        event_id: randomUUID(),
        chain,
        seq,
        organization_id: chain.slice(4),
        subject_user_id: null,
        at: new Date(Date.UTC(2026, 0, seq)),
        actor_id: null,
        action: `legacy.${seq}`,
        target_type: 'organization',
        target_id: null,
        ip: null,
        user_agent: null,
        metadata: { seq },
      };
      const hash = plainSha256(`${prev}\n${contentOf(row)}`);
      await before.query(
        `INSERT INTO ${s}.audit_log (id, event_id, chain, seq, organization_id, subject_user_id, at, actor_id, action, target_type,
          target_id, ip, user_agent, metadata, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
        [
          randomUUID(),
          row.event_id,
          chain,
          seq,
          row.organization_id,
          null,
          row.at,
          null,
          row.action,
          row.target_type,
          null,
          null,
          null,
          JSON.stringify(row.metadata),
          prev,
          hash,
        ],
      );
      prev = hash;
    }
    await before.query(`INSERT INTO ${s}.audit_chain_heads (chain, seq, hash) VALUES ($1, 3, $2)`, [
      chain,
      prev,
    ]);
    await before.destroy();
    // After: this release's migrations, then its start (anchoring), then a new, keyed entry.
    const after = await openDataSource({
      url,
      schema: legacySchema,
      entities: [],
      migrations,
      logger,
    });
    try {
      const audit = new AuditLogService(after, logger, Buffer.from(TEST_AUDIT_CHAIN_KEY));
      expect(await audit.anchorLegacy()).toBe(1);
      expect(await audit.anchorLegacy()).toBe(0);
      expect(await audit.verify(chain.slice(4))).toEqual([
        { chain, valid: true, entries: 3, brokenAtSeq: null, reason: null },
      ]);
      await audit.handle({
        id: randomUUID(),
        type: 'AUDIT_RECORDED',
        source: 'test',
        occurredAt: new Date().toISOString(),
        data: {
          organizationId: chain.slice(4),
          actorId: null,
          action: 'after.upgrade',
          targetType: 'organization',
          targetId: null,
          ip: null,
          userAgent: null,
          metadata: {},
          at: new Date().toISOString(),
        },
      });
      const versions = await after.query(
        `SELECT seq, chain_version FROM ${s}.audit_log WHERE chain = $1 ORDER BY seq`,
        [chain],
      );
      expect(versions).toEqual([
        { seq: 1, chain_version: 1 },
        { seq: 2, chain_version: 1 },
        { seq: 3, chain_version: 1 },
        { seq: 4, chain_version: 2 },
      ]);
      expect((await audit.verify(chain.slice(4)))[0]).toMatchObject({ valid: true, entries: 4 });
      // An edited legacy entry with the legacy hashes recomputed breaks at the anchor.
      const rows: LogRow[] = await after.query(
        `SELECT * FROM ${s}.audit_log WHERE chain = $1 ORDER BY seq`,
        [chain],
      );
      rows[1].metadata = { seq: 'forged' };
      let forged = '0'.repeat(64);
      await after.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        for (const row of rows.slice(0, 3)) {
          const hash = plainSha256(`${forged}\n${contentOf(row)}`);
          await m.query(
            `UPDATE ${s}.audit_log SET metadata = $3, prev_hash = $4, hash = $5 WHERE chain = $1 AND seq = $2`,
            [chain, row.seq, JSON.stringify(row.metadata), forged, hash],
          );
          forged = hash;
        }
      });
      expect((await audit.verify(chain.slice(4)))[0]).toMatchObject({
        valid: false,
        brokenAtSeq: 3,
      });
      // Deleting the anchor does not help: no later start anchors again once keyed entries exist.
      await after.query(`DELETE FROM ${s}.audit_chain_anchors WHERE chain = $1`, [chain]);
      expect(await audit.anchorLegacy()).toBe(0);
      expect((await audit.verify(chain.slice(4)))[0]).toMatchObject({
        valid: false,
        brokenAtSeq: 1,
        reason: 'entry 1 is an unanchored legacy entry',
      });
    } finally {
      await after.query(`DROP SCHEMA ${s} CASCADE`);
      await after.destroy();
    }
  });
});

describe("a deleted organization's log (issue 16)", () => {
  const ORG_LOG = `query($id: ID!, $first: Int, $after: String) {
    organizationAuditLog(organizationId: $id, first: $first, after: $after) { edges { node { action actorId } } pageInfo { hasNextPage endCursor } } }`;
  const ISSUE =
    'mutation ($n: String!, $s: [String!]!) { issueServiceToken(name: $n, scopes: $s) }';
  const asService = (token: string) => ({ headers: { 'x-service-token': token } });

  async function serviceToken(name: string, scopes: string[]): Promise<string> {
    const issued = await platform.internal<{ issueServiceToken: string }>(
      ISSUE,
      { n: name, s: scopes },
      asService(platform.devServiceToken!),
    );
    if (!issued.body.data) throw new Error(JSON.stringify(issued.body));
    return issued.body.data.issueServiceToken;
  }

  it('is kept, and read through the internal field with audit:read only', async () => {
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
    await eventually(async () => {
      const [{ n }] = await platform.orgs.dataSource.query(
        `SELECT count(*)::int AS n FROM ${s}.audit_log WHERE organization_id = $1`,
        [orgId],
      );
      expect(n).toBe(6);
    });
    // The attack: once the organization is gone, its former ADMIN (or anyone) cannot read it.
    expect(
      codes(await platform.gql(ACCESS_LOG, { id: orgId }, { token: admin.accessToken })),
    ).toEqual(['NOT_FOUND']);

    const auditor = await serviceToken(`auditor-${platform.suffix}`, ['audit:read']);
    const first = await platform.internal<{
      organizationAuditLog: {
        edges: { node: { action: string; actorId: string | null } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(ORG_LOG, { id: orgId, first: 2 }, asService(auditor));
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.organizationAuditLog.edges.map((e) => e.node)).toEqual([
      { action: 'organization.deleted', actorId: admin.id },
      { action: 'member.role_changed', actorId: admin.id },
    ]);
    expect(first.body.data?.organizationAuditLog.pageInfo.hasNextPage).toBe(true);
    const rest = await platform.internal<{
      organizationAuditLog: { edges: { node: { action: string } }[] };
    }>(
      ORG_LOG,
      { id: orgId, first: 10, after: first.body.data?.organizationAuditLog.pageInfo.endCursor },
      asService(auditor),
    );
    expect(rest.body.data?.organizationAuditLog.edges.map((e) => e.node.action)).toEqual([
      'member.role_changed',
      'member.role_changed',
      'member.role_changed',
      'organization.created',
    ]);

    // Without the scope (even with orgs:read): FORBIDDEN; users (even its former ADMIN) and
    // anonymous callers are not let onto the internal listener at all.
    const reader = await serviceToken(`reader-${platform.suffix}`, ['orgs:read']);
    const refusals = [
      await platform.internal(ORG_LOG, { id: orgId }, asService(reader)),
      await platform.internal(ORG_LOG, { id: orgId }, { token: admin.accessToken }),
      await platform.internal(ORG_LOG, { id: orgId }),
    ];
    expect(refusals.map((r) => codes(r))).toEqual([
      ['FORBIDDEN'],
      ['UNAUTHENTICATED'],
      ['UNAUTHENTICATED'],
    ]);
    for (const refused of refusals)
      expect(refused.body.data?.organizationAuditLog ?? null).toBeNull();
    // The public listener does not know the field at all.
    expect(codes(await platform.gql(ORG_LOG, { id: orgId }, { token: admin.accessToken }))).toEqual(
      ['BAD_USER_INPUT'],
    );
  });
});
