import type { DataSource } from 'typeorm';
import {
  consumeOnce,
  schemaOf,
  webhookEventsOf,
  WEBHOOK_SOURCE_EVENT_TYPES,
  type EventBus,
  type EventHandler,
  type Subscription,
  type WebhookSourceEventType,
} from '@bastion/platform';
import type { Clock } from '../clock';

export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * Turns bus events into deliveries: one row per (subscribing endpoint, event), all in the
 * transaction that records the event in the inbox, so a redelivered event adds nothing and a
 * failure adds nothing either (the bus hands it over again). The unique (endpoint, event) pair
 * keeps it so even if two consumers raced. `queued` is told how many rows were added (kicks the
 * dispatcher).
 */
export function webhookEventHandler(
  dataSource: DataSource,
  clock: Clock,
  queued: (count: number) => void,
): EventHandler<WebhookSourceEventType> {
  const schema = schemaOf(dataSource);
  return async (event) => {
    const made = webhookEventsOf(event);
    // Most bus events concern no organization's webhooks: no transaction, no inbox row for them.
    if (made.length === 0 && event.type !== 'ORGANIZATION_DELETED') return;
    let added = 0;
    await consumeOnce(dataSource, WEBHOOKS_CONSUMER, event, async (manager) => {
      const now = clock.now();
      for (const webhook of made) {
        const payload = { type: webhook.type, timestamp: event.occurredAt, data: webhook.data };
        // Enabled endpoints of the organization that subscribe to the type; a disabled one gets
        // nothing new (the design: enabling it again resumes only what was already queued).
        const rows: unknown[] = await manager.query(
          `INSERT INTO ${schema}.deliveries
             (id, endpoint_id, organization_id, event_id, event_type, payload, status,
              attempt_count, next_attempt_at, created_at, updated_at)
           SELECT gen_random_uuid(), e.id, e.organization_id, $1, $2, $3::jsonb, 'PENDING', 0, $4, $4, $4
             FROM ${schema}.endpoints e
            WHERE e.organization_id = $5 AND e.enabled AND e.organization_deleted_at IS NULL
              AND $2 = ANY (e.event_types)
           ON CONFLICT (endpoint_id, event_id) DO NOTHING
           RETURNING id`,
          [event.id, webhook.type, JSON.stringify(payload), now, webhook.organizationId],
        );
        added += rows.length;
      }
      if (event.type === 'ORGANIZATION_DELETED') {
        // Its organization.deleted delivery (queued above) is the endpoints' last new one.
        await manager.query(
          `UPDATE ${schema}.endpoints SET organization_deleted_at = $1, updated_at = $1
            WHERE organization_id = $2 AND organization_deleted_at IS NULL`,
          [now, event.data.organizationId],
        );
      }
    });
    if (added > 0) queued(added);
  };
}

export function subscribeToWebhookSources(
  bus: EventBus,
  handler: EventHandler<WebhookSourceEventType>,
): Promise<Subscription> {
  return bus.subscribe(WEBHOOKS_CONSUMER, WEBHOOK_SOURCE_EVENT_TYPES, handler);
}
