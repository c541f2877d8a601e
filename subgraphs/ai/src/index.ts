import { defineSubgraph } from '@bastion/platform';
import { aiConfigSchema } from './config';
import { startAiService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
/** What every ending of a generation costs (docs/security.md "What a generation is charged"): pure, for tests and tools. */
export {
  chargeOf,
  holdFor,
  tokensOfText,
  type Ending,
  type ReportedUsage,
} from './generations/charge';
export { ModelCatalog, creditsFor, type AIModel, type TokenUsage } from './models/model-catalog';
export { migrations as aiMigrations } from './migrations';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'ai',
  configSchema: aiConfigSchema,
  migrations,
  start: startAiService,
});
