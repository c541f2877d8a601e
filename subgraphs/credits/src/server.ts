import { resolve } from 'node:path';
import { InboxRow, OutboxRow, startSubgraphService, type EventHandler, type PlatformDeps, type SubgraphService } from '@bastion/platform';
import { CreditAccountEntity, CreditTransactionEntity } from './accounts/ledger.entity';
import { LedgerService } from './accounts/ledger.service';
import { subscribeToUserEvents, userEventHandler } from './accounts/user-events.consumer';
import { DEFAULT_CREDIT_PACKAGES, type CreditsConfig } from './config';
import type { CreditsContext } from './context';
import { resolvers } from './resolvers';
import { Initial1763800000000 } from './migrations/1763800000000-initial';

export type CreditsService = SubgraphService<CreditsContext, { ledger: LedgerService; handleUserEvent: EventHandler }>;

export function startCreditsService(config: CreditsConfig, deps: PlatformDeps, options: { port?: number } = {}): Promise<CreditsService> {
  return startSubgraphService({
    name: 'credits',
    deps,
    host: config.HOST,
    port: options.port ?? config.CREDITS_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [CreditAccountEntity, CreditTransactionEntity, OutboxRow, InboxRow],
    migrations: [Initial1763800000000],
    resolvers,
    setup: async ({ dataSource }) => {
      const ledger = new LedgerService(dataSource);
      const packages = Object.freeze(config.CREDIT_PACKAGES ?? DEFAULT_CREDIT_PACKAGES);
      const handleUserEvent = userEventHandler(dataSource, ledger, config.CREDITS_SIGNUP_GRANT);
      const consumer = await subscribeToUserEvents(deps.bus, handleUserEvent);
      return { services: { ledger, handleUserEvent }, subscriptions: [consumer], extendContext: (base) => ({ ...base, ledger, packages }) };
    },
  });
}
