import type { DataSource, EntityManager } from 'typeorm';
import {
  ROLES,
  consumeOnce,
  enqueueEvent,
  type EventBus,
  type EventEnvelope,
  type EventHandler,
  type Logger,
  type OrganizationTokenCutoff,
  type OutboxRelay,
  type RevocationList,
  type Role,
  type Subscription,
} from '@bastion/platform';
import { recordOrganizationCutoff } from '../revocations/revocation-records';
import { SessionEntity } from '../sessions/session.entity';

export const AUTH_CONSUMER = 'auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OrganizationEventsDeps {
  dataSource: DataSource;
  /** The fast path written after commit (Redis, or the list shared with the gateway in one process). */
  revocations: RevocationList;
  relay: OutboxRelay;
  logger?: Logger;
}

/**
 * ORGANIZATION_MEMBERSHIP_CHANGED and ORGANIZATION_DELETED, once per event and in one transaction
 * with the inbox row: the member's sessions in that organization take the new role (or lose
 * organization and role, so the next refresh is personal), a durable cut-off voids the access
 * tokens already issued with the stale claim, and ORGANIZATION_TOKENS_REVOKED tells every gateway.
 * An event older than a change already applied to the same member changes nothing.
 */
export function organizationEventsHandler(deps: OrganizationEventsDeps): EventHandler {
  const { dataSource, revocations, relay, logger } = deps;
  return async (event) => {
    // A malformed event cannot name a session's organization; refusing it here keeps it off the retry loop.
    const cutoff = cutoffOf(event);
    if (!cutoff) return;
    const outcome = { latest: false };
    const applied = await consumeOnce(dataSource, AUTH_CONSUMER, event, async (manager) => {
      outcome.latest = await recordOrganizationCutoff(manager, cutoff);
      if (!outcome.latest) return;
      await updateSessions(manager, cutoff);
      const reason = (event.data as { reason?: unknown }).reason;
      await enqueueEvent(manager, 'ORGANIZATION_TOKENS_REVOKED', {
        organizationId: cutoff.organizationId,
        userId: cutoff.userId,
        role: cutoff.role,
        changedAt: new Date(cutoff.changedAtMs).toISOString(),
        reason: typeof reason === 'string' ? reason : event.type,
      });
    });
    if (!applied || !outcome.latest) return;
    relay.kick();
    // Committed and on its way over the bus: a failed fast path only delays other processes' gateways.
    await revocations.revokeOrganizationTokens(cutoff).catch((error: unknown) => {
      logger?.warn({ err: error }, 'revocation fast path failed; gateways learn it from the bus');
    });
  };
}

export function subscribeToOrganizationEvents(
  bus: EventBus,
  handler: EventHandler,
): Promise<Subscription> {
  return bus.subscribe(
    AUTH_CONSUMER,
    ['ORGANIZATION_DELETED', 'ORGANIZATION_MEMBERSHIP_CHANGED'],
    handler,
  );
}

/** What the event means for access tokens, or null when it is malformed. */
function cutoffOf(event: EventEnvelope): OrganizationTokenCutoff | null {
  const data = event.data as {
    organizationId?: unknown;
    userId?: unknown;
    role?: unknown;
    changedAt?: unknown;
    at?: unknown;
  };
  const { organizationId } = data;
  if (typeof organizationId !== 'string' || !UUID.test(organizationId)) return null;
  if (event.type === 'ORGANIZATION_DELETED') {
    const changedAtMs = Date.parse(typeof data.at === 'string' ? data.at : event.occurredAt);
    return Number.isNaN(changedAtMs)
      ? null
      : { organizationId, userId: null, role: null, changedAtMs };
  }
  if (event.type !== 'ORGANIZATION_MEMBERSHIP_CHANGED') return null;
  const { userId, role } = data;
  const changedAtMs = typeof data.changedAt === 'string' ? Date.parse(data.changedAt) : NaN;
  if (typeof userId !== 'string' || !UUID.test(userId) || Number.isNaN(changedAtMs)) return null;
  if (role !== null && !ROLES.includes(role as Role)) return null;
  return { organizationId, userId, role: role as Role | null, changedAtMs };
}

/** Sessions in the organization follow the change; the next refresh re-reads orgs anyway. */
async function updateSessions(
  manager: EntityManager,
  cutoff: OrganizationTokenCutoff,
): Promise<void> {
  const { organizationId, userId, role } = cutoff;
  const where = userId === null ? { organizationId } : { organizationId, userId };
  const change = role === null ? { organizationId: null, role: null } : { role };
  await manager.update(SessionEntity, where, change);
}
