import type { EntityManager } from 'typeorm';
import { recordAudit as recordPlatformAudit, type AuditEntry } from '@bastion/platform';

/** Actions orgs reports to the audit log. Names are API for the log's readers. */
export type OrgsAuditAction =
  | 'organization.created'
  | 'organization.updated'
  | 'organization.security_changed'
  | 'member.invited'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.left'
  | 'member.promoted'
  | 'member.sso_provisioned';

/** An entry of orgs': always of one organization. Written by the platform's one recorder. */
export type OrgsAuditEntry = AuditEntry<OrgsAuditAction> & { organizationId: string };

/**
 * Records an audit event in the caller's transaction. It leaves through the outbox like every
 * other service's, so the log has one writer (the consumer) and one ordering per chain.
 */
export const recordAudit: (manager: EntityManager, entry: OrgsAuditEntry) => Promise<void> =
  recordPlatformAudit;
