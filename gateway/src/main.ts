// First: before anything loads @apollo/gateway (docs/operations.md "Start time").
import './defer-telemetry';
import { runMain } from '@bastion/platform';
import { gatewayConfigSchema } from './config';
import { startGateway } from './start';

runMain({
  name: 'gateway',
  configSchema: gatewayConfigSchema,
  database: false,
  serviceTokens: ['SERVICE_TOKENS'],
  start: startGateway,
});
