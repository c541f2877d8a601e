import { runMain } from '@bastion/platform';
import { creditsConfigSchema } from './config';
import { startCreditsService } from './server';

runMain({ name: 'credits', configSchema: creditsConfigSchema, start: startCreditsService });
