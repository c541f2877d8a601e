import type { DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  consumeOnce,
  isService,
  pageSize,
  schemaOf,
  type Connection,
  type EventBus,
  type EventEnvelope,
  type Logger,
  type Subscription,
  type Viewer,
} from '@bastion/platform';
import { INTERNAL, inScope, scopeOf, scopeParameters, scopeSelect } from '../db/caller-scope';
import type { OrgsLoaders } from '../members/loaders';
import { assertCan, UUID } from '../organizations/permissions';
import {
  AUDITED_EVENTS,
  anchorLegacyEntries,
  appendEntry,
  contentOf,
  type AuditedEvent,
} from './audit-chain';
import { verifyChain, type ChainReport } from './chain-verification';

export const AUDIT_CONSUMER = 'orgs-audit';

export interface AccessLogEntry {
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

const cursorOf = (seq: number) => Buffer.from(String(seq)).toString('base64url');
function seqOf(after: string | null | undefined): number | null {
  if (!after) return null;
  const seq = Number(Buffer.from(after, 'base64url').toString('utf8'));
  if (!Number.isInteger(seq) || seq < 1) throw badInput({ after: 'This cursor is not valid.' });
  return seq;
}

/** The tamper-evident audit log: fed by every service's audit events, read per chain, newest first. */
export class AuditLogService {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    /** AUDIT_CHAIN_KEY: the chain's HMAC key, never stored in the database. */
    private readonly chainKey: Buffer,
  ) {
    this.schema = schemaOf(dataSource);
  }

  /** At start, before the consumer runs: pins the chains' pre-key (SHA-256) entries under the key. */
  async anchorLegacy(): Promise<number> {
    const anchored = await inScope(this.dataSource, INTERNAL, (manager) =>
      anchorLegacyEntries(manager, this.schema, this.chainKey),
    );
    if (anchored > 0)
      this.logger.info(
        { chains: anchored },
        'audit chains with legacy entries anchored under the key',
      );
    return anchored;
  }

  /**
   * Appends an event's entry once per event id (the inbox row and the entry commit together), in
   * three statements between BEGIN and COMMIT: the inbox row taken and, only if it was new, the
   * transaction switched to the internal scope (one statement: the inbox is the service's own
   * table, written with the role the statement starts with); then `appendEntry`'s two. A
   * redelivered event finds its inbox row and changes nothing.
   */
  async handle(event: EventEnvelope<AuditedEvent>): Promise<boolean> {
    const content = contentOf(event);
    return consumeOnce(
      this.dataSource,
      AUDIT_CONSUMER,
      event,
      async (manager) => {
        await appendEntry(manager, this.schema, this.chainKey, content);
      },
      { alongside: { select: scopeSelect(3), parameters: scopeParameters(INTERNAL) } },
    );
  }

  subscribe(bus: EventBus): Promise<Subscription> {
    return bus.subscribe(AUDIT_CONSUMER, [...AUDITED_EVENTS], async (event) => {
      await this.handle(event);
    });
  }

  /** An organization's log for its ADMINs (audit:read), newest first, optionally one action. */
  async accessLog(
    viewer: Viewer,
    organizationId: string,
    loaders: OrgsLoaders,
    first?: number | null,
    after?: string | null,
    action?: string | null,
  ) {
    await assertCan(viewer, 'audit:read', organizationId, loaders.accessOf);
    return this.page(viewer, `org:${organizationId.toLowerCase()}`, first, after, action);
  }

  /**
   * Any organization's log, a deleted one's included (entries outlive their organization and no
   * ADMIN is left to read them): internal callers only, with `audit:read` (the field's tier).
   */
  organizationLog(
    viewer: Viewer,
    organizationId: string,
    first?: number | null,
    after?: string | null,
    action?: string | null,
  ) {
    if (!isService(viewer))
      throw new AppError('FORBIDDEN', { message: 'This field is for internal services.' });
    if (!UUID.test(organizationId)) throw new AppError('NOT_FOUND');
    return this.page(viewer, `org:${organizationId.toLowerCase()}`, first, after, action);
  }

  /** The user's own security events (sign-ins, failures, password and email changes, sessions). */
  securityEvents(viewer: Viewer, userId: string, first?: number | null, after?: string | null) {
    if (!UUID.test(userId)) throw new AppError('NOT_FOUND');
    return this.page(viewer, `user:${userId.toLowerCase()}`, first, after, null);
  }

  /**
   * The organization's chain checked for those who may read its log (audit:read, its ADMINs). The
   * check reads every entry of the chain; the field's cost weight keeps it within the caller's budget.
   */
  async checkForAdmins(
    viewer: Viewer,
    organizationId: string,
    loaders: OrgsLoaders,
  ): Promise<ChainReport> {
    await assertCan(viewer, 'audit:read', organizationId, loaders.accessOf);
    const [report] = await this.verify(organizationId);
    return report;
  }

  /** Verifies one organization's chain, or every chain when none is named. Logs where a chain breaks. */
  async verify(organizationId: string | null | undefined): Promise<ChainReport[]> {
    if (organizationId !== null && organizationId !== undefined && !UUID.test(organizationId))
      throw new AppError('NOT_FOUND');
    return inScope(this.dataSource, INTERNAL, async (manager) => {
      const chains = organizationId
        ? [`org:${organizationId.toLowerCase()}`]
        : (
            (await manager.query(
              `SELECT chain FROM ${this.schema}.audit_chain_heads ORDER BY chain`,
            )) as { chain: string }[]
          ).map((r) => r.chain);
      const reports: ChainReport[] = [];
      for (const chain of chains) {
        const report = await verifyChain(manager, this.schema, chain, this.chainKey);
        if (!report.valid)
          this.logger.warn(
            { chain, seq: report.brokenAtSeq, reason: report.reason },
            'audit chain broken',
          );
        reports.push(report);
      }
      return reports;
    });
  }

  private async page(
    viewer: Viewer,
    chain: string,
    first?: number | null,
    after?: string | null,
    action?: string | null,
  ): Promise<Connection<AccessLogEntry>> {
    const limit = pageSize(first, 20);
    const before = seqOf(after);
    // The caller's own scope: row-level security admits only an organization's ADMINs and the user himself.
    const rows: (AccessLogEntry & { seq: number })[] = await inScope(
      this.dataSource,
      scopeOf(viewer),
      (manager) =>
        manager.query(
          `SELECT id, seq, at, actor_id AS "actorId", action, target_type AS "targetType", target_id AS "targetId", ip, metadata
       FROM ${this.schema}.audit_log WHERE chain = $1 AND ($2::int IS NULL OR seq < $2) AND ($3::text IS NULL OR action = $3)
       ORDER BY seq DESC LIMIT $4`,
          [chain, before, action ?? null, limit + 1],
        ),
    );
    const page = rows.slice(0, limit);
    return {
      edges: page.map((node) => ({ cursor: cursorOf(node.seq), node })),
      pageInfo: {
        hasNextPage: rows.length > limit,
        endCursor: page.length > 0 ? cursorOf(page[page.length - 1].seq) : null,
      },
    };
  }
}
