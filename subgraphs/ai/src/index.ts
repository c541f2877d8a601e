import { defineSubgraph } from '@bastion/platform';
import { aiConfigSchema } from './config';
import { startAiService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
export { migrations as aiMigrations } from './migrations';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'ai',
  configSchema: aiConfigSchema,
  migrations,
  start: startAiService,
});
