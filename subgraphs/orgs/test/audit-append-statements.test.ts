import { createHmac, randomUUID } from 'node:crypto';
import { canonicalJson, type EventEnvelope } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  isRelayStatement,
  statementsOf,
  startTestPlatform,
  TEST_AUDIT_CHAIN_KEY,
  type TestPlatform,
} from '@bastion/testing';
import type { AuditedEvent } from '../src/audit/audit-chain';
import { schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

/**
 * One audit event appended to its chain, written down from the design (docs/performance.md
 * "Statements per login"), not from a run: the inbox row taken and the transaction switched to
 * the internal scope in one statement; the chain's head made or found and locked in one upsert;
 * the entry inserted and the head moved in one statement.
 */
const EXPECTED_APPEND = [
  /^START TRANSACTION$/,
  /^WITH claimed AS \( INSERT INTO \S+\.inbox \(consumer, event_id, handled_at\) .* ON CONFLICT DO NOTHING RETURNING event_id \) SELECT set_config\('role', \$3, true\), set_config\('bastion\.user_id', \$4, true\), set_config\('bastion\.internal', \$5, true\) FROM claimed$/,
  /^INSERT INTO \S+\.audit_chain_heads AS h \(chain, seq, hash\) VALUES \(\$1, 0, \$2\) ON CONFLICT \(chain\) DO UPDATE SET seq = h\.seq RETURNING seq, hash$/,
  /^WITH moved AS \( UPDATE \S+\.audit_chain_heads SET .* RETURNING chain \) INSERT INTO \S+\.audit_log \(.*\) SELECT .* FROM moved RETURNING id$/,
  /^COMMIT$/,
];
/** A redelivered event: its inbox row is there, nothing else is read or written. */
const EXPECTED_REDELIVERY = [EXPECTED_APPEND[0], EXPECTED_APPEND[1], /^COMMIT$/];

const event = (organizationId: string, action: string): EventEnvelope<AuditedEvent> => ({
  id: randomUUID(),
  type: 'AUDIT_RECORDED',
  source: 'test',
  occurredAt: new Date().toISOString(),
  data: {
    organizationId,
    actorId: null,
    action,
    targetType: 'organization',
    targetId: organizationId,
    ip: '203.0.113.7',
    userAgent: 'jest',
    metadata: { n: action },
    at: new Date().toISOString(),
  },
});

function expectStatements(captured: string[], expected: RegExp[]) {
  // The platform's relays poll their outboxes on a timer: those claims are not the append's.
  const seen = captured.filter((statement) => !isRelayStatement(statement));
  expect(seen).toHaveLength(expected.length);
  seen.forEach((statement, index) => expect(statement).toMatch(expected[index]));
}

/** The chain's entries re-hashed here, from the definition (HMAC-SHA256 over the previous hash, a newline and the canonical JSON). */
async function recomputed(chain: string) {
  const rows: Record<string, unknown>[] = await platform.orgs.dataSource.query(
    `SELECT * FROM ${schema(platform)}.audit_log WHERE chain = $1 ORDER BY seq`,
    [chain],
  );
  let prev = '0'.repeat(64);
  return rows.map((row) => {
    const content = canonicalJson({
      eventId: row.event_id,
      chain: row.chain,
      seq: row.seq,
      organizationId: row.organization_id,
      subjectUserId: row.subject_user_id,
      at: new Date(row.at as string).toISOString(),
      actorId: row.actor_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      ip: row.ip,
      userAgent: row.user_agent,
      metadata: row.metadata,
    });
    const hash = createHmac('sha256', TEST_AUDIT_CHAIN_KEY)
      .update(`${prev}\n${content}`)
      .digest('hex');
    const ok = row.prev_hash === prev && row.hash === hash;
    prev = hash;
    return { seq: row.seq, action: row.action, ok };
  });
}

describe('audit events: statements per append', () => {
  it('appends in the hand-counted statements, to a new chain and an existing one; a redelivery only finds its inbox row', async () => {
    const orgId = randomUUID();
    const chain = `org:${orgId}`;
    const handle = platform.orgs.services.handleAuditEvent;
    const first = event(orgId, 'test.first');
    expectStatements(
      await statementsOf(platform.orgs.dataSource, () => handle(first)),
      EXPECTED_APPEND,
    );
    expectStatements(
      await statementsOf(platform.orgs.dataSource, () => handle(event(orgId, 'test.second'))),
      EXPECTED_APPEND,
    );
    expectStatements(
      await statementsOf(platform.orgs.dataSource, () => handle(first)),
      EXPECTED_REDELIVERY,
    );
    expect(await recomputed(chain)).toEqual([
      { seq: 1, action: 'test.first', ok: true },
      { seq: 2, action: 'test.second', ok: true },
    ]);
    const [head] = await platform.orgs.dataSource.query(
      `SELECT seq FROM ${schema(platform)}.audit_chain_heads WHERE chain = $1`,
      [chain],
    );
    expect(head).toEqual({ seq: 2 });
  });

  it('concurrent appends to one new chain take turns: every entry names its true predecessor', async () => {
    const orgId = randomUUID();
    const chain = `org:${orgId}`;
    const actions = Array.from({ length: 12 }, (_, i) => `test.concurrent.${i}`);
    await Promise.all(
      actions.map((action) => platform.orgs.services.handleAuditEvent(event(orgId, action))),
    );
    const entries = await recomputed(chain);
    expect(entries.map((e) => e.seq)).toEqual(actions.map((_, i) => i + 1));
    expect(entries.every((e) => e.ok)).toBe(true);
    expect(entries.map((e) => e.action).sort()).toEqual([...actions].sort());
    const [report] = await platform.orgs.services.audit.verify(orgId);
    expect(report).toEqual({ chain, valid: true, entries: 12, brokenAtSeq: null, reason: null });
  });
});
