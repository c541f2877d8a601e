import { defineSubgraph } from '@bastion/platform';
import { creditsConfigSchema } from './config';
import { startCreditsService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
export { migrations as creditsMigrations } from './migrations';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'credits',
  configSchema: creditsConfigSchema,
  migrations,
  start: startCreditsService,
});
