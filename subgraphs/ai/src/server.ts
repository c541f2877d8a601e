import { resolve } from 'node:path';
import { InboxRow, OutboxRow, startSubgraphService, type PlatformDeps, type SubgraphService } from '@bastion/platform';
import { DEFAULT_AI_MODELS, type AiConfig } from './config';
import type { AiContext } from './context';
import { ModelCatalog } from './models/model-catalog';
import { resolvers } from './resolvers';
import { Initial1763800000000 } from './migrations/1763800000000-initial';

export type AiService = SubgraphService<AiContext, { models: ModelCatalog }>;

export function startAiService(config: AiConfig, deps: PlatformDeps, options: { port?: number } = {}): Promise<AiService> {
  return startSubgraphService({
    name: 'ai',
    deps,
    host: config.HOST,
    port: options.port ?? config.AI_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [OutboxRow, InboxRow],
    migrations: [Initial1763800000000],
    resolvers,
    setup: async () => {
      const models = new ModelCatalog(config.AI_MODELS ?? DEFAULT_AI_MODELS);
      return { services: { models }, extendContext: (base) => ({ ...base, models }) };
    },
  });
}
