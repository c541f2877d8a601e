// The SDK's types are ESM; at run time Node loads its CommonJS build through import().
type GenAI = typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });
type GoogleGenAI = InstanceType<GenAI['GoogleGenAI']>;
type GenerateContentResponse = Awaited<ReturnType<GoogleGenAI['models']['generateContent']>>;
import type { ReportedUsage } from '../generations/charge';
import {
  UpstreamFailure,
  type GeminiRequest,
  type StreamPiece,
  type TextUpstream,
} from './upstream-contract';

export { UpstreamFailure };
export type { GeminiRequest, StreamPiece, UpstreamFailureKind } from './upstream-contract';

export interface GeminiOptions {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs: number;
  streamTimeoutMs: number;
  retryDelayMs: number;
}

/** The user content: the template's variables (when any) as their own part, then the prompt. */
function contentsOf(request: GeminiRequest) {
  return [
    {
      role: 'user',
      parts: [
        ...(request.variablesText ? [{ text: request.variablesText }] : []),
        { text: request.prompt },
      ],
    },
  ];
}

function configOf(request: GeminiRequest, abortSignal: AbortSignal) {
  return {
    systemInstruction: request.systemPrompt,
    maxOutputTokens: request.maxOutputTokens,
    thinkingConfig: { thinkingBudget: request.thinkingBudget },
    abortSignal,
  };
}

/** Turns any failure into an UpstreamFailure that carries no upstream text. */
export function summarise(error: unknown, signal?: AbortSignal): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (signal?.aborted && signal.reason instanceof UpstreamFailure) return signal.reason;
  // The SDK wraps an abort in a plain Error ("exception AbortError: … sending request"): the
  // signal says what happened, its deadline or the caller leaving.
  if (signal?.aborted)
    return new UpstreamFailure(
      (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError'
        ? 'timeout'
        : 'aborted',
    );
  const name = (error as { name?: string } | null)?.name;
  const status = (error as { status?: unknown } | null)?.status;
  if (name === 'ApiError' && typeof status === 'number')
    return new UpstreamFailure('status', status);
  if (name === 'TimeoutError') return new UpstreamFailure('timeout');
  if (name === 'AbortError') return new UpstreamFailure(signal?.aborted ? 'aborted' : 'timeout');
  // By name: the SDK's JSON.parse may run in another realm (instanceof would miss it).
  if (error instanceof SyntaxError || name === 'SyntaxError')
    return new UpstreamFailure('malformed');
  return new UpstreamFailure('network');
}

const isRetryable = (failure: UpstreamFailure) =>
  failure.kind === 'status' && (failure.status === 429 || (failure.status ?? 0) >= 500);

/** usageMetadata's counts; a count Gemini did not send stays undefined (unknown, not 0). */
export function usageOf(
  response: Pick<GenerateContentResponse, 'usageMetadata'>,
): ReportedUsage | undefined {
  const usage = response.usageMetadata;
  if (!usage || typeof usage !== 'object') return undefined;
  const count = (n: unknown) =>
    Number.isInteger(n) && (n as number) >= 0 ? (n as number) : undefined;
  return {
    inputTokens: count(usage.promptTokenCount),
    outputTokens: count(usage.candidatesTokenCount),
    thinkingTokens: count(usage.thoughtsTokenCount),
  };
}

/** Whether a failure means Gemini had the request (and bills it): it timed out, answered unreadably, or the caller left. */
export function upstreamReached(failure: UpstreamFailure): boolean {
  return failure.kind === 'timeout' || failure.kind === 'malformed' || failure.kind === 'aborted';
}

/**
 * Gemini through the official SDK. The key is given to the SDK, which sends it in
 * x-goog-api-key; it is never part of a URL, a message or a log line here.
 */
export class GeminiClient implements TextUpstream {
  private sdk?: Promise<GoogleGenAI>;

  constructor(private readonly options: GeminiOptions) {}

  get configured(): boolean {
    return Boolean(this.options.apiKey);
  }

  /** Every model name goes to Gemini once a key is set. */
  configuredFor(_upstreamModel: string): boolean {
    return this.configured;
  }

  private client(): Promise<GoogleGenAI> {
    const { apiKey, baseUrl } = this.options;
    if (!apiKey) throw new UpstreamFailure('unconfigured');
    this.sdk ??= import('@google/genai').then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          vertexai: false,
          apiKey,
          httpOptions: baseUrl ? { baseUrl } : undefined,
        }),
    );
    return this.sdk;
  }

  /** Tokens of the system prompt and the prompt, counted by Gemini (countTokens is free of charge). */
  async countInputTokens(request: GeminiRequest): Promise<number> {
    const contents = [
      ...(request.systemPrompt ? [{ role: 'user', parts: [{ text: request.systemPrompt }] }] : []),
      ...contentsOf(request),
    ];
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const counted = await (
        await this.client()
      ).models.countTokens({
        model: request.upstreamModel,
        contents,
        config: { abortSignal: signal },
      });
      if (!Number.isInteger(counted.totalTokens) || (counted.totalTokens as number) < 0)
        throw new UpstreamFailure('malformed');
      return counted.totalTokens as number;
    } catch (error) {
      throw summarise(error, signal);
    }
  }

  /** One generation: a timeout per attempt, and one retry after a 5xx or 429. */
  async generate(request: GeminiRequest): Promise<{ text: string; usage?: ReportedUsage }> {
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      try {
        const response = await (
          await this.client()
        ).models.generateContent({
          model: request.upstreamModel,
          contents: contentsOf(request),
          config: configOf(request, signal),
        });
        const text = response.text ?? '';
        if (typeof text !== 'string') throw new UpstreamFailure('malformed');
        return { text, usage: usageOf(response) };
      } catch (error) {
        const failure = summarise(error, signal);
        if (attempt > 1 || !isRetryable(failure)) throw failure;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
  }

  /** A streamed generation; `signal` stops it (the client went away). Retried once only before the first chunk. */
  async *stream(request: GeminiRequest, signal: AbortSignal): AsyncGenerator<StreamPiece> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.options.streamTimeoutMs)]);
    let stream: AsyncGenerator<GenerateContentResponse>;
    for (let attempt = 1; ; attempt++) {
      try {
        stream = await (
          await this.client()
        ).models.generateContentStream({
          model: request.upstreamModel,
          contents: contentsOf(request),
          config: configOf(request, deadline),
        });
        break;
      } catch (error) {
        const failure = summarise(error, deadline);
        if (attempt > 1 || !isRetryable(failure)) throw failure;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
    yield { text: '', accepted: true };
    try {
      for await (const chunk of stream) {
        const text = chunk.text;
        if (text !== undefined && typeof text !== 'string') throw new UpstreamFailure('malformed');
        yield { text: text ?? '', usage: usageOf(chunk) };
      }
    } catch (error) {
      throw summarise(error, deadline);
    }
  }
}
