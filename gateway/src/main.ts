import { runMain } from '@bastion/platform';
import { gatewayConfigSchema } from './config';
import { startGateway } from './start';

runMain({ name: 'gateway', configSchema: gatewayConfigSchema, database: false, start: startGateway });
