import type { EntityManager } from 'typeorm';
import { recordAudit } from '@bastion/platform';
import { UUID } from '../accounts/validate';

/** What the credits service reports to the audit log about Stripe. Names are API for the log's readers. */
export type StripeAuditAction =
  /** A signed event that grants nothing: it does not match the configured package, user or price. */
  | 'credits.stripe_event_flagged'
  /** A refund or dispute took back more than the account had: the balance went below zero. */
  | 'credits.debt_recorded'
  /** An open or lost dispute took back the disputed credits. */
  | 'credits.dispute_withdrawn'
  /** A dispute was won (or an inquiry closed): the credits it took back were restored. */
  | 'credits.dispute_reinstated'
  /** A dispute reached its final status (won, lost, warning_closed). */
  | 'credits.dispute_closed';

/**
 * Records an AUDIT_RECORDED event in the caller's transaction (it leaves through the outbox with
 * the change, or not at all). The actor is Stripe (no user id); the target is the account owner.
 */
export async function auditStripe(
  manager: EntityManager,
  action: StripeAuditAction,
  userId: string | null | undefined,
  metadata: Record<string, unknown>,
): Promise<void> {
  await recordAudit<StripeAuditAction>(manager, {
    actorId: null,
    action,
    targetType: 'user',
    targetId: userId && UUID.test(userId) ? userId : null,
    client: { ip: null, userAgent: 'stripe-webhook' },
    metadata,
  });
}
