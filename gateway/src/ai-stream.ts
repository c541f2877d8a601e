import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  AppError,
  ERROR_CODES,
  assertJsonDepth,
  checkNotImpersonated,
  readBody,
  sendGraphQLError,
  shutdownSignalOf,
  signForwardedClaims,
  wrapUpLeadMs,
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
  /** SHUTDOWN_TIMEOUT in ms: when a stopping gateway ends a stream ai has not ended itself. */
  shutdownTimeoutMs: number;
}

/** What a stream that ends without ai's own `done` or `error` event gets from the gateway. */
export const STREAM_CUT_EVENT = {
  code: 'UPSTREAM_UNAVAILABLE',
  message:
    'The stream ended before the generation did (a service stopped or failed). Retry with the same idempotencyKey to get the generation and what it was charged.',
};

/** Sees whether an event stream has carried its last event (`done` or `error`), across chunk boundaries. */
class EndingWatch {
  private tail = '\n';
  ended = false;

  scan(chunk: Buffer): void {
    const text = this.tail + chunk.toString('utf8');
    if (/\n(event: ?(done|error))\r?\n/.test(text)) this.ended = true;
    this.tail = text.slice(-16);
  }
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
  // A generation spends the user's credits: an impersonation session is read-only here too, as
  // on every mutation (docs/security.md "Support impersonation").
  const readOnly = checkNotImpersonated(caller.viewer);
  if (readOnly !== true) {
    sendGraphQLError(res, ERROR_CODES[readOnly.code].httpStatus, readOnly.code, readOnly.message, {
      ...readOnly.extensions,
    });
    return;
  }
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
  const isStream = (upstream.headers.get('content-type') ?? '').startsWith('text/event-stream');
  // A stopping gateway asks its streams to end before its deadline: ai, if it is stopping too,
  // ends them with its own event; any stream still open a moment later is ended here.
  const wrapUp = shutdownSignalOf(res);
  let wrapUpTimer: NodeJS.Timeout | undefined;
  const onWrapUp = () => {
    wrapUpTimer = setTimeout(() => left.abort(), wrapUpLeadMs(options.shutdownTimeoutMs) / 2);
  };
  if (wrapUp.aborted) onWrapUp();
  else wrapUp.addEventListener('abort', onWrapUp, { once: true });
  const ending = new EndingWatch();
  try {
    for await (const chunk of Readable.fromWeb(
      upstream.body as import('node:stream/web').ReadableStream,
    )) {
      ending.scan(chunk as Buffer);
      if (!res.write(chunk)) await drained(res);
    }
  } catch {
    // ai stopped, was cut, or the stream was ended here: told below, unless the client left.
  } finally {
    clearTimeout(wrapUpTimer);
    wrapUp.removeEventListener('abort', onWrapUp);
  }
  if (res.destroyed || res.writableEnded) {
    left.abort();
    return;
  }
  if (isStream && !ending.ended) {
    // Never a silent cut: the client learns the stream did not end as a generation ends.
    if (!left.signal.aborted) options.logger.warn('ai stream ended without a last event');
    left.abort();
    res.write(`event: error\ndata: ${JSON.stringify(STREAM_CUT_EVENT)}\n\n`);
  }
  res.end();
}

/** Resolves when `res` can take more, or when it closed (the client left). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
