import type { EntityManager } from 'typeorm';
import { enqueueEvent, recordAudit, type ClientInfo, type EventPayload } from '@bastion/platform';
import type { WebhookEndpointEntity } from './endpoint.entity';

export type EndpointChange = EventPayload<'WEBHOOK_ENDPOINT_CHANGED'>['change'];

/** The audit actions of the webhooks service (API for the organization's audit log readers). */
export type WebhookAuditAction =
  | 'webhook.endpoint_created'
  | 'webhook.endpoint_updated'
  | 'webhook.endpoint_deleted'
  | 'webhook.endpoint_disabled'
  | 'webhook.secret_rotated'
  | 'webhook.replay_requested';

const ACTION: Record<EndpointChange, WebhookAuditAction> = {
  created: 'webhook.endpoint_created',
  updated: 'webhook.endpoint_updated',
  deleted: 'webhook.endpoint_deleted',
  disabled: 'webhook.endpoint_disabled',
  secret_rotated: 'webhook.secret_rotated',
};

/** Who changed an endpoint: an ADMIN's request, or the platform (actorId null: a 410 or 5 days of failures). */
export interface EndpointActor {
  actorId: string | null;
  client: ClientInfo | null;
}

/**
 * An endpoint change's audit entry (kept in the organization's audit chain) and its
 * WEBHOOK_ENDPOINT_CHANGED event, in the caller's transaction: both leave with the change or not
 * at all. `reason` is GONE or FAILING when the platform disabled the endpoint. No secret and no
 * URL credentials ever reach either (URLs with credentials are refused).
 */
export async function recordEndpointChange(
  manager: EntityManager,
  endpoint: Pick<WebhookEndpointEntity, 'id' | 'organizationId' | 'url' | 'eventTypes' | 'enabled'>,
  change: EndpointChange,
  by: EndpointActor,
  at: Date,
  reason: string | null = null,
): Promise<void> {
  await recordAudit<WebhookAuditAction>(manager, {
    organizationId: endpoint.organizationId,
    actorId: by.actorId,
    action: ACTION[change],
    targetType: 'webhook_endpoint',
    targetId: endpoint.id,
    client: by.client,
    metadata: {
      url: endpoint.url,
      eventTypes: endpoint.eventTypes,
      enabled: endpoint.enabled,
      ...(reason !== null && { reason }),
    },
  });
  await enqueueEvent(manager, 'WEBHOOK_ENDPOINT_CHANGED', {
    organizationId: endpoint.organizationId,
    endpointId: endpoint.id,
    change,
    reason,
    actorId: by.actorId,
    at: at.toISOString(),
  });
}
