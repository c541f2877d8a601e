import { resolve } from 'node:path';
import {
  InboxRow,
  OutboxRow,
  Mailer,
  developmentInbox,
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
import { AdminNotifier } from './delivery/admin-notice';
import { subscribeToWebhookSources, webhookEventHandler } from './delivery/consumer';
import { startDispatcher } from './delivery/dispatcher';
import { recordEndpointDisabled } from './delivery/endpoint-disabled';
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
    setup: async ({ dataSource, logger }) => {
      const clock = createClock();
      const secrets = new EndpointSecrets(webhooksEncryptionKey(config));
      const eventTypes = [{ name: 'webhook.ping', description: 'A test event sent on demand.' }];
      const mailer = new Mailer(
        {
          smtpUrl: config.SMTP_URL,
          from: config.MAIL_FROM,
          logLinks: config.NODE_ENV !== 'production',
          inbox: developmentInbox(config),
          service: 'webhooks',
        },
        logger,
      );
      const notifier = new AdminNotifier(
        {
          url: options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
          serviceToken: () => options.serviceToken ?? config.WEBHOOKS_SERVICE_TOKEN,
        },
        mailer,
        logger,
      );
      const dispatcher = startDispatcher(
        {
          concurrency: config.WEBHOOKS_CONCURRENCY,
          endpointConcurrency: config.WEBHOOKS_ENDPOINT_CONCURRENCY,
          timeoutMs: config.WEBHOOKS_TIMEOUT_MS,
          allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE,
        },
        {
          dataSource,
          clock,
          secrets,
          logger,
          recordDisabled: recordEndpointDisabled,
          disabled: (endpoint) => notifier.endpointDisabled(endpoint),
        },
      );
      const consumer = await subscribeToWebhookSources(
        deps.bus,
        webhookEventHandler(dataSource, clock, () => dispatcher.kick()),
      ).catch(async (error: unknown) => {
        await dispatcher.stop();
        throw error;
      });
      const services: WebhooksServices = { clock, secrets, dispatcher };
      return {
        services,
        subscriptions: [consumer],
        extendContext: (base) => ({ ...base, ...services, eventTypes }),
        onStop: async () => {
          await dispatcher.stop();
          await mailer.close();
        },
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
