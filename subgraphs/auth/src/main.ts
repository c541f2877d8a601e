import { runMain } from '@bastion/platform';
import { authConfigSchema } from './config';
import { startAuthService } from './server';

runMain({ name: 'auth', configSchema: authConfigSchema, serviceTokens: ['AUTH_SERVICE_TOKEN'], start: startAuthService });
