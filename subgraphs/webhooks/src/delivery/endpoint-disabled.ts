import type { EntityManager } from 'typeorm';
import { recordAudit } from '@bastion/platform';
import type { DisabledEndpoint } from './dispatcher';

/** The audit entry of an endpoint the engine disabled (410 Gone, or failing for 5 days). */
export async function recordEndpointDisabled(
  manager: EntityManager,
  endpoint: DisabledEndpoint,
): Promise<void> {
  await recordAudit(manager, {
    organizationId: endpoint.organizationId,
    actorId: null,
    action: 'webhook.endpoint_disabled',
    targetType: 'webhook_endpoint',
    targetId: endpoint.id,
    client: null,
    metadata: { reason: endpoint.reason },
  });
}
