import { runMain } from '@bastion/platform';
import { orgsConfigSchema } from './config';
import { startOrgsService } from './server';

runMain({ name: 'orgs', configSchema: orgsConfigSchema, start: startOrgsService });
