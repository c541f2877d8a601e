import { refreshSession } from '../../api/client';
import { getSession } from '../../api/session';

/** The body POST /ai/stream takes: GenerateTextInput's fields (docs/api.md "Streaming a generation"). */
export interface StreamRequest {
  model: string;
  prompt: string;
  template?: string;
  variables?: { name: string; value: string }[];
  maxOutputTokens?: number;
  idempotencyKey: string;
}

export interface StreamDone {
  generationId?: string;
  creditsCharged?: number;
  usage?: { inputTokens?: number; outputTokens?: number; thinkingTokens?: number };
}

export interface StreamHandlers {
  onChunk(text: string): void;
  onDone(done: StreamDone): void;
  /** An `error` event, or a refusal before the stream (JSON in GraphQL's error shape). */
  onError(error: {
    code: string;
    reason?: string;
    creditsCharged?: number;
    retryAfter?: number;
  }): void;
}

type Json = Record<string, unknown>;

function post(body: StreamRequest, signal: AbortSignal): Promise<Response> {
  const token = getSession()?.accessToken;
  return fetch('/ai/stream', {
    method: 'POST',
    credentials: 'same-origin',
    signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

function errorOf(body: Json | null): { code: string; reason?: string; retryAfter?: number } {
  const first = Array.isArray(body?.errors) ? (body.errors[0] as Json | undefined) : undefined;
  const extensions = (first?.extensions ?? {}) as Json;
  return {
    code: typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR',
    reason: typeof extensions.reason === 'string' ? extensions.reason : undefined,
    retryAfter: typeof extensions.retryAfter === 'number' ? extensions.retryAfter : undefined,
  };
}

/**
 * Streams one generation: each `chunk` event's text as it arrives, then `done` or `error`. An
 * expired access token is renewed once through the session's refresh (as the GraphQL client does).
 */
export async function streamGeneration(
  body: StreamRequest,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await post(body, signal);
    if (response.status === 401 && (await refreshSession())) response = await post(body, signal);
  } catch {
    return handlers.onError({ code: 'NETWORK' });
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream') || !response.body) {
    const json = (await response.json().catch(() => null)) as Json | null;
    return handlers.onError(errorOf(json));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = false;
  const dispatch = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let payload: Json;
    try {
      payload = JSON.parse(data.join('\n')) as Json;
    } catch {
      return;
    }
    if (event === 'chunk' && typeof payload.text === 'string') handlers.onChunk(payload.text);
    else if (event === 'done') {
      ended = true;
      handlers.onDone(payload as StreamDone);
    } else if (event === 'error') {
      ended = true;
      handlers.onError({
        code: typeof payload.code === 'string' ? payload.code : 'UPSTREAM_UNAVAILABLE',
        creditsCharged:
          typeof payload.creditsCharged === 'number' ? payload.creditsCharged : undefined,
      });
    }
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    if (buffer.trim()) dispatch(buffer);
  } catch {
    if (!ended) handlers.onError({ code: signal.aborted ? 'ABORTED' : 'NETWORK' });
    return;
  }
  if (!ended) handlers.onError({ code: 'UPSTREAM_UNAVAILABLE' });
}
