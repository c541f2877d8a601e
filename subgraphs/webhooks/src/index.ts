import { defineSubgraph } from '@bastion/platform';
import { webhooksConfigSchema } from './config';
import { startWebhooksService } from './server';
import { migrations } from './migrations';

export * from './config';
export * from './server';
export { migrations as webhooksMigrations } from './migrations';

/** How npm start, npm run migrate and this service's own main run it (subgraphs/registry.json names this package). */
export const subgraph = defineSubgraph({
  name: 'webhooks',
  configSchema: webhooksConfigSchema,
  migrations,
  start: startWebhooksService,
});
