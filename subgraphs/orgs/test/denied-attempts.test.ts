import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  createLogger,
  DeniedAttemptRecorder,
  MemoryRateLimiter,
  schemaOf,
  type UserViewer,
} from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { addMember, codes, INVITE, orgWithAdmin, schema } from './helpers';

// Issue 16: refused attempts are audited, and an attacker cannot make the log grow without bound.
// The bound, written here from the issue: 10 entries per actor and window, then one summary.
const PER_ACTOR = 10;

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

const ACCESS_LOG = `query($id: ID!, $action: String) {
  accessLog(organizationId: $id, first: 50, action: $action) { edges { node { action actorId targetId metadata } } } }`;

interface Recorded {
  organizationId: string | null;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  metadata: Record<string, unknown>;
}

/**
 * The AUDIT_RECORDED events a service's outbox holds for an actor. A refusal is recorded before
 * its answer is sent, so these are complete as soon as the requests have returned.
 */
async function recorded(dataSource: DataSource, actorId: string): Promise<Recorded[]> {
  const rows: { data: Recorded }[] = await dataSource.query(
    `SELECT data FROM ${schemaOf(dataSource)}.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'actorId' = $1
     AND data->>'action' LIKE 'access.denied%' ORDER BY occurred_at, id`,
    [actorId],
  );
  return rows.map((r) => r.data);
}

function viewerOf(user: TestUser): UserViewer {
  return {
    kind: 'user',
    userId: user.id,
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
}

describe('refused attempts are audited (issue 16)', () => {
  it("a VIEWER's refused invitation is recorded in the organization's log, and nothing else changes", async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const viewer = await addMember(platform, orgId, 'VIEWER');
    const email = uniqueEmail('refused');
    expect(
      codes(
        await platform.gql(
          INVITE,
          { org: orgId, email, role: 'ADMIN' },
          { token: viewer.accessToken },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    const events = await recorded(platform.orgs.dataSource, viewer.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      organizationId: orgId,
      actorId: viewer.id,
      action: 'access.denied',
      targetType: 'field',
      targetId: 'orgs:inviteMember',
      ip: expect.any(String),
      metadata: {
        service: 'orgs',
        field: 'inviteMember',
        operation: 'mutation Invite',
        code: 'FORBIDDEN',
        reason: 'Your role (VIEWER) cannot do member:invite.',
        permission: 'member:invite',
        count: 1,
      },
    });
    const invitations = await platform.orgs.dataSource.query(
      `SELECT id FROM ${schema(platform)}.invitations WHERE email = $1`,
      [email],
    );
    expect(invitations).toEqual([]);
    // The organization's ADMINs read it in their log.
    await eventually(async () => {
      const log = await platform.gql<{
        accessLog: { edges: { node: { actorId: string; metadata: { permission: string } } }[] };
      }>(ACCESS_LOG, { id: orgId, action: 'access.denied' }, { token: admin.accessToken });
      expect(log.body.data?.accessLog.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({
          actorId: viewer.id,
          metadata: expect.objectContaining({ permission: 'member:invite' }),
        }),
      ]);
    });
  });

  it('an attacker repeating refused requests writes at most 10 entries and one summary per window', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const viewer = await addMember(platform, orgId, 'VIEWER');
    for (let i = 0; i < PER_ACTOR + 6; i += 1) {
      expect(
        codes(
          await platform.gql(
            `mutation { removeMember(organizationId: "${orgId}", userId: "${admin.id}") }`,
            {},
            { token: viewer.accessToken },
          ),
        ),
      ).toEqual(['FORBIDDEN']);
    }
    const events = await recorded(platform.orgs.dataSource, viewer.id);
    expect(events.map((e) => e.action)).toEqual([
      ...Array<string>(PER_ACTOR).fill('access.denied'),
      'access.denied.suppressed',
    ]);
    expect(events[PER_ACTOR].metadata).toEqual({
      service: 'orgs',
      limit: PER_ACTOR,
      windowSeconds: 600,
    });
    // All of it reaches the log: eleven entries, not sixteen.
    await eventually(async () => {
      const [{ n }] = await platform.orgs.dataSource.query(
        `SELECT count(*)::int AS n FROM ${schema(platform)}.audit_log WHERE actor_id = $1 AND action LIKE 'access.denied%'`,
        [viewer.id],
      );
      expect(n).toBe(PER_ACTOR + 1);
    });
  });

  it('tier refusals (graphql-shield) are recorded too, in whichever subgraph refuses', async () => {
    const { admin } = await orgWithAdmin(platform);
    const asUser = viewerOf(admin);
    expect(codes(await platform.subgraph('orgs', asUser, '{ verifyAuditChain }'))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      codes(await platform.subgraph('credits', asUser, `{ creditBalance(userId: "${admin.id}") }`)),
    ).toEqual(['FORBIDDEN']);
    expect((await recorded(platform.orgs.dataSource, admin.id)).map((e) => e.targetId)).toEqual([
      'orgs:verifyAuditChain',
    ]);
    const credits = await recorded(platform.credits.dataSource, admin.id);
    expect(credits).toEqual([
      expect.objectContaining({
        organizationId: null,
        action: 'access.denied',
        targetId: 'credits:creditBalance',
        metadata: expect.objectContaining({
          service: 'credits',
          reason: 'This field is for internal services.',
          permission: null,
        }),
      }),
    ]);
    // No organization named: each joins the user's own chain, their security events.
    await eventually(async () => {
      const me = await platform.gql<{
        me: { securityEvents: { edges: { node: { action: string; targetId: string } }[] } };
      }>(
        `{ me { securityEvents(first: 50) { edges { node { action targetId } } } } }`,
        {},
        {
          token: admin.accessToken,
        },
      );
      expect(
        me.body.data?.me.securityEvents.edges
          .map((e) => e.node)
          .filter((n) => n.action === 'access.denied')
          .map((n) => n.targetId)
          .sort(),
      ).toEqual(['credits:creditBalance', 'orgs:verifyAuditChain']);
    });
  });

  it("one request refused in two organizations: one entry in each organization's log", async () => {
    const { orgId } = await orgWithAdmin(platform);
    const viewer = await addMember(platform, orgId, 'VIEWER');
    const { orgId: second } = await orgWithAdmin(platform);
    await addMember(platform, second, 'VIEWER', viewer);
    const response = await platform.gql(
      `query Both($a: ID!, $b: ID!) { a: organization(id: $a) { invitations(first: 5) { id } } b: organization(id: $b) { invitations(first: 5) { id } } }`,
      { a: orgId, b: second },
      { token: viewer.accessToken },
    );
    expect(codes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const events = await recorded(platform.orgs.dataSource, viewer.id);
    expect(events.map((e) => [e.organizationId, e.targetId, e.metadata.permission]).sort()).toEqual(
      [
        [orgId, 'orgs:a.invitations', 'invitation:read'],
        [second, 'orgs:b.invitations', 'invitation:read'],
      ].sort(),
    );
  });

  it('many actors together are bounded too: past the overall limit nothing more is written in the window', async () => {
    const service = `bounded${platform.suffix}`;
    const recorder = new DeniedAttemptRecorder(
      platform.orgs.dataSource,
      new MemoryRateLimiter(),
      createLogger({ name: 'test', level: 'silent' }),
      service,
      () => {},
      { perActor: 2, overall: 3, windowSeconds: 600 },
    );
    const actors = Array.from({ length: 5 }, () => randomUUID());
    for (const userId of actors)
      await recorder.record({
        viewer: { ...viewerOf({ id: userId } as TestUser) },
        client: null,
        field: 'x',
        operation: null,
        reason: 'refused',
        count: 1,
      });
    const [{ n }] = await platform.orgs.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema(platform)}.outbox WHERE type = 'AUDIT_RECORDED' AND data->'metadata'->>'service' = $1`,
      [service],
    );
    expect(n).toBe(3);
  });
});
