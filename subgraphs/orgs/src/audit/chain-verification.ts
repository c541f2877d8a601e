import type { EntityManager } from 'typeorm';
import { entryHash, GENESIS, type AuditContent } from './audit-chain';

export interface ChainReport {
  chain: string;
  valid: boolean;
  entries: number;
  /** The position where the chain first breaks, and why; null when valid. */
  brokenAtSeq: number | null;
  reason: string | null;
}

interface Row {
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
  prev_hash: string;
  hash: string;
}

function contentOfRow(row: Row): AuditContent {
  return {
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
  };
}

/**
 * Walks a chain from its first entry: positions must run 1, 2, 3… without a gap (removal), each
 * entry must name its predecessor's hash (reordering) and hash to its own stored hash
 * (alteration), and the last must be the head the log recorded (removal of the newest).
 */
export async function verifyChain(
  manager: EntityManager,
  schema: string,
  chain: string,
): Promise<ChainReport> {
  const rows: Row[] = await manager.query(
    `SELECT * FROM ${schema}.audit_log WHERE chain = $1 ORDER BY seq ASC`,
    [chain],
  );
  const heads: { seq: number; hash: string }[] = await manager.query(
    `SELECT seq, hash FROM ${schema}.audit_chain_heads WHERE chain = $1`,
    [chain],
  );
  const broken = (seq: number, reason: string): ChainReport => ({
    chain,
    valid: false,
    entries: rows.length,
    brokenAtSeq: seq,
    reason,
  });
  let prevHash = GENESIS;
  for (const [index, row] of rows.entries()) {
    const expectedSeq = index + 1;
    if (row.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
    if (row.prev_hash !== prevHash)
      return broken(row.seq, `entry ${row.seq} does not follow entry ${row.seq - 1}`);
    if (entryHash(prevHash, contentOfRow(row)) !== row.hash)
      return broken(row.seq, `entry ${row.seq} was altered`);
    prevHash = row.hash;
  }
  const head = heads[0] ?? { seq: 0, hash: GENESIS };
  if (head.seq !== rows.length || head.hash !== prevHash)
    return broken(rows.length + 1, `entries after ${rows.length} are missing`);
  return { chain, valid: true, entries: rows.length, brokenAtSeq: null, reason: null };
}
