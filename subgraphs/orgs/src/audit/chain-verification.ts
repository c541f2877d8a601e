import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  anchorMac,
  entryHash,
  GENESIS,
  KEYED,
  LEGACY,
  type AuditContent,
  type ChainVersion,
} from './audit-chain';

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
  chain_version: ChainVersion;
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
 * (alteration), and the last must be the head the log recorded (removal of the newest). Keyed
 * entries are checked with the key (HMAC), so recomputing hashes after an edit does not help
 * without it. Legacy (plain SHA-256) entries pass only up to the chain's anchor, whose MAC pins
 * the last legacy hash: a chain without a valid anchor cannot hold legacy entries at all.
 */
export async function verifyChain(
  manager: EntityManager,
  schema: string,
  chain: string,
  key: Buffer,
): Promise<ChainReport> {
  const rows: Row[] = await manager.query(
    `SELECT * FROM ${schema}.audit_log WHERE chain = $1 ORDER BY seq ASC`,
    [chain],
  );
  const heads: { seq: number; hash: string }[] = await manager.query(
    `SELECT seq, hash FROM ${schema}.audit_chain_heads WHERE chain = $1`,
    [chain],
  );
  const anchors: { seq: number; hash: string; mac: string }[] = await manager.query(
    `SELECT seq, hash, mac FROM ${schema}.audit_chain_anchors WHERE chain = $1`,
    [chain],
  );
  const anchor =
    anchors[0] && safeEqual(anchors[0].mac, anchorMac(key, chain, anchors[0].seq, anchors[0].hash))
      ? anchors[0]
      : null;
  const broken = (seq: number, reason: string): ChainReport => ({
    chain,
    valid: false,
    entries: rows.length,
    brokenAtSeq: seq,
    reason,
  });
  if (anchors[0] && !anchor) return broken(anchors[0].seq, 'the legacy anchor was altered');
  let prevHash = GENESIS;
  for (const [index, row] of rows.entries()) {
    const expectedSeq = index + 1;
    if (row.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
    if (row.prev_hash !== prevHash)
      return broken(row.seq, `entry ${row.seq} does not follow entry ${row.seq - 1}`);
    const version = row.chain_version;
    if (version !== KEYED && version !== LEGACY)
      return broken(row.seq, `entry ${row.seq} was altered`);
    if (version === LEGACY && (!anchor || row.seq > anchor.seq))
      return broken(row.seq, `entry ${row.seq} is an unanchored legacy entry`);
    if (!safeEqual(entryHash(version, key, prevHash, contentOfRow(row)), row.hash))
      return broken(row.seq, `entry ${row.seq} was altered`);
    if (anchor && row.seq === anchor.seq && (version !== LEGACY || row.hash !== anchor.hash))
      return broken(row.seq, `entry ${row.seq} was altered`);
    prevHash = row.hash;
  }
  if (anchor && anchor.seq > rows.length)
    return broken(rows.length + 1, `entries after ${rows.length} are missing`);
  const head = heads[0] ?? { seq: 0, hash: GENESIS };
  if (head.seq !== rows.length || head.hash !== prevHash)
    return broken(rows.length + 1, `entries after ${rows.length} are missing`);
  return { chain, valid: true, entries: rows.length, brokenAtSeq: null, reason: null };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
