import { creditsFor, type AIModel, type TokenUsage } from '../models/model-catalog';

/**
 * Token counts as Gemini reported them (usageMetadata): a count it did not send is undefined,
 * never 0, so it can be estimated instead of charged as nothing.
 */
export interface ReportedUsage {
  inputTokens?: number;
  outputTokens?: number;
  thinkingTokens?: number;
}

/** Everything known about how one generation ended: the input of `chargeOf`. */
export interface Ending {
  /**
   * Gemini received the request: it answered (any text, a complete or a malformed answer), timed
   * out, or the client left after the request was sent. False when it was never sent, or refused
   * with an HTTP status (Gemini bills neither).
   */
  upstreamReached: boolean;
  /** Gemini finished (the last chunk, or a whole generateContent answer) rather than being cut. */
  complete: boolean;
  /** Characters of text delivered to the client (or received, for generateText). */
  deliveredChars: number;
  /** The last usage Gemini reported, if any. */
  reported?: ReportedUsage;
  /** The prompt's counted tokens (countTokens before the hold). */
  inputEstimate: number;
}

/** Gemini's tokens average about four characters; used wherever a count is missing. */
export function tokensOfText(chars: number): number {
  return Math.ceil(chars / 4);
}

/** The worst case a generation may cost: the counted prompt, the whole output allowance and the thinking budget. */
export function holdFor(model: AIModel, inputEstimate: number, maxOutputTokens: number): number {
  return creditsFor(model, {
    inputTokens: inputEstimate,
    outputTokens: maxOutputTokens,
    thinkingTokens: model.thinkingBudget,
  });
}

/**
 * What one ending costs (docs/security.md "What a generation is charged"). Pure: the usage
 * that is recorded and the credits to settle, never more than `held`.
 *
 * - never reached Gemini: nothing;
 * - input: the reported promptTokenCount, else the prompt's count;
 * - output: the reported candidatesTokenCount when Gemini finished and sent it; otherwise the
 *   delivered text's estimate (characters / 4, rounded up), never below a count Gemini reported;
 * - thinking: the reported thoughtsTokenCount; when none was reported, 0 if Gemini finished
 *   with an output count (it omits zero counts), else the model's thinking budget once any text
 *   was delivered (thinking comes before the answer), else 0;
 * - so once Gemini was reached the charge is at least creditsPerRequest plus the prompt's input.
 */
export function chargeOf(
  model: AIModel,
  ending: Ending,
  held: number,
): { usage: TokenUsage; credits: number } {
  if (!ending.upstreamReached)
    return { usage: { inputTokens: 0, outputTokens: 0, thinkingTokens: 0 }, credits: 0 };
  const reported = ending.reported ?? {};
  const inputTokens = reported.inputTokens ?? ending.inputEstimate;
  const outputTokens =
    ending.complete && reported.outputTokens !== undefined
      ? reported.outputTokens
      : Math.max(reported.outputTokens ?? 0, tokensOfText(ending.deliveredChars));
  let thinkingTokens: number;
  if (reported.thinkingTokens !== undefined) thinkingTokens = reported.thinkingTokens;
  else if (ending.complete && reported.outputTokens !== undefined) thinkingTokens = 0;
  else thinkingTokens = ending.deliveredChars > 0 ? model.thinkingBudget : 0;
  const usage = { inputTokens, outputTokens, thinkingTokens };
  return { usage, credits: Math.min(creditsFor(model, usage), held) };
}
