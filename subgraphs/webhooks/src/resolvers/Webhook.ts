import type {
  WebhookDeliveryResolvers,
  WebhookEndpointResolvers,
} from '../generated/resolvers-types';

// A WebhookEndpoint is only ever answered to an ADMIN of its organization (webhookEndpoint,
// Organization.webhookEndpoints and the mutations check first), so its fields need no check of their own.
export const WebhookEndpoint: WebhookEndpointResolvers = {
  deliveries: (endpoint, args, ctx) => ctx.deliveries.connection(endpoint.id, args),
};

export const WebhookDelivery: WebhookDeliveryResolvers = {
  attempts: (delivery, _, ctx) => ctx.attemptsOf(delivery.id),
  nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
};
