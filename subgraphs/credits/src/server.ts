import { resolve } from 'node:path';
import {
  InboxRow,
  appBaseUrl,
  OutboxRow,
  startSubgraphService,
  type EventHandler,
  type PlatformDeps,
  type SubgraphService,
} from '@bastion/platform';
import { CreditAccountEntity, CreditTransactionEntity } from './accounts/ledger.entity';
import { LedgerService } from './accounts/ledger.service';
import { subscribeToUserEvents, userEventHandler } from './accounts/user-events.consumer';
import { DEFAULT_CREDIT_PACKAGES, type CreditsConfig } from './config';
import type { CreditsContext } from './context';
import { CreditHoldEntity } from './holds/hold.entity';
import { HoldsService } from './holds/holds.service';
import { startHoldSweeper, type Sweeper } from './holds/sweeper';
import { creditsDataExport } from './accounts/data-export';
import { resolvers } from './resolvers';
import { CheckoutService } from './stripe/checkout.service';
import { createStripeClient } from './stripe/client';
import { StripeCustomers } from './stripe/customers';
import { stripeWebhookRoute } from './stripe/webhook.route';
import { migrations } from './migrations';

export interface CreditsServices {
  ledger: LedgerService;
  holds: HoldsService;
  sweeper: Sweeper;
  checkout: CheckoutService;
  handleUserEvent: EventHandler<'USER_CREATED' | 'USER_DELETED'>;
}

export type CreditsService = SubgraphService<CreditsContext, CreditsServices>;

export function startCreditsService(
  config: CreditsConfig,
  deps: PlatformDeps,
  options: {
    port?: number;
    /** The gateway's public origin: checkout may return there when APP_URL is unset outside production. */
    publicGatewayOrigin?: () => string;
  } = {},
): Promise<CreditsService> {
  return startSubgraphService({
    name: 'credits',
    deps,
    host: config.HOST,
    port: options.port ?? config.CREDITS_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [CreditAccountEntity, CreditTransactionEntity, CreditHoldEntity, OutboxRow, InboxRow],
    migrations,
    resolvers,
    setup: async ({ dataSource, logger }) => {
      const ledger = new LedgerService(
        dataSource,
        config.CREDITS_MAX_AMOUNT,
        config.CREDITS_LOW_THRESHOLD,
      );
      const holds = new HoldsService(dataSource, ledger, {
        defaultTtlSeconds: config.CREDITS_HOLD_TTL,
        maxTtlSeconds: config.CREDITS_HOLD_MAX_TTL,
      });
      const packages = Object.freeze(config.CREDIT_PACKAGES ?? DEFAULT_CREDIT_PACKAGES);
      const stripe = await createStripeClient(config);
      const checkout = new CheckoutService(
        dataSource,
        stripe,
        packages,
        appBaseUrl(config, options.publicGatewayOrigin),
        logger,
      );
      const handleUserEvent = userEventHandler(dataSource, ledger, config.CREDITS_SIGNUP_GRANT, [
        StripeCustomers.forget,
      ]);
      const consumer = await subscribeToUserEvents(deps.bus, handleUserEvent);
      const sweeper = startHoldSweeper(dataSource, logger, config.CREDITS_HOLD_SWEEP_MS);
      return {
        services: { ledger, holds, sweeper, checkout, handleUserEvent },
        subscriptions: [consumer],
        routes: {
          'POST /webhooks/stripe': stripeWebhookRoute(dataSource, config.STRIPE_WEBHOOK_SECRET, {
            ledger,
            packages,
            logger,
            stripe,
          }),
        },
        extendContext: (base) => ({
          ...base,
          ledger,
          holds,
          checkout,
          packages,
          dataExport: (userId: string) => creditsDataExport(dataSource, userId),
        }),
        onStop: () => sweeper.stop(),
      };
    },
  });
}
