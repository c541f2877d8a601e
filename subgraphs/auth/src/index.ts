import { defineSubgraph } from '@bastion/platform';
import { authConfigSchema } from './config';
import { startAuthService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
export { migrations as authMigrations } from './migrations';
/** Data exports' service and link key, for tests that give it another gathering. */
export { DataExports } from './exports/data-exports.service';
export { exportLinkKey } from './exports/gather';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'auth',
  configSchema: authConfigSchema,
  migrations,
  start: startAuthService,
});
