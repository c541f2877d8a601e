import type { EntityManager } from 'typeorm';
import {
  recordAudit as recordPlatformAudit,
  type AuditEntry as PlatformAuditEntry,
  type ClientInfo,
} from '@bastion/platform';

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
  | 'user.data_export_requested'
  | 'user.deleted'
  | 'oauth.linked'
  | 'oauth.unlinked'
  | 'service_token.issued'
  | 'service_token.revoked'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'organization.switched'
  | 'user.mfa_challenged'
  | 'user.mfa_failed'
  | 'user.step_up'
  | 'mfa.factor_added'
  | 'mfa.factor_removed'
  | 'mfa.recovery_code_used'
  | 'mfa.recovery_codes_regenerated'
  | 'mfa.reset'
  | 'mfa.passkey_counter_regressed'
  | 'impersonation.started'
  | 'impersonation.ended';

/** An entry of auth's (it has no organization); written by the platform's one recorder. */
export type AuditEntry = Omit<PlatformAuditEntry<AuditAction>, 'organizationId' | 'client'> & {
  client: ClientInfo;
};

/** Records an audit event in the caller's transaction; it leaves through the outbox. */
export const recordAudit: (manager: EntityManager, entry: AuditEntry) => Promise<void> =
  recordPlatformAudit;
