import { loadConfig } from '@bastion/platform';
import { aiConfigSchema } from '@bastion/ai';
import { authConfigSchema } from '@bastion/auth';
import { creditsConfigSchema } from '@bastion/credits';
import { gatewayConfigSchema } from '@bastion/gateway';
import { orgsConfigSchema } from '@bastion/orgs';
import { TEST_JWT_SECRET } from '@bastion/testing';
import type { z } from 'zod';

const env = {
  NODE_ENV: 'test',
  JWT_SECRET: TEST_JWT_SECRET,
  PASSWORD_PEPPER: 'pepper-for-the-config-test-0123456789',
  GEMINI_API_KEY: 'AIza-config-test',
};

describe('GEMINI_API_KEY is read by the ai service only', () => {
  it('ai reads it', () => {
    expect(loadConfig(aiConfigSchema, env).GEMINI_API_KEY).toBe('AIza-config-test');
  });

  it.each([
    ['gateway', gatewayConfigSchema],
    ['auth', authConfigSchema],
    ['orgs', orgsConfigSchema],
    ['credits', creditsConfigSchema],
  ] as [string, z.ZodType][])('%s neither declares nor keeps it', (_name, schema) => {
    const parsed = loadConfig(schema, env) as Record<string, unknown>;
    expect(Object.keys(parsed)).not.toContain('GEMINI_API_KEY');
    expect(JSON.stringify(parsed)).not.toContain('AIza-config-test');
  });
});
