import { AppError, type Logger, type RateLimiter } from '@bastion/platform';
import type { CreditsClient } from '../credits/credits-client';
import { UpstreamFailure, type GeminiClient } from '../gemini/gemini-client';
import { creditsFor, type TokenUsage } from '../models/model-catalog';
import type { Generation, GenerationRepository } from './generation.repository';
import type { PreparedRequest } from './generate-input';

export interface GenerationLimits {
  requestsPerMinute: number;
  /** A hold outlives its call by this margin, then the credits sweeper frees it (a crash never keeps credits). */
  holdTtlSeconds: number;
  streamHoldTtlSeconds: number;
}

/** What a streamed generation ended with. */
export interface StreamOutcome {
  generation?: Generation;
  /** Set when the stream stopped early: the client went away or Gemini failed mid-way. */
  failure?: AppError;
}

const unavailable = (failure: UpstreamFailure) =>
  new AppError('UPSTREAM_UNAVAILABLE', {
    message:
      failure.kind === 'timeout'
        ? 'The model did not answer in time.'
        : 'The model is unavailable; nothing was charged.',
    cause: failure,
  });

/**
 * One text generation: rate limits, the worst case held, Gemini called, the real usage settled
 * (or the hold released on failure) and the generation recorded. Idempotent by idempotencyKey.
 */
export class GenerationService {
  constructor(
    private readonly repository: GenerationRepository,
    private readonly gemini: GeminiClient,
    private readonly credits: CreditsClient,
    private readonly limiter: RateLimiter,
    private readonly limits: GenerationLimits,
    private readonly logger: Logger,
  ) {}

  async generate(userId: string, request: PreparedRequest): Promise<Generation> {
    const claim = await this.start(userId, request);
    if (claim.kind === 'done') return claim.generation;
    const { generation } = claim;
    const holdId = await this.hold(userId, generation, request, this.limits.holdTtlSeconds);
    let result: { text: string; usage: TokenUsage };
    try {
      result = await this.gemini.generate(this.upstream(request));
    } catch (error) {
      await this.abandon(generation, holdId, error);
      throw error instanceof UpstreamFailure ? unavailable(error) : error;
    }
    return this.finish(generation, holdId, request, result.text, result.usage);
  }

  /**
   * A streamed generation: `onChunk` gets each piece as it arrives; `signal` says the client left.
   * Whatever was delivered before a disconnect or an upstream error is charged, nothing more.
   */
  async stream(
    userId: string,
    request: PreparedRequest,
    onChunk: (text: string) => void,
    signal: AbortSignal,
  ): Promise<StreamOutcome> {
    const claim = await this.start(userId, request);
    if (claim.kind === 'done') {
      onChunk(claim.generation.output);
      return { generation: claim.generation };
    }
    const { generation } = claim;
    const holdId = await this.hold(userId, generation, request, this.limits.streamHoldTtlSeconds);
    let delivered = '';
    let usage: TokenUsage | undefined;
    let failure: UpstreamFailure | undefined;
    try {
      for await (const piece of this.gemini.stream(this.upstream(request), signal)) {
        if (piece.usage) usage = piece.usage;
        if (piece.text) {
          delivered += piece.text;
          onChunk(piece.text);
        }
      }
      if (!usage) throw new UpstreamFailure('malformed');
    } catch (error) {
      failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('network');
    }
    if (!failure)
      return { generation: await this.finish(generation, holdId, request, delivered, usage!) };
    if (delivered.length === 0) {
      await this.abandon(generation, holdId, failure);
      return { failure: unavailable(failure) };
    }
    // Stopped part-way: the delivered text is charged by the last usage Gemini reported, or counted.
    const charged = usage ?? {
      inputTokens: await this.inputEstimate(request),
      outputTokens: await this.countOutput(request, delivered),
      thinkingTokens: 0,
    };
    const finished = await this.finish(
      generation,
      holdId,
      request,
      delivered,
      charged,
      failure.kind,
    );
    return {
      generation: finished,
      failure: failure.kind === 'aborted' ? undefined : unavailable(failure),
    };
  }

  private async start(userId: string, request: PreparedRequest) {
    const window = await this.limiter.hit(`ai:requests:${userId}`, 60);
    if (window.count > this.limits.requestsPerMinute) {
      throw new AppError('RATE_LIMITED', {
        message: 'Too many generations this minute.',
        extensions: { retryAfter: window.retryAfter },
      });
    }
    return this.repository.claim({
      userId,
      idempotencyKey: request.idempotencyKey,
      requestHash: request.requestHash,
      model: request.model.id,
      template: request.template,
      priceVersion: request.model.priceVersion,
      prompt: request.prompt,
    });
  }

  /** Estimates the worst case (input counted, the whole output allowance) and holds it; fails closed. */
  private async hold(
    userId: string,
    generation: Generation,
    request: PreparedRequest,
    ttlSeconds: number,
  ): Promise<string> {
    try {
      const inputTokens = await this.inputEstimate(request);
      const worst = creditsFor(request.model, {
        inputTokens,
        outputTokens: request.maxOutputTokens,
        thinkingTokens: 0,
      });
      const holdId = await this.credits.hold(
        userId,
        worst,
        `ai:${generation.id}:${generation.attempt}`,
        ttlSeconds,
      );
      await this.repository.recordHold(generation.id, holdId, worst);
      return holdId;
    } catch (error) {
      await this.repository.fail(
        generation.id,
        error instanceof AppError ? error.code : 'estimate',
      );
      if (error instanceof UpstreamFailure) {
        this.logger.warn(
          { generationId: generation.id, upstream: error.kind, status: error.status },
          'cost estimate failed; nothing held',
        );
        throw new AppError('UPSTREAM_UNAVAILABLE', {
          message: 'The cost of this request cannot be estimated; nothing was charged.',
        });
      }
      throw error;
    }
  }

  private async inputEstimate(request: PreparedRequest): Promise<number> {
    return this.gemini.countInputTokens(this.upstream(request));
  }

  private async countOutput(request: PreparedRequest, text: string): Promise<number> {
    try {
      return await this.gemini.countInputTokens({
        ...this.upstream(request),
        systemPrompt: undefined,
        prompt: text,
      });
    } catch {
      // Gemini's tokens average about four characters; used only when it cannot count.
      return Math.ceil(text.length / 4);
    }
  }

  private async finish(
    generation: Generation,
    holdId: string,
    request: PreparedRequest,
    output: string,
    usage: TokenUsage,
    failure?: string,
  ) {
    let charged = 0;
    try {
      charged = await this.credits.settle(holdId, creditsFor(request.model, usage));
    } catch (error) {
      // The hold expires into the sweeper: the user is not charged twice, at worst not at all.
      this.logger.error(
        { err: error, generationId: generation.id },
        'settling a generation failed',
      );
    }
    return this.repository.complete(generation.id, {
      output,
      usage,
      creditsCharged: charged,
      failure,
    });
  }

  private async abandon(generation: Generation, holdId: string, error: unknown): Promise<void> {
    const failure = error instanceof UpstreamFailure ? error : undefined;
    this.logger.warn(
      { generationId: generation.id, upstream: failure?.kind ?? 'error', status: failure?.status },
      'generation failed; hold released',
    );
    await this.credits
      .release(holdId)
      .catch((releaseError: unknown) =>
        this.logger.error(
          { err: releaseError, generationId: generation.id },
          'releasing a hold failed; the sweeper will',
        ),
      );
    await this.repository.fail(
      generation.id,
      failure ? `${failure.kind}${failure.status ? `:${failure.status}` : ''}` : 'error',
    );
  }

  private upstream(request: PreparedRequest) {
    return {
      upstreamModel: request.model.upstreamModel,
      systemPrompt: request.systemPrompt,
      prompt: request.prompt,
      maxOutputTokens: request.maxOutputTokens,
    };
  }
}
