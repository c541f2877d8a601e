import { z } from 'zod';
import { EVERY_TIME, commonConfig, commonConfigProblems, port } from '@bastion/platform';

export const orgsConfigSchema = z.object({
  ...commonConfig,
  HOST: z.string().default('127.0.0.1'),
  ORGS_PORT: port(4002),
}).superRefine(commonConfigProblems, EVERY_TIME);

export type OrgsConfig = z.infer<typeof orgsConfigSchema>;
