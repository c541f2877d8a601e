import type { DataSource, EntityManager } from 'typeorm';
import {
  consumeOnce,
  enqueueEvent,
  type EventBus,
  type EventEnvelope,
  type EventHandler,
  type Logger,
  type OrganizationTokenCutoff,
  type OutboxRelay,
  type RevocationList,
  type Subscription,
} from '@bastion/platform';
import { recordOrganizationCutoff } from '../revocations/revocation-records';
import { SsoConnectionEntity, SsoDomainEntity } from '../sso/sso.entities';
import { SessionEntity } from '../sessions/session.entity';

export const AUTH_CONSUMER = 'auth';

type OrganizationEventType = 'ORGANIZATION_DELETED' | 'ORGANIZATION_MEMBERSHIP_CHANGED';

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
export function organizationEventsHandler(
  deps: OrganizationEventsDeps,
): EventHandler<OrganizationEventType> {
  const { dataSource, revocations, relay, logger } = deps;
  return async (event) => {
    // The bus already set aside any event that does not match the catalog.
    const cutoff = cutoffOf(event);
    const outcome = { latest: false };
    const applied = await consumeOnce(dataSource, AUTH_CONSUMER, event, async (manager) => {
      // A deleted organization's SSO domains and connections go with it (they route nothing now).
      if (event.type === 'ORGANIZATION_DELETED') await dropSsoOf(manager, cutoff.organizationId);
      outcome.latest = await recordOrganizationCutoff(manager, cutoff);
      if (!outcome.latest) return;
      await updateSessions(manager, cutoff);
      await enqueueEvent(manager, 'ORGANIZATION_TOKENS_REVOKED', {
        organizationId: cutoff.organizationId,
        userId: cutoff.userId,
        role: cutoff.role,
        changedAt: new Date(cutoff.changedAtMs).toISOString(),
        reason: event.data.reason,
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
  handler: EventHandler<OrganizationEventType>,
): Promise<Subscription> {
  return bus.subscribe(
    AUTH_CONSUMER,
    ['ORGANIZATION_DELETED', 'ORGANIZATION_MEMBERSHIP_CHANGED'],
    handler,
  );
}

/** What the event means for access tokens. */
function cutoffOf(event: EventEnvelope<OrganizationEventType>): OrganizationTokenCutoff {
  if (event.type === 'ORGANIZATION_DELETED') {
    const { organizationId, at } = event.data;
    return { organizationId, userId: null, role: null, changedAtMs: Date.parse(at) };
  }
  const { organizationId, userId, role, changedAt } = event.data;
  return { organizationId, userId, role, changedAtMs: Date.parse(changedAt) };
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

async function dropSsoOf(manager: EntityManager, organizationId: string): Promise<void> {
  await manager.delete(SsoConnectionEntity, { organizationId });
  await manager.delete(SsoDomainEntity, { organizationId });
}
