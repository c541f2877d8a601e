import type { DataSource } from 'typeorm';
import { consumeOnce, type EventBus, type EventHandler, type Subscription } from '@bastion/platform';
import { SessionEntity } from '../sessions/session.entity';

export const AUTH_CONSUMER = 'auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * ORGANIZATION_DELETED takes the dead organization out of every session that has it as its
 * current one: organization and role are cleared in one transaction with the inbox row, once per
 * event, so the next refresh issues a personal token without asking orgs about a gone
 * organization.
 */
export function organizationDeletedHandler(dataSource: DataSource): EventHandler {
  return async (event) => {
    const organizationId = (event.data as { organizationId?: unknown }).organizationId;
    // A malformed id cannot name a session's organization; refusing it here keeps it off the retry loop.
    if (event.type !== 'ORGANIZATION_DELETED' || typeof organizationId !== 'string' || !UUID.test(organizationId)) return;
    await consumeOnce(dataSource, AUTH_CONSUMER, event, async (manager) => {
      await manager.update(SessionEntity, { organizationId }, { organizationId: null, role: null });
    });
  };
}

export function subscribeToOrganizationEvents(bus: EventBus, handler: EventHandler): Promise<Subscription> {
  return bus.subscribe(AUTH_CONSUMER, ['ORGANIZATION_DELETED'], handler);
}
