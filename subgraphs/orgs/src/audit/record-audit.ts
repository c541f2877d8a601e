import type { EntityManager } from 'typeorm';
import { enqueueEvent, type ClientInfo } from '@bastion/platform';

/** Actions orgs reports to the audit log. Names are API for the log's readers. */
export type OrgsAuditAction =
  | 'organization.created'
  | 'organization.updated'
  | 'member.invited'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.left'
  | 'member.promoted';

export interface OrgsAuditEntry {
  organizationId: string;
  actorId: string | null;
  action: OrgsAuditAction;
  targetType: string;
  targetId: string | null;
  client: ClientInfo | null;
  metadata?: Record<string, unknown>;
}

/**
 * Records an audit event in the caller's transaction. It leaves through the outbox like every
 * other service's, so the log has one writer (the consumer) and one ordering per chain.
 */
export async function recordAudit(manager: EntityManager, entry: OrgsAuditEntry): Promise<void> {
  await enqueueEvent(manager, 'AUDIT_RECORDED', {
    organizationId: entry.organizationId,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: entry.client?.ip ?? null,
    userAgent: entry.client?.userAgent ?? null,
    metadata: entry.metadata ?? {},
    at: new Date().toISOString(),
  });
}
