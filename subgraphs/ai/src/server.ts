import { resolve } from 'node:path';
import {
  InboxRow,
  OutboxRow,
  createRateLimiter,
  startSubgraphService,
  type EventHandler,
  type PlatformDeps,
  type SubgraphService,
} from '@bastion/platform';
import { DEFAULT_AI_MODELS, DEFAULT_AI_TEMPLATES, type AiConfig } from './config';
import type { AiContext } from './context';
import { CreditsClient } from './credits/credits-client';
import { GeminiClient } from './gemini/gemini-client';
import { GenerationRepository } from './generations/generation.repository';
import { GenerationService } from './generations/generation.service';
import { GenerationReconciler } from './generations/reconciler';
import { ModelCatalog } from './models/model-catalog';
import { DEVELOPMENT_MODEL, DevelopmentModelClient } from './models/development-model';
import { UpstreamRouter } from './gemini/upstream';
import { TemplateCatalog } from './templates/templates';
import { resolvers } from './resolvers';
import { streamRoute } from './stream/stream.route';
import { subscribeToUserEvents, userEventHandler } from './users/user-events.consumer';
import { migrations } from './migrations';

export interface AiServices {
  models: ModelCatalog;
  templates: TemplateCatalog;
  generations: GenerationService;
  repository: GenerationRepository;
  reconciler: GenerationReconciler;
  handleUserEvent: EventHandler<'USER_DELETED'>;
}

/**
 * A live call writes its heartbeat this often; one silent for STALE_AFTER_SECONDS is dead: its
 * concurrency slot is free and the reconciler (every RECONCILE_MS, and at start) finishes it.
 */
export const GENERATION_TIMING = {
  HEARTBEAT_MS: 2000,
  /** A stream's delivered text is written at most this often (what a kill -9 can lose). */
  PROGRESS_MS: 1000,
  STALE_AFTER_SECONDS: 10,
  RECONCILE_MS: 5000,
} as const;
const { HEARTBEAT_MS, PROGRESS_MS, STALE_AFTER_SECONDS, RECONCILE_MS } = GENERATION_TIMING;

export type AiService = SubgraphService<AiContext, AiServices>;

export interface AiServiceOptions {
  port?: number;
  /** The gateway's internal listener (single-process mode learns it after the gateway starts). */
  internalGatewayUrl?: () => string;
  /** Ai's own service token (credits:write), minted by the all-in-one process when AI_SERVICE_TOKEN is unset. */
  serviceToken?: string;
}

export function startAiService(
  config: AiConfig,
  deps: PlatformDeps,
  options: AiServiceOptions = {},
): Promise<AiService> {
  const holdMarginSeconds = 60;
  return startSubgraphService({
    name: 'ai',
    deps,
    host: config.HOST,
    port: options.port ?? config.AI_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [OutboxRow, InboxRow],
    migrations,
    resolvers,
    setup: async ({ dataSource, logger }) => {
      // Outside production without a key, the local development model is on offer (and only it works).
      const development = config.NODE_ENV !== 'production' && !config.GEMINI_API_KEY;
      const configured = config.AI_MODELS ?? DEFAULT_AI_MODELS;
      const models = new ModelCatalog(
        development && !configured.some((m) => m.id === DEVELOPMENT_MODEL.id)
          ? [...configured, DEVELOPMENT_MODEL]
          : configured,
      );
      const templates = new TemplateCatalog(config.AI_TEMPLATES ?? DEFAULT_AI_TEMPLATES);
      const gemini = new GeminiClient({
        apiKey: config.GEMINI_API_KEY,
        baseUrl: config.GEMINI_BASE_URL,
        timeoutMs: config.GEMINI_TIMEOUT_MS,
        streamTimeoutMs: config.GEMINI_STREAM_TIMEOUT_MS,
        retryDelayMs: config.GEMINI_RETRY_DELAY_MS,
      });
      if (development)
        logger.warn(
          `GEMINI_API_KEY is not set: only the local "${DEVELOPMENT_MODEL.id}" answers (docs/configuration.md "Model catalog")`,
        );
      else if (!config.GEMINI_API_KEY)
        logger.warn('GEMINI_API_KEY is not set: AI is not configured (UPSTREAM_UNAVAILABLE)');
      const upstream = new UpstreamRouter(
        development ? [new DevelopmentModelClient(), gemini] : [gemini],
      );
      const credits = new CreditsClient(
        options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
        () => options.serviceToken ?? config.AI_SERVICE_TOKEN,
      );
      const streamSeconds = Math.ceil(config.GEMINI_STREAM_TIMEOUT_MS / 1000);
      const repository = new GenerationRepository(dataSource, {
        maxConcurrent: config.AI_CONCURRENT_GENERATIONS,
        staleAfterSeconds: STALE_AFTER_SECONDS,
      });
      const reconciler = new GenerationReconciler(repository, credits, models, logger);
      const generations = new GenerationService(
        repository,
        upstream,
        credits,
        reconciler,
        createRateLimiter(deps.redis, deps.keyPrefix),
        {
          requestsPerMinute: config.AI_REQUESTS_PER_MINUTE,
          holdTtlSeconds:
            Math.ceil((3 * config.GEMINI_TIMEOUT_MS + config.GEMINI_RETRY_DELAY_MS) / 1000) +
            holdMarginSeconds,
          streamHoldTtlSeconds: streamSeconds + holdMarginSeconds,
          heartbeatMs: HEARTBEAT_MS,
          progressMs: PROGRESS_MS,
          settleRetryDelaysMs: [200, 1000, 3000],
        },
        logger,
      );
      const handleUserEvent = userEventHandler(dataSource);
      const consumer = await subscribeToUserEvents(deps.bus, handleUserEvent);
      const maxPromptChars = config.AI_MAX_PROMPT_CHARS;
      // Dead calls of an earlier run (kill -9) are finished now, then every few seconds.
      reconciler.start(RECONCILE_MS);
      return {
        services: { models, templates, generations, repository, reconciler, handleUserEvent },
        subscriptions: [consumer],
        beforeClose: async () => generations.stopStreams(),
        onStop: () => reconciler.stop(),
        routes: {
          'POST /ai/stream': streamRoute({
            claimsKey: deps.claimsKeys.keyFor('ai'),
            replayGuard: deps.replayGuard,
            models,
            templates,
            generations,
            maxPromptChars,
            aiConfigured: (upstreamModel) => upstream.configuredFor(upstreamModel),
            logger,
          }),
        },
        extendContext: (base) => ({
          ...base,
          models,
          templates,
          generations,
          repository,
          maxPromptChars,
        }),
      };
    },
  });
}
