import { AppError, type Logger, type RateLimiter } from '@bastion/platform';
import type { CreditsClient, KeyContext } from '../credits/credits-client';
import { UpstreamFailure, upstreamReached, type GeminiRequest } from '../gemini/gemini-client';
import type { TextUpstream } from '../gemini/upstream';
import { chargeOf, holdFor, type Ending, type ReportedUsage } from './charge';
import type { Generation, GenerationRepository } from './generation.repository';
import type { PreparedRequest } from './generate-input';
import type { GenerationReconciler } from './reconciler';

export interface GenerationLimits {
  requestsPerMinute: number;
  /** A hold outlives its call by this margin, then the credits sweeper frees it (a crash never keeps credits). */
  holdTtlSeconds: number;
  streamHoldTtlSeconds: number;
  /** How often a live call writes its heartbeat (and a stream its progress, at most this often when text arrives). */
  heartbeatMs: number;
  progressMs: number;
  /** Pauses between the settle attempts made in the request; after them the reconciler retries. */
  settleRetryDelaysMs: readonly number[];
}

/** Who asks for a generation: the user, and their active organization (the `org` claim; null: none). */
export interface Caller {
  userId: string;
  organizationId: string | null;
}

/** What a streamed generation ended with. */
export interface StreamOutcome {
  generation?: Generation;
  /** Set when the stream stopped early and someone is still listening: Gemini failed, or shutdown. */
  failure?: AppError;
}

/** The answer to a call that failed upstream: what it cost (the minimum once Gemini had it) or that it was free. */
function upstreamError(failure: UpstreamFailure, charged: number): AppError {
  const what =
    failure.kind === 'timeout'
      ? 'The model did not answer in time'
      : failure.kind === 'aborted'
        ? 'The generation was stopped (the service is shutting down)'
        : 'The model is unavailable';
  return new AppError('UPSTREAM_UNAVAILABLE', {
    message:
      charged > 0
        ? `${what}; ${charged} credits were charged for the request and what was delivered.`
        : `${what}; nothing was charged.`,
    extensions: { creditsCharged: charged },
    cause: failure,
  });
}

export const notConfigured = () =>
  new AppError('UPSTREAM_UNAVAILABLE', {
    message: 'AI is not configured on this server (no Gemini API key); nothing was charged.',
    extensions: { reason: 'AI_NOT_CONFIGURED' },
  });

/** Writes a live call's heartbeat, and a stream's delivered text, at a bounded rate. */
class Heartbeat {
  private timer: NodeJS.Timeout;
  private writing?: Promise<void>;
  private lastWrite = Date.now();
  private written = -1;

  constructor(
    private readonly repository: GenerationRepository,
    private readonly id: string,
    private readonly limits: Pick<GenerationLimits, 'heartbeatMs' | 'progressMs'>,
    private readonly logger: Logger,
    private readonly progress?: () => { output: string; reported?: ReportedUsage },
  ) {
    this.timer = setInterval(() => this.tick(), limits.progressMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.writing) return;
    const progress = this.progress?.();
    const changed = progress !== undefined && progress.output.length !== this.written;
    if (!changed && Date.now() - this.lastWrite < this.limits.heartbeatMs) return;
    this.lastWrite = Date.now();
    if (progress) this.written = progress.output.length;
    this.writing = this.repository
      .heartbeat(this.id, progress)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, generationId: this.id }, 'generation heartbeat failed'),
      )
      .finally(() => {
        this.writing = undefined;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
  }
}

/** The latest of each count Gemini reported (counts are cumulative; a chunk may omit some). */
function mergeUsage(
  previous: ReportedUsage | undefined,
  next: ReportedUsage | undefined,
): ReportedUsage | undefined {
  if (!next) return previous;
  return {
    inputTokens: next.inputTokens ?? previous?.inputTokens,
    outputTokens: next.outputTokens ?? previous?.outputTokens,
    thinkingTokens: next.thinkingTokens ?? previous?.thinkingTokens,
  };
}

/**
 * One text generation: rate limits, a durable record, the worst case held, Gemini called, the
 * ending's charge decided by `chargeOf` and recorded, then settled (or the hold released) until
 * credits confirms. Idempotent by idempotencyKey.
 */
export class GenerationService {
  private readonly closing = new AbortController();

  constructor(
    private readonly repository: GenerationRepository,
    /** Gemini, and outside production without a key the development model (docs/configuration.md "Model catalog"). */
    private readonly gemini: TextUpstream,
    private readonly credits: CreditsClient,
    private readonly reconciler: GenerationReconciler,
    private readonly limiter: RateLimiter,
    private readonly limits: GenerationLimits,
    private readonly logger: Logger,
  ) {}

  /** Cuts the streams in flight (shutdown): each ends with an `error` event, charged for what was delivered. */
  stopStreams(): void {
    this.closing.abort();
  }

  /** `apiKey`: the personal API key the caller used, whose credit ceiling the hold counts against. */
  async generate(
    caller: Caller,
    request: PreparedRequest,
    apiKey: KeyContext | null = null,
  ): Promise<Generation> {
    const { userId } = caller;
    const claim = await this.start(caller, request);
    if (claim.kind === 'done') return claim.generation;
    const { generation } = claim;
    const heartbeat = new Heartbeat(this.repository, generation.id, this.limits, this.logger);
    try {
      const { holdId, held, inputEstimate } = await this.hold(
        userId,
        generation,
        request,
        this.limits.holdTtlSeconds,
        apiKey,
      );
      await this.repository.markUpstream(generation.id);
      let ending: Ending;
      let output = '';
      let failure: UpstreamFailure | undefined;
      try {
        const result = await this.gemini.generate(this.upstream(request));
        output = result.text;
        ending = {
          upstreamReached: true,
          complete: true,
          deliveredChars: output.length,
          reported: result.usage,
          inputEstimate,
        };
      } catch (error) {
        if (!(error instanceof UpstreamFailure)) throw error;
        failure = error;
        ending = {
          upstreamReached: upstreamReached(error),
          complete: false,
          deliveredChars: 0,
          inputEstimate,
        };
      }
      const finished = await this.end(
        generation,
        request,
        { holdId, held },
        ending,
        output,
        failure,
      );
      if (failure) {
        this.logger.warn(
          { generationId: generation.id, upstream: failure.kind, status: failure.status },
          'generation failed upstream',
        );
        throw upstreamError(failure, finished.creditsCharged);
      }
      return finished;
    } finally {
      await heartbeat.stop();
    }
  }

  /**
   * A streamed generation: `onChunk` gets each piece as it arrives; `signal` says the client left.
   * What was delivered is charged (`chargeOf`), at least the request's minimum once Gemini had it.
   */
  async stream(
    caller: Caller,
    request: PreparedRequest,
    onChunk: (text: string) => void,
    signal: AbortSignal,
    apiKey: KeyContext | null = null,
  ): Promise<StreamOutcome> {
    const { userId } = caller;
    const claim = await this.start(caller, request);
    if (claim.kind === 'done') {
      onChunk(claim.generation.output);
      return { generation: claim.generation };
    }
    const { generation } = claim;
    let delivered = '';
    let reported: ReportedUsage | undefined;
    const heartbeat = new Heartbeat(
      this.repository,
      generation.id,
      this.limits,
      this.logger,
      () => ({ output: delivered, reported }),
    );
    try {
      const { holdId, held, inputEstimate } = await this.hold(
        userId,
        generation,
        request,
        this.limits.streamHoldTtlSeconds,
        apiKey,
      );
      const stop = AbortSignal.any([signal, this.closing.signal]);
      let failure: UpstreamFailure | undefined;
      let accepted = false;
      let sent = false;
      try {
        if (stop.aborted) throw new UpstreamFailure('aborted');
        await this.repository.markUpstream(generation.id);
        sent = true;
        for await (const piece of this.gemini.stream(this.upstream(request), stop)) {
          if (piece.accepted) accepted = true;
          reported = mergeUsage(reported, piece.usage);
          if (piece.text) {
            delivered += piece.text;
            onChunk(piece.text);
          }
        }
      } catch (error) {
        failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('network');
      }
      const ending: Ending = {
        upstreamReached:
          sent && (accepted || delivered.length > 0 || (failure ? upstreamReached(failure) : true)),
        complete: !failure,
        deliveredChars: delivered.length,
        reported,
        inputEstimate,
      };
      const finished = await this.end(
        generation,
        request,
        { holdId, held },
        ending,
        delivered,
        failure,
      );
      if (!failure) return { generation: finished };
      this.logger.warn(
        {
          generationId: generation.id,
          upstream: failure.kind,
          status: failure.status,
          delivered: delivered.length,
        },
        'stream stopped early',
      );
      // The client left: nobody to tell. Gemini failed or the service is stopping: an error event.
      if (signal.aborted) return { generation: finished };
      return { generation: finished, failure: upstreamError(failure, finished.creditsCharged) };
    } finally {
      await heartbeat.stop();
    }
  }

  /** Rate limit, configuration, then the durable record (a dead call's record under this key is finished first). */
  private async start({ userId, organizationId }: Caller, request: PreparedRequest) {
    if (!this.gemini.configuredFor(request.model.upstreamModel)) throw notConfigured();
    const window = await this.limiter.hit(`ai:requests:${userId}`, 60);
    if (window.count > this.limits.requestsPerMinute) {
      throw new AppError('RATE_LIMITED', {
        message: 'Too many generations this minute.',
        extensions: { retryAfter: window.retryAfter },
      });
    }
    const claim = () =>
      this.repository.claim({
        userId,
        organizationId,
        idempotencyKey: request.idempotencyKey,
        requestHash: request.requestHash,
        model: request.model.id,
        template: request.template,
        priceVersion: request.model.priceVersion,
        prompt: request.prompt,
      });
    const first = await claim();
    if (first.kind !== 'unfinished') return first;
    try {
      if (first.generation.chargeDue !== null) await this.reconciler.finish(first.generation);
      else await this.reconciler.reconcile(first.generation);
    } catch (error) {
      this.logger.warn({ err: error, generationId: first.generation.id }, 'finishing failed');
    }
    const second = await claim();
    if (second.kind === 'unfinished')
      throw new AppError('CONFLICT', {
        message: 'The generation with this idempotencyKey is still being settled; retry shortly.',
      });
    return second;
  }

  /** Counts the prompt, holds the worst case (prompt, whole output allowance, thinking budget); fails closed. */
  private async hold(
    userId: string,
    generation: Generation,
    request: PreparedRequest,
    ttlSeconds: number,
    apiKey: KeyContext | null,
  ): Promise<{ holdId: string; held: number; inputEstimate: number }> {
    try {
      const inputEstimate = await this.gemini.countInputTokens(this.upstream(request));
      const held = holdFor(request.model, inputEstimate, request.maxOutputTokens);
      const holdId = await this.credits.hold(
        userId,
        held,
        `ai:${generation.id}:${generation.attempt}`,
        ttlSeconds,
        generation.organizationId,
        apiKey,
      );
      await this.repository.recordHold(generation.id, holdId, held, inputEstimate);
      return { holdId, held, inputEstimate };
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
          message:
            'The model is unavailable (the request could not be counted); nothing was charged.',
        });
      }
      throw error;
    }
  }

  /**
   * Decides the ending's charge, records it (durable before credits is asked), then settles or
   * releases, retried a few times here; if credits still does not confirm, the reconciler retries.
   */
  private async end(
    generation: Generation,
    request: PreparedRequest,
    hold: { holdId: string; held: number },
    ending: Ending,
    output: string,
    failure?: UpstreamFailure,
  ): Promise<Generation> {
    const { usage, credits } = chargeOf(request.model, ending, hold.held);
    const decided = await this.repository.decide(generation.id, {
      output,
      usage,
      chargeDue: credits,
      finishAs: failure && output.length === 0 ? 'FAILED' : 'COMPLETED',
      failure: failure ? `${failure.kind}${failure.status ? `:${failure.status}` : ''}` : undefined,
    });
    if (!decided) throw new Error(`generation ${generation.id} vanished`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reconciler.finish(decided);
      } catch (error) {
        const delay = this.limits.settleRetryDelaysMs[attempt];
        if (delay === undefined) {
          this.logger.error(
            { err: error, generationId: generation.id, chargeDue: decided.chargeDue },
            'settling a generation failed; the reconciler retries',
          );
          // Recorded as due: the reconciler charges exactly this amount once credits answers.
          return { ...decided, creditsCharged: decided.creditsCharged + (decided.chargeDue ?? 0) };
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private upstream(request: PreparedRequest): GeminiRequest {
    return {
      upstreamModel: request.model.upstreamModel,
      systemPrompt: request.systemPrompt,
      variablesText: request.variablesText,
      prompt: request.prompt,
      maxOutputTokens: request.maxOutputTokens,
      thinkingBudget: request.model.thinkingBudget,
    };
  }
}
