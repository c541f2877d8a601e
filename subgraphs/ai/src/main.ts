import { runMain } from '@bastion/platform';
import { aiConfigSchema } from './config';
import { startAiService } from './server';

runMain({ name: 'ai', configSchema: aiConfigSchema, serviceTokens: ['AI_SERVICE_TOKEN'], start: startAiService });
