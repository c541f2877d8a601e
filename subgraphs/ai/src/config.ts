import { z } from 'zod';
import { EVERY_TIME, commonConfig, commonConfigProblems, port } from '@bastion/platform';

const model = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  creditsPerRequest: z.number().int().positive(),
});

export const DEFAULT_AI_MODELS = [
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', creditsPerRequest: 1 },
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', creditsPerRequest: 5 },
];

export const aiConfigSchema = z.object({
  ...commonConfig,
  HOST: z.string().default('127.0.0.1'),
  AI_PORT: port(4004),
  /** JSON array of {id, displayName, creditsPerRequest}; ids are Gemini model names. */
  AI_MODELS: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(model).min(1))
    .optional(),
}).superRefine(commonConfigProblems, EVERY_TIME);

export type AiConfig = z.infer<typeof aiConfigSchema>;
