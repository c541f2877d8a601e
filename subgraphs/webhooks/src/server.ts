import { resolve } from 'node:path';
import {
  InboxRow,
  OutboxRow,
  developmentSecret,
  startSubgraphService,
  type PlatformDeps,
  type SubgraphService,
  type SubgraphStartOptions,
} from '@bastion/platform';
import { createClock } from './clock';
import type { WebhooksConfig } from './config';
import type { WebhooksContext } from './context';
import { WebhookAttemptEntity } from './deliveries/attempt.entity';
import { WebhookDeliveryEntity } from './deliveries/delivery.entity';
import { WebhookEndpointEntity } from './endpoints/endpoint.entity';
import { migrations } from './migrations';
import { resolvers } from './resolvers';
import { EndpointSecrets } from './secrets/endpoint-secrets';
import type { WebhooksServices } from './services';

export type { WebhooksServices } from './services';
export type WebhooksService = SubgraphService<WebhooksContext, WebhooksServices>;

export function startWebhooksService(
  config: WebhooksConfig,
  deps: PlatformDeps,
  options: SubgraphStartOptions = {},
): Promise<WebhooksService> {
  return startSubgraphService<WebhooksContext, WebhooksServices>({
    name: 'webhooks',
    deps,
    host: config.HOST,
    port: options.port ?? config.WEBHOOKS_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [
      WebhookEndpointEntity,
      WebhookDeliveryEntity,
      WebhookAttemptEntity,
      OutboxRow,
      InboxRow,
    ],
    migrations,
    resolvers,
    setup: async () => {
      const clock = createClock();
      const secrets = new EndpointSecrets(webhooksEncryptionKey(config));
      const eventTypes = [{ name: 'webhook.ping', description: 'A test event sent on demand.' }];
      const services: WebhooksServices = { clock, secrets };
      return {
        services,
        extendContext: (base) => ({ ...base, ...services, eventTypes }),
      };
    },
  });
}

/** WEBHOOKS_ENCRYPTION_KEY, or outside production the development key kept under DATA_DIR. */
function webhooksEncryptionKey(config: WebhooksConfig): string {
  if (config.WEBHOOKS_ENCRYPTION_KEY) return config.WEBHOOKS_ENCRYPTION_KEY;
  if (config.NODE_ENV === 'production')
    throw new Error('WEBHOOKS_ENCRYPTION_KEY is required in production');
  return developmentSecret(config.DATA_DIR, 'WEBHOOKS_ENCRYPTION_KEY');
}
