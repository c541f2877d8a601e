import { runMain } from '@bastion/platform';
import { aiConfigSchema } from './config';
import { startAiService } from './server';

runMain({ name: 'ai', configSchema: aiConfigSchema, start: startAiService });
