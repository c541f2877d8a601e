import type { EntityManager } from 'typeorm';
import type { ClientInfo } from '../auth/forwarded-claims';
import { enqueueEvent } from '../events/outbox';

/** One audit entry. Each service names its own actions (`A`); the names are API for the log's readers. */
export interface AuditEntry<A extends string = string> {
  /** The organization the entry belongs to; left out by services that act on users only. */
  organizationId?: string | null;
  /** The user or service that acted; null when nobody is signed in (e.g. a failed login). */
  actorId: string | null;
  action: A;
  targetType: string;
  targetId: string | null;
  /** Where the request came from; null when no client made it. */
  client: ClientInfo | null;
  metadata?: Record<string, unknown>;
}

/**
 * The one writer of AUDIT_RECORDED: an event in the caller's transaction, leaving through the
 * outbox with the change or not at all. The orgs service's consumer keeps the log
 * (docs/security.md "Audit log").
 */
export async function recordAudit<A extends string>(
  manager: EntityManager,
  entry: AuditEntry<A>,
): Promise<void> {
  await enqueueEvent(manager, 'AUDIT_RECORDED', auditPayload(entry));
}

/** The AUDIT_RECORDED payload of an entry, for a writer that inserts the outbox row itself. */
export function auditPayload<A extends string>(entry: AuditEntry<A>) {
  return {
    ...(entry.organizationId !== undefined && { organizationId: entry.organizationId }),
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: entry.client?.ip ?? null,
    userAgent: entry.client?.userAgent ?? null,
    metadata: entry.metadata ?? {},
    at: new Date().toISOString(),
  };
}
