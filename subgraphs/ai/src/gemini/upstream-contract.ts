// What every text upstream (Gemini, a local model) and its callers share; its own module so the
// Gemini client and the upstream router need not import each other.
import type { ReportedUsage } from '../generations/charge';

/** Why an upstream call failed, summarised: an upstream body is never passed on or logged. */
export type UpstreamFailureKind =
  'unconfigured' | 'status' | 'timeout' | 'malformed' | 'network' | 'aborted';

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    readonly status?: number,
  ) {
    super(status ? `Gemini answered ${status}` : `Gemini call failed: ${kind}`);
    this.name = 'UpstreamFailure';
  }
}

export interface GeminiRequest {
  upstreamModel: string;
  /** The template's instruction; never holds a client's text. */
  systemPrompt?: string;
  /** The template's variables as quoted data, sent as user content before the prompt. */
  variablesText?: string;
  prompt: string;
  maxOutputTokens: number;
  /** thinkingConfig.thinkingBudget (the model's, from the catalog). */
  thinkingBudget: number;
}

/** The parts of one streamed chunk the proxy uses. */
export interface StreamPiece {
  text: string;
  usage?: ReportedUsage;
  /** The first piece, with no text: Gemini accepted the request (answered 200). */
  accepted?: true;
}

/** What the generation service asks of a model's upstream: the Gemini client, or a local model. */
export interface TextUpstream {
  /** Whether this upstream can serve the model (Gemini: only with an API key). */
  configuredFor(upstreamModel: string): boolean;
  countInputTokens(request: GeminiRequest): Promise<number>;
  generate(request: GeminiRequest): Promise<{ text: string; usage?: ReportedUsage }>;
  stream(request: GeminiRequest, signal: AbortSignal): AsyncGenerator<StreamPiece>;
}
