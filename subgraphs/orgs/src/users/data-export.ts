import type { DataSource } from 'typeorm';
import { schemaOf } from '@bastion/platform';
import { INTERNAL, inScope } from '../db/caller-scope';
import { UUID } from '../organizations/permissions';

/** One audit entry as a user's export shows it. */
interface ExportedAuditEntry {
  id: string;
  at: string;
  organizationId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

/** Orgs' part of a user's data export (README "Your data"). */
export interface OrgsUserData {
  memberships: {
    organizationId: string;
    organizationName: string;
    role: string;
    joinedAt: string;
  }[];
  /** The user's own security events (the chain `securityEvents` reads), oldest first. */
  securityEvents: ExportedAuditEntry[];
  /** What the user did in organizations' logs (they are the actor), oldest first. */
  organizationAuditEntries: ExportedAuditEntry[];
}

interface AuditRow {
  id: string;
  at: Date;
  chain: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * Reads everything orgs keeps about one user, for auth's export gathering (scope users:export,
 * the field's tier). Internal scope: the entries sit in organizations' chains too, which the user's
 * own row-level scope would hide once they left the organization.
 */
export class OrgsDataExport {
  private readonly schema: string;

  constructor(private readonly dataSource: DataSource) {
    this.schema = schemaOf(dataSource);
  }

  async of(userId: string): Promise<OrgsUserData> {
    if (!UUID.test(userId))
      return { memberships: [], securityEvents: [], organizationAuditEntries: [] };
    const id = userId.toLowerCase();
    return inScope(this.dataSource, INTERNAL, async (manager) => {
      const memberships = (await manager.query(
        `SELECT m.organization_id AS "organizationId", o.name AS "organizationName", m.role, m.joined_at AS "joinedAt"
           FROM ${this.schema}.memberships m JOIN ${this.schema}.organizations o ON o.id = m.organization_id
          WHERE m.user_id = $1 ORDER BY m.joined_at, m.organization_id`,
        [id],
      )) as { organizationId: string; organizationName: string; role: string; joinedAt: Date }[];
      const columns = `id, at, chain, action, target_type AS "targetType", target_id AS "targetId", ip, metadata`;
      const security = (await manager.query(
        `SELECT ${columns} FROM ${this.schema}.audit_log WHERE chain = $1 ORDER BY seq`,
        [`user:${id}`],
      )) as AuditRow[];
      const inOrganizations = (await manager.query(
        `SELECT ${columns} FROM ${this.schema}.audit_log
          WHERE actor_id = $1 AND chain LIKE 'org:%' ORDER BY at, seq`,
        [id],
      )) as AuditRow[];
      return {
        memberships: memberships.map((m) => ({
          ...m,
          joinedAt: new Date(m.joinedAt).toISOString(),
        })),
        securityEvents: security.map(exported),
        organizationAuditEntries: inOrganizations.map(exported),
      };
    });
  }
}

function exported(row: AuditRow): ExportedAuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    organizationId: row.chain.startsWith('org:') ? row.chain.slice('org:'.length) : null,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    metadata: row.metadata ?? {},
  };
}
