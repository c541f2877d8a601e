import type { EntityManager } from 'typeorm';
import { enqueueEvent, type ClientInfo } from '@bastion/platform';

/** Actions auth reports to the audit log (orgs keeps the log). Names are API for the log's readers. */
export type AuditAction =
  | 'user.registered'
  | 'user.login'
  | 'user.login_failed'
  | 'user.logout'
  | 'user.logout_all'
  | 'session.revoked'
  | 'user.password_changed'
  | 'user.password_reset'
  | 'user.email_change_requested'
  | 'user.email_changed'
  | 'user.email_verified'
  | 'user.profile_updated'
  | 'user.deleted'
  | 'oauth.linked'
  | 'oauth.unlinked'
  | 'service_token.issued'
  | 'service_token.revoked'
  | 'organization.switched';

export interface AuditEntry {
  /** The user or service that acted; null when nobody is signed in (e.g. a failed login). */
  actorId: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  client: ClientInfo;
  metadata?: Record<string, unknown>;
}

/** Records an audit event in the caller's transaction; it leaves through the outbox. */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await enqueueEvent(manager, 'AUDIT_RECORDED', {
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: entry.client.ip,
    userAgent: entry.client.userAgent,
    metadata: entry.metadata ?? {},
    at: new Date().toISOString(),
  });
}
