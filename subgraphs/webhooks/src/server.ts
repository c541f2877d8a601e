import { resolve } from 'node:path';
import {
  InboxRow,
  OrganizationMembershipClient,
  OutboxRow,
  Mailer,
  WEBHOOK_EVENT_TYPES,
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
import { WebhookDeliveries } from './deliveries/delivery.service';
import { AdminNotifier } from './delivery/admin-notice';
import { subscribeToWebhookSources, webhookEventHandler } from './delivery/consumer';
import { startDispatcher } from './delivery/dispatcher';
import { systemLookup } from './delivery/url-guard';
import { recordEndpointChange } from './endpoints/endpoint-events';
import { WebhookEndpointEntity } from './endpoints/endpoint.entity';
import { WebhookEndpoints } from './endpoints/endpoint.service';
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
    setup: async ({ dataSource, relay, logger }) => {
      const clock = createClock();
      const secrets = new EndpointSecrets(webhooksEncryptionKey(config));
      const hosts = { lookup: systemLookup };
      const memberships = new OrganizationMembershipClient(
        options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
        () => options.serviceToken ?? config.WEBHOOKS_SERVICE_TOKEN,
        'WEBHOOKS_SERVICE_TOKEN',
      );
      const roleOf = (organizationId: string, userId: string) =>
        memberships.roleOf(organizationId, userId);
      const kickRelay = () => relay.kick();
      const endpoints = new WebhookEndpoints(
        dataSource,
        roleOf,
        secrets,
        clock,
        {
          maxEndpoints: config.WEBHOOKS_MAX_ENDPOINTS,
          url: () => ({
            production: config.NODE_ENV === 'production',
            allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE,
            lookup: hosts.lookup,
          }),
        },
        kickRelay,
      );
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
          // Read at each attempt: tests swap `hosts.lookup` for a stub resolver.
          lookup: (hostname) => hosts.lookup(hostname),
          recordDisabled: (manager, endpoint) =>
            recordEndpointChange(
              manager,
              { ...endpoint, enabled: false },
              'disabled',
              { actorId: null, client: null },
              endpoint.at,
              endpoint.reason,
            ),
          disabled: (endpoint) => {
            kickRelay();
            notifier.endpointDisabled(endpoint);
          },
        },
      );
      const deliveries = new WebhookDeliveries(
        dataSource,
        roleOf,
        endpoints,
        clock,
        () => dispatcher.kick(),
        kickRelay,
      );
      const consumer = await subscribeToWebhookSources(
        deps.bus,
        webhookEventHandler(dataSource, clock, () => dispatcher.kick()),
      ).catch(async (error: unknown) => {
        await dispatcher.stop();
        throw error;
      });
      const eventTypes = Object.entries(WEBHOOK_EVENT_TYPES).map(([name, description]) => ({
        name,
        description,
      }));
      const services: WebhooksServices = {
        clock,
        secrets,
        hosts,
        endpoints,
        deliveries,
        dispatcher,
      };
      return {
        services,
        subscriptions: [consumer],
        extendContext: (base) => ({
          ...base,
          ...services,
          eventTypes,
          attemptsOf: deliveries.attemptsLoader(),
        }),
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
