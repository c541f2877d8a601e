import type { EntityManager } from 'typeorm';
import { recordAudit, type ClientInfo } from '@bastion/platform';

/** SSO actions in the organization's audit log besides the typed SSO_* events. Names are API. */
export type SsoAuditAction = 'sso.domain_added' | 'sso.domain_removed';

/** An entry of the organization's chain (orgs keeps the log; it leaves through the outbox). */
export function recordSsoAudit(
  manager: EntityManager,
  organizationId: string,
  actor: { id: string; client: ClientInfo | null },
  action: SsoAuditAction,
  domainId: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  return recordAudit<SsoAuditAction>(manager, {
    organizationId,
    actorId: actor.id,
    action,
    targetType: 'sso_domain',
    targetId: domainId,
    client: actor.client,
    metadata,
  });
}
