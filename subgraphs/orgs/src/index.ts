import { defineSubgraph } from '@bastion/platform';
import { orgsConfigSchema } from './config';
import { startOrgsService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
export { migrations as orgsMigrations } from './migrations';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'orgs',
  configSchema: orgsConfigSchema,
  migrations,
  start: startOrgsService,
});
