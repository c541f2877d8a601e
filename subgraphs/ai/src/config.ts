import { z } from 'zod';
import { commonConfig, subgraphClaimsConfig, port, subgraphEntry } from '@bastion/platform';

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const credits = z.number().int().min(0);

/** One entry of AI_MODELS: what it is called, which Gemini model serves it, and its prices. */
export const modelEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/),
  displayName: z.string().min(1),
  /** What a client may read about the model (aiModels). */
  description: z.string().min(1).max(500).optional(),
  /** The Gemini model name sent upstream; the id when absent. */
  upstreamModel: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/)
    .optional(),
  creditsPerRequest: credits,
  creditsPer1kInputTokens: credits.default(0),
  /** Thinking tokens are billed at this price too. */
  creditsPer1kOutputTokens: credits.default(0),
  maxOutputTokens: z.number().int().min(1).max(65_536).default(2048),
  /**
   * Sent to Gemini as thinkingConfig.thinkingBudget and held with the output allowance (thinking is
   * billed as output). 0 turns thinking off (Flash); Pro models need at least 128.
   */
  thinkingBudget: z.number().int().min(0).max(32_768).default(0),
  /** Recorded with every generation, so a charge can be explained after prices change. */
  priceVersion: z.string().min(1).default('1'),
});

const templateEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  displayName: z.string().min(1),
  /** May name variables as {{name}}; assembled on the server, never sent by or to clients. */
  systemPrompt: z.string().min(1).max(20_000),
  variables: z
    .array(
      z.object({
        name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/),
        maxLength: z.number().int().min(1).max(10_000),
      }),
    )
    .default([]),
});

export type ModelEntry = z.infer<typeof modelEntry>;
export type TemplateEntry = z.infer<typeof templateEntry>;

export const DEFAULT_AI_MODELS: ModelEntry[] = [
  {
    id: 'gemini-2.5-flash',
    displayName: 'Gemini 2.5 Flash',
    creditsPerRequest: 1,
    creditsPer1kInputTokens: 1,
    creditsPer1kOutputTokens: 4,
    maxOutputTokens: 2048,
    thinkingBudget: 0,
    priceVersion: '2026-12',
  },
  {
    id: 'gemini-2.5-pro',
    displayName: 'Gemini 2.5 Pro',
    creditsPerRequest: 5,
    creditsPer1kInputTokens: 3,
    creditsPer1kOutputTokens: 20,
    maxOutputTokens: 4096,
    thinkingBudget: 1024,
    priceVersion: '2026-12',
  },
];

export const DEFAULT_AI_TEMPLATES: TemplateEntry[] = [
  {
    id: 'summarize',
    displayName: 'Summarize',
    systemPrompt:
      "Summarize the user's text in a few sentences for this audience: {{audience}}. Answer with the summary only.",
    variables: [{ name: 'audience', maxLength: 100 }],
  },
  {
    id: 'translate',
    displayName: 'Translate',
    systemPrompt: "Translate the user's text into {{language}}. Answer with the translation only.",
    variables: [{ name: 'language', maxLength: 40 }],
  },
];

export const aiConfigSchema = z.object({
  ...commonConfig,
  ...subgraphClaimsConfig('ai'),
  HOST: z.string().default('127.0.0.1'),
  AI_PORT: port(subgraphEntry('ai').port),
  /** JSON array of models (docs/configuration.md "Model catalog"). */
  AI_MODELS: json(z.array(modelEntry).min(1)).optional(),
  /** JSON array of prompt templates {id, displayName, systemPrompt, variables: [{name, maxLength}]}. */
  AI_TEMPLATES: json(z.array(templateEntry)).optional(),
  /**
   * Read by this service only; without it generateText answers UPSTREAM_UNAVAILABLE, except
   * outside production for the local development model (docs/configuration.md "Model catalog").
   */
  GEMINI_API_KEY: z.string().min(1).optional(),
  /** Where the Gemini API is (tests and proxies); the SDK's default when unset. */
  GEMINI_BASE_URL: z.string().url().optional(),
  /** One upstream attempt's deadline; a stream's whole deadline is GEMINI_STREAM_TIMEOUT_MS. */
  GEMINI_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  GEMINI_STREAM_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  /** Pause before the one retry after a 5xx or 429. */
  GEMINI_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(500),
  AI_MAX_PROMPT_CHARS: z.coerce.number().int().min(1).default(32_000),
  AI_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  AI_CONCURRENT_GENERATIONS: z.coerce.number().int().min(1).default(2),
  /** Where ai reaches credits (holds), with AI_SERVICE_TOKEN (credits:write). */
  GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
  AI_SERVICE_TOKEN: z.string().min(20).optional(),
});

export type AiConfig = z.infer<typeof aiConfigSchema>;
