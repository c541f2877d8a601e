import type { ModelEntry } from '../config';

export type AIModel = Required<Omit<ModelEntry, 'description'>> & { description: string | null };

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Billed as output. */
  thinkingTokens: number;
}

/**
 * Credits for a usage: the per-request price plus the token prices, rounded up once over the
 * sum (so a request is never charged a rounding per token class).
 */
export function creditsFor(model: AIModel, usage: TokenUsage): number {
  const milli =
    usage.inputTokens * model.creditsPer1kInputTokens +
    (usage.outputTokens + usage.thinkingTokens) * model.creditsPer1kOutputTokens;
  return model.creditsPerRequest + Math.ceil(milli / 1000);
}

/** The models on offer, from configuration. */
export class ModelCatalog {
  readonly models: readonly AIModel[];
  private readonly byId: Map<string, AIModel>;

  constructor(entries: readonly ModelEntry[]) {
    this.models = Object.freeze(
      entries.map((m) =>
        Object.freeze({
          ...m,
          description: m.description ?? null,
          upstreamModel: m.upstreamModel ?? m.id,
          creditsPer1kInputTokens: m.creditsPer1kInputTokens ?? 0,
          creditsPer1kOutputTokens: m.creditsPer1kOutputTokens ?? 0,
          maxOutputTokens: m.maxOutputTokens ?? 2048,
          thinkingBudget: m.thinkingBudget ?? 0,
          priceVersion: m.priceVersion ?? '1',
        }),
      ),
    );
    this.byId = new Map(this.models.map((m) => [m.id, m]));
  }

  find(id: string): AIModel | undefined {
    return this.byId.get(id);
  }
}
