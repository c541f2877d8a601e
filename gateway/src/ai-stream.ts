import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AppError,
  ERROR_CODES,
  assertJsonDepth,
  readBody,
  sendGraphQLError,
  signForwardedClaims,
  streamOperation,
  type ClientInfo,
  type Logger,
  type Viewer,
} from '@bastion/platform';
import type { CostBudget } from './cost-budget';
import { checkDocument, type OperationLimits } from './request-limits';

/** What a stream is charged to the caller's cost budget: the same as this generateText. */
export const STREAM_COST_EQUIVALENT =
  'mutation { generateText(input: { model: "m", prompt: "p" }) { id } }';

export function streamCost(limits: OperationLimits): number {
  return checkDocument(STREAM_COST_EQUIVALENT, limits).cost;
}

export interface AiStreamOptions {
  /** The ai subgraph's POST /ai/stream. */
  target: string;
  claimsKey: KeyObject;
  budget: CostBudget;
  cost: number;
  bodyLimitBytes: number;
  logger: Logger;
}

/**
 * POST /ai/stream: `@apollo/gateway` cannot stream, so this route relays the ai service's
 * Server-Sent Events. The caller is already authenticated (as for /graphql); the claims are
 * signed for ai and bound to this exact body; no inbound header is passed through.
 */
export async function relayAiStream(
  req: IncomingMessage,
  res: ServerResponse,
  caller: { viewer: Viewer; client: ClientInfo; requestId: string },
  options: AiStreamOptions,
): Promise<void> {
  const raw = await readBody(req, options.bodyLimitBytes);
  // Too deep: a coded 400 before any parse (thrown, answered by the listener's guard).
  assertJsonDepth(raw);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    sendGraphQLError(
      res,
      400,
      'BAD_USER_INPUT',
      'The body must be a JSON object (the fields of GenerateTextInput).',
    );
    return;
  }
  try {
    await options.budget.charge(caller.viewer, caller.client.ip, options.cost);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const retryAfter = error.extensions.retryAfter;
    if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
    sendGraphQLError(res, ERROR_CODES[error.code].httpStatus, error.code, error.message, {
      ...error.extensions,
    });
    return;
  }
  const claims = await signForwardedClaims(
    caller.viewer,
    caller.client,
    'ai',
    streamOperation(body as Record<string, unknown>),
    options.claimsKey,
  );
  // A client that leaves aborts the call to ai, which then stops Gemini and charges what was sent.
  const left = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) left.abort();
  });
  let upstream: Response;
  try {
    upstream = await fetch(options.target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-bastion-claims': claims,
        'x-request-id': caller.requestId,
      },
      body: raw,
      signal: left.signal,
    });
  } catch (error) {
    if (left.signal.aborted) return;
    options.logger.warn({ err: error }, 'ai stream endpoint unreachable');
    sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE', 'The ai service is unavailable.');
    return;
  }
  res.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'text/event-stream',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    // ai answers a caller without credentials 401 (JSON), as /graphql does.
    ...(upstream.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  if (!upstream.body) {
    res.end();
    return;
  }
  await pipeline(
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream),
    res,
  ).catch(() => {
    // The client left or ai stopped: either way the other side has been told by the abort.
    left.abort();
  });
}
