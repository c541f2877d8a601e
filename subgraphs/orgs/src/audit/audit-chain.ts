import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson, type EventEnvelope } from '@bastion/platform';
import { UUID } from '../organizations/permissions';

/** The first entry of every chain points at this instead of a previous hash. */
export const GENESIS = '0'.repeat(64);

/** What an entry says; its hash covers exactly this, with its chain position and the previous hash. */
export interface AuditContent {
  eventId: string;
  chain: string;
  seq: number;
  organizationId: string | null;
  subjectUserId: string | null;
  at: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  metadata: Record<string, unknown>;
}

/**
 * How an entry's hash is made. 1: plain SHA-256 (entries written before the chain was keyed;
 * anyone with the database could recompute them). 2: HMAC-SHA256 with AUDIT_CHAIN_KEY, a key
 * kept outside the database, so rewriting an entry means forging every later link.
 */
export type ChainVersion = 1 | 2;
export const KEYED: ChainVersion = 2;
export const LEGACY: ChainVersion = 1;

export function entryHash(
  version: ChainVersion,
  key: Buffer,
  prevHash: string,
  content: AuditContent,
): string {
  const input = `${prevHash}\n${canonicalJson(content)}`;
  return version === KEYED
    ? createHmac('sha256', key).update(input).digest('hex')
    : createHash('sha256').update(input).digest('hex');
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * Which chain an event joins: its organization's, else the user it concerns (personal security
 * events: sign-ins, failures, password and email changes, sessions), else the platform's.
 */
export function chainOf(
  data: Record<string, unknown>,
): Pick<AuditContent, 'chain' | 'organizationId' | 'subjectUserId'> {
  const organizationId = str(data.organizationId);
  if (organizationId && UUID.test(organizationId))
    return { chain: `org:${organizationId.toLowerCase()}`, organizationId, subjectUserId: null };
  const target = str(data.targetId);
  const actor = str(data.actorId);
  const subject =
    data.targetType === 'user' && target && UUID.test(target)
      ? target
      : actor && UUID.test(actor)
        ? actor
        : null;
  return subject
    ? { chain: `user:${subject.toLowerCase()}`, organizationId: null, subjectUserId: subject }
    : { chain: 'platform', organizationId: null, subjectUserId: null };
}

/** The events the audit log is made of: AUDIT_RECORDED, and typed events that are also audit entries. */
export const AUDITED_EVENTS = [
  'AUDIT_RECORDED',
  'ORGANIZATION_DELETED',
  'SSO_CONNECTION_CHANGED',
  'SSO_DOMAIN_VERIFIED',
  'SSO_SIGN_IN',
  'SSO_SIGN_IN_FAILED',
] as const;
export type AuditedEvent = (typeof AUDITED_EVENTS)[number];

/**
 * The entry an event becomes: AUDIT_RECORDED as sent; ORGANIZATION_DELETED as
 * `organization.deleted`; auth's SSO events as `sso.*` entries of their organization.
 */
export function contentOf(event: EventEnvelope<AuditedEvent>): Omit<AuditContent, 'seq'> {
  const at = new Date(str(event.data.at) ?? event.occurredAt);
  const common = {
    eventId: event.id,
    ...chainOf(event.data),
    at: (Number.isNaN(at.getTime()) ? new Date(event.occurredAt) : at).toISOString(),
    actorId: str((event.data as { actorId?: unknown }).actorId),
    ip: str(event.data.ip),
    userAgent: str(event.data.userAgent),
  };
  if (event.type !== 'AUDIT_RECORDED' && event.type !== 'ORGANIZATION_DELETED')
    return { ...common, ...ssoEntry(event as EventEnvelope<SsoEvent>) };
  if (event.type === 'ORGANIZATION_DELETED') {
    const { data } = event;
    return {
      ...common,
      action: 'organization.deleted',
      targetType: 'organization',
      targetId: str(data.organizationId),
      metadata: { name: data.name, reason: data.reason, memberIds: data.memberIds },
    };
  }
  const { data } = event;
  return {
    ...common,
    action: data.action,
    targetType: data.targetType,
    targetId: str(data.targetId),
    metadata: data.metadata,
  };
}

type SsoEvent = Exclude<AuditedEvent, 'AUDIT_RECORDED' | 'ORGANIZATION_DELETED'>;

/** What an SSO event says in its organization's log (action names are API). */
function ssoEntry(
  event: EventEnvelope<SsoEvent>,
): Pick<AuditContent, 'action' | 'targetType' | 'targetId' | 'metadata' | 'actorId'> {
  switch (event.type) {
    case 'SSO_CONNECTION_CHANGED': {
      const { data } = event as EventEnvelope<'SSO_CONNECTION_CHANGED'>;
      return {
        action: `sso.connection_${data.change}`,
        actorId: data.actorId,
        targetType: 'sso_connection',
        targetId: data.connectionId,
        metadata: { kind: data.kind, name: data.name },
      };
    }
    case 'SSO_DOMAIN_VERIFIED': {
      const { data } = event as EventEnvelope<'SSO_DOMAIN_VERIFIED'>;
      return {
        action: 'sso.domain_verified',
        actorId: data.actorId,
        targetType: 'sso_domain',
        targetId: data.domainId,
        metadata: { domain: data.domain, method: data.method },
      };
    }
    case 'SSO_SIGN_IN': {
      const { data } = event as EventEnvelope<'SSO_SIGN_IN'>;
      return {
        action: 'sso.sign_in',
        actorId: data.userId,
        targetType: 'user',
        targetId: data.userId,
        metadata: { connectionId: data.connectionId, account: data.account, role: data.role },
      };
    }
    case 'SSO_SIGN_IN_FAILED': {
      const { data } = event as EventEnvelope<'SSO_SIGN_IN_FAILED'>;
      return {
        action: 'sso.sign_in_failed',
        actorId: null,
        targetType: 'sso_connection',
        targetId: data.connectionId,
        metadata: { reason: data.reason },
      };
    }
  }
}

/**
 * Appends an entry at the end of its chain, in two statements of the caller's transaction:
 * 1. the chain's head, made at GENESIS if the chain is new, read and row-locked for the
 *    transaction by one upsert (`ON CONFLICT DO UPDATE` locks the row it finds and returns its
 *    latest committed version), so concurrent appends to one chain take turns and every entry
 *    names its true predecessor;
 * 2. the entry inserted and the head moved to it, one statement (the insert reads the head's
 *    update, so neither happens without the other).
 * The hash is computed here between the two, as `entryHash` defines it.
 */
export async function appendEntry(
  manager: EntityManager,
  schema: string,
  key: Buffer,
  content: Omit<AuditContent, 'seq'>,
): Promise<AuditContent> {
  const [head]: { seq: number; hash: string }[] = await manager.query(
    `INSERT INTO ${schema}.audit_chain_heads AS h (chain, seq, hash) VALUES ($1, 0, $2)
     ON CONFLICT (chain) DO UPDATE SET seq = h.seq RETURNING seq, hash`,
    [content.chain, GENESIS],
  );
  const entry: AuditContent = { ...content, seq: head.seq + 1 };
  const hash = entryHash(KEYED, key, head.hash, entry);
  const written: unknown[] = await manager.query(
    `WITH moved AS (
       UPDATE ${schema}.audit_chain_heads SET seq = $4, hash = $16 WHERE chain = $3 AND seq = $18 RETURNING chain
     )
     INSERT INTO ${schema}.audit_log (id, event_id, chain, seq, organization_id, subject_user_id, at, actor_id, action, target_type,
       target_id, ip, user_agent, metadata, prev_hash, hash, chain_version)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 FROM moved RETURNING id`,
    [
      randomUUID(),
      entry.eventId,
      entry.chain,
      entry.seq,
      entry.organizationId,
      entry.subjectUserId,
      entry.at,
      entry.actorId,
      entry.action,
      entry.targetType,
      entry.targetId,
      entry.ip,
      entry.userAgent,
      JSON.stringify(entry.metadata),
      head.hash,
      hash,
      KEYED,
      head.seq,
    ],
  );
  // The head is locked since statement 1, so it is where that statement left it.
  if (written.length !== 1) throw new Error(`audit chain ${entry.chain} moved under its lock`);
  return entry;
}

/** An anchor's MAC: binds a chain's last legacy (SHA-256) entry to the key. */
export function anchorMac(key: Buffer, chain: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`anchor\n${chain}\n${seq}\n${hash}`).digest('hex');
}

/**
 * Re-anchors the entries written before the chain was keyed: for every chain holding legacy
 * entries and no anchor yet, records its last legacy entry (position and hash) under a MAC with
 * the key. Verification then accepts legacy links only up to that anchor, so an attacker can
 * neither rewrite the legacy part (its last hash is pinned) nor pass keyed entries off as legacy
 * ones. Runs at start, after the migrations (which cannot see the key), and only while the log
 * holds no keyed entry yet: the first start with a key anchors every legacy chain, and an anchor
 * deleted later is never silently re-made (the chain then reports its legacy entries unanchored).
 */
export async function anchorLegacyEntries(
  manager: EntityManager,
  schema: string,
  key: Buffer,
): Promise<number> {
  // One start anchors at a time; a second finds the work done (or keyed entries present).
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${schema}:audit-anchor`]);
  const keyed: unknown[] = await manager.query(
    `SELECT 1 FROM ${schema}.audit_log WHERE chain_version = ${KEYED} LIMIT 1`,
  );
  if (keyed.length > 0) return 0;
  const rows: { chain: string; seq: number; hash: string }[] = await manager.query(
    `SELECT DISTINCT ON (l.chain) l.chain, l.seq, l.hash FROM ${schema}.audit_log l
     WHERE l.chain_version = ${LEGACY}
       AND NOT EXISTS (SELECT 1 FROM ${schema}.audit_chain_anchors a WHERE a.chain = l.chain)
     ORDER BY l.chain, l.seq DESC`,
  );
  for (const row of rows)
    await manager.query(
      `INSERT INTO ${schema}.audit_chain_anchors (chain, seq, hash, mac) VALUES ($1, $2, $3, $4)
       ON CONFLICT (chain) DO NOTHING`,
      [row.chain, row.seq, row.hash, anchorMac(key, row.chain, row.seq, row.hash)],
    );
  return rows.length;
}
