import { runMain } from '@bastion/platform';
import { orgsConfigSchema } from './config';
import { startOrgsService } from './server';

runMain({ name: 'orgs', configSchema: orgsConfigSchema, serviceTokens: ['ORGS_SERVICE_TOKEN'], start: startOrgsService });
