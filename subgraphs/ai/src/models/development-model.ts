import { createHash } from 'node:crypto';
import type { ModelEntry } from '../config';
import { tokensOfText, type ReportedUsage } from '../generations/charge';
import { UpstreamFailure, type GeminiRequest, type StreamPiece } from '../gemini/gemini-client';
import type { TextUpstream } from '../gemini/upstream';

/** The upstream name the development model's requests carry; no Gemini model has it. */
export const DEVELOPMENT_UPSTREAM = 'local-development-model';

/**
 * Outside production without GEMINI_API_KEY (docs/configuration.md "Model catalog"): a local, deterministic model,
 * priced and charged like any other so that holds, charges and the ledger can be tried without a key.
 */
export const DEVELOPMENT_MODEL: ModelEntry = {
  id: 'development-model',
  displayName: 'Development model (local)',
  description:
    'Local and deterministic: answers from this server, without Gemini, with a text derived from the ' +
    'prompt (the same prompt always gets the same answer). Outside production without GEMINI_API_KEY only. ' +
    'Tokens are counted as characters / 4, rounded up.',
  upstreamModel: DEVELOPMENT_UPSTREAM,
  creditsPerRequest: 1,
  creditsPer1kInputTokens: 50,
  creditsPer1kOutputTokens: 100,
  maxOutputTokens: 256,
  thinkingBudget: 0,
  priceVersion: 'development-1',
};

/** The input the model reads: instruction, variables and prompt, as Gemini would receive them. */
function inputOf(request: GeminiRequest): string {
  return [request.systemPrompt, request.variablesText, request.prompt]
    .filter((part): part is string => Boolean(part))
    .join('\n');
}

/**
 * The answer to a request: a few sentences derived from the prompt, cut to the output allowance
 * (4 characters a token). Pure, so the same request always gets the same text.
 */
export function developmentReply(request: GeminiRequest): string {
  const input = inputOf(request);
  const words = request.prompt.trim().split(/\s+/).filter(Boolean);
  const fingerprint = createHash('sha256').update(input).digest('hex').slice(0, 12);
  const opening = request.prompt.trim().slice(0, 60);
  const sentences = [
    'This is the development model, answering locally without Gemini. ',
    `Your prompt has ${words.length} ${words.length === 1 ? 'word' : 'words'} and ${request.prompt.length} characters`,
    opening ? `, beginning with "${opening}". ` : '. ',
    words.length > 1 ? `Backwards it reads: ${[...words].reverse().slice(0, 12).join(' ')}. ` : '',
    request.systemPrompt ? 'A prompt template was applied. ' : '',
    `Fingerprint ${fingerprint}: the same prompt always gets this answer.`,
  ];
  return sentences.join('').slice(0, request.maxOutputTokens * 4);
}

/** What the model reports, as Gemini's usageMetadata would: every count, no thinking. */
function usageOf(request: GeminiRequest, output: string): ReportedUsage {
  return {
    inputTokens: tokensOfText(inputOf(request).length),
    outputTokens: tokensOfText(output.length),
    thinkingTokens: 0,
  };
}

/** The reply cut at word boundaries into pieces of about `size` characters. */
export function chunksOf(text: string, size = 40): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const word of text.split(/(?<= )/)) {
    current += word;
    if (current.length >= size) {
      chunks.push(current);
      current = '';
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * The development model behind the same interface as the Gemini client, so the generation service
 * holds, charges and settles it by the same rules (`chargeOf`). Streams several chunks with a short
 * pause between them, and stops when the caller leaves.
 */
export class DevelopmentModelClient implements TextUpstream {
  constructor(private readonly chunkDelayMs = 30) {}

  configuredFor(upstreamModel: string): boolean {
    return upstreamModel === DEVELOPMENT_UPSTREAM;
  }

  countInputTokens(request: GeminiRequest): Promise<number> {
    return Promise.resolve(tokensOfText(inputOf(request).length));
  }

  generate(request: GeminiRequest): Promise<{ text: string; usage?: ReportedUsage }> {
    const text = developmentReply(request);
    return Promise.resolve({ text, usage: usageOf(request, text) });
  }

  async *stream(request: GeminiRequest, signal: AbortSignal): AsyncGenerator<StreamPiece> {
    const text = developmentReply(request);
    yield { text: '', accepted: true };
    const chunks = chunksOf(text);
    for (const [index, chunk] of chunks.entries()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, this.chunkDelayMs);
        signal.addEventListener('abort', done);
      });
      if (signal.aborted) throw new UpstreamFailure('aborted');
      // Like Gemini, the last chunk carries the usage.
      yield index === chunks.length - 1
        ? { text: chunk, usage: usageOf(request, text) }
        : { text: chunk };
    }
  }
}
