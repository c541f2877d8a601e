import type { KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  AppError,
  CLAIMS_HEADER,
  ERROR_CODES,
  HttpError,
  assertJsonDepth,
  checkNotImpersonated,
  readBody,
  sendGraphQLError,
  streamOperation,
  verifyForwardedClaims,
  type Logger,
  type ReplayGuard,
  type Route,
} from '@bastion/platform';
import type { KeyContext } from '../credits/credits-client';
import {
  notConfigured,
  type Caller,
  type GenerationService,
} from '../generations/generation.service';
import { prepareRequest, type PreparedRequest } from '../generations/generate-input';
import type { Generation } from '../generations/generation.repository';
import type { ModelCatalog } from '../models/model-catalog';
import type { TemplateCatalog } from '../templates/templates';

export interface StreamRouteDeps {
  claimsKey: KeyObject;
  replayGuard: ReplayGuard;
  models: ModelCatalog;
  templates: TemplateCatalog;
  generations: GenerationService;
  maxPromptChars: number;
  /** Whether a model's upstream can answer; if not, "AI is not configured" before any event. */
  aiConfigured: (upstreamModel: string) => boolean;
  logger: Logger;
}

const BODY_LIMIT_BYTES = 256 * 1024;

function send(
  res: ServerResponse,
  event: 'chunk' | 'done' | 'error',
  data: Record<string, unknown>,
): void {
  if (!res.writableEnded && !res.destroyed)
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const summary = (g: Generation) => ({
  generationId: g.id,
  creditsCharged: g.creditsCharged,
  usage: {
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    thinkingTokens: g.thinkingTokens,
  },
});

function errorData(error: unknown): Record<string, unknown> {
  if (error instanceof AppError) {
    const { code, ...extensions } = error.extensions as Record<string, unknown>;
    return { ...extensions, code, message: error.message };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' };
}

/**
 * POST /ai/stream, reached only through the gateway: the caller is whoever the gateway's claims
 * (signed for ai, bound to this body) say. Refusals before any generation (no or bad credentials,
 * bad input, AI not configured) are JSON errors with their HTTP status; after them the answer is
 * Server-Sent Events, ending in `done` or `error`.
 */
export function streamRoute(deps: StreamRouteDeps): Route {
  return async (req, res) => {
    let body: Record<string, unknown>;
    try {
      const raw = await readBody(req, BODY_LIMIT_BYTES);
      // Too deep: a coded 400 (an HttpError, rethrown below) before any parse.
      assertJsonDepth(raw);
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new SyntaxError('not an object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      sendGraphQLError(res, 400, 'BAD_USER_INPUT', 'The body must be a JSON object.');
      return;
    }
    const header = req.headers[CLAIMS_HEADER];
    const { viewer, rejection } = await verifyForwardedClaims(
      Array.isArray(header) ? header[0] : header,
      {
        audience: 'ai',
        operation: streamOperation(body),
        key: deps.claimsKey,
        replayGuard: deps.replayGuard,
      },
    );
    if (rejection) deps.logger.warn({ rejection }, 'stream claims refused; serving as anonymous');

    // Refusals that need no generation are plain HTTP errors (as on /graphql), before any event.
    let request: PreparedRequest;
    let caller: Caller;
    let apiKey: KeyContext | null;
    try {
      if (viewer.kind === 'anonymous')
        throw new AppError('UNAUTHENTICATED', { message: 'Sign in to stream a generation.' });
      if (viewer.kind !== 'user')
        throw new AppError('FORBIDDEN', { message: 'Generations are made for users.' });
      // The gateway refuses this already; ai holds the line too, as every subgraph's mutations do.
      const readOnly = checkNotImpersonated(viewer);
      if (readOnly !== true) throw readOnly;
      if (!viewer.emailVerified) throw new AppError('EMAIL_NOT_VERIFIED');
      caller = { userId: viewer.userId, organizationId: viewer.organizationId };
      apiKey = viewer.apiKey ?? null;
      request = prepareRequest(body, deps, deps.maxPromptChars);
      if (!deps.aiConfigured(request.model.upstreamModel)) throw notConfigured();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const { code, http, ...extensions } = error.extensions as Record<string, unknown> & {
        code: keyof typeof ERROR_CODES;
        http?: { status?: number };
      };
      if (code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
      sendGraphQLError(
        res,
        http?.status ?? ERROR_CODES[code].httpStatus,
        code,
        error.message,
        extensions,
      );
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // The client going away stops the upstream call; what it was sent until then is charged.
    const left = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) left.abort();
    });
    try {
      const outcome = await deps.generations.stream(
        caller,
        request,
        (text) => send(res, 'chunk', { text }),
        left.signal,
        apiKey,
      );
      if (outcome.failure)
        send(res, 'error', {
          ...errorData(outcome.failure),
          ...(outcome.generation ? summary(outcome.generation) : {}),
        });
      else if (outcome.generation) send(res, 'done', summary(outcome.generation));
    } catch (error) {
      if (!(error instanceof AppError)) deps.logger.error({ err: error }, 'stream failed');
      send(res, 'error', errorData(error));
    }
    res.end();
  };
}
