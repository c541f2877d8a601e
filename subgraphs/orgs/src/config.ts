import { z } from 'zod';
import { commonConfig, port } from '@bastion/platform';

export const orgsConfigSchema = z.object({
  ...commonConfig,
  HOST: z.string().default('127.0.0.1'),
  ORGS_PORT: port(4002),
});

export type OrgsConfig = z.infer<typeof orgsConfigSchema>;
