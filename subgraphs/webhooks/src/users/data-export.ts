import type { DataSource } from 'typeorm';
import { WebhookEndpointEntity } from '../endpoints/endpoint.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Webhooks' part of a user's data export (README "Your data"): the endpoints the user created,
 * oldest first, without their signing secrets (sealed or not, they are the organization's
 * credentials, not the user's data).
 */
export async function webhooksDataExport(dataSource: DataSource, userId: string) {
  if (!UUID.test(userId)) return { endpoints: [] };
  const endpoints = await dataSource
    .getRepository(WebhookEndpointEntity)
    .find({ where: { createdBy: userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  return {
    endpoints: endpoints.map((e) => ({
      id: e.id,
      organizationId: e.organizationId,
      url: e.url,
      eventTypes: e.eventTypes,
      description: e.description,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      createdAt: iso(e.createdAt),
      updatedAt: iso(e.updatedAt),
    })),
  };
}
