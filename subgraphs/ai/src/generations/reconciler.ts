import type { Logger } from '@bastion/platform';
import { refusalOf, type CreditsClient } from '../credits/credits-client';
import type { ModelCatalog } from '../models/model-catalog';
import { chargeOf } from './charge';
import type { Generation, GenerationRepository } from './generation.repository';

/** Credits' answers that no retry will change: the hold is gone (expired, released) or unknown. */
const FINAL_REFUSALS = new Set(['CONFLICT', 'NOT_FOUND', 'BAD_USER_INPUT']);

/**
 * Finishes generations: settles (or releases) the charge a generation's record decided, and
 * finishes the PENDING records of dead calls (a killed process, a lost settle) from what the
 * record says was delivered. Runs at start and every `intervalMs`; every step is idempotent, so
 * two instances (or a live call and a pass) finishing the same record agree.
 */
export class GenerationReconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly repository: GenerationRepository,
    private readonly credits: CreditsClient,
    private readonly models: ModelCatalog,
    private readonly logger: Logger,
  ) {}

  /**
   * Asks credits to charge the decided amount (or to release the hold when it is 0), then marks
   * the record finished. Throws while credits does not answer: the caller (or the next pass) retries.
   */
  async finish(generation: Generation): Promise<Generation> {
    const due = generation.chargeDue;
    if (due === null) throw new Error('finish() needs a decided generation');
    let charged = 0;
    let note: string | undefined;
    try {
      if (due > 0 && generation.holdId) charged = await this.credits.settle(generation.holdId, due);
      else if (generation.holdId) await this.credits.release(generation.holdId);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal || !FINAL_REFUSALS.has(refusal.code)) throw error;
      // The hold expired (ai was away longer than its lifetime): the sweeper released it, so
      // nothing can be charged any more. Recorded, never retried for ever.
      this.logger.error(
        { generationId: generation.id, credits: refusal.code, due },
        'credits refused to finish a generation; recorded as uncharged',
      );
      note = `${generation.failure ?? 'settle'}:unsettled`;
    }
    return this.repository.confirm(generation.id, charged, note);
  }

  /** Finishes one PENDING record of a dead call; undefined when it turned out to be alive. */
  async reconcile(generation: Generation): Promise<Generation | undefined> {
    let decided: Generation | undefined = generation;
    if (generation.chargeDue === null) {
      const model = this.models.find(generation.model);
      const reached = generation.holdId !== null && generation.upstreamAt !== null;
      const { usage, credits } =
        model && reached
          ? chargeOf(
              model,
              {
                upstreamReached: true,
                complete: false,
                deliveredChars: generation.output.length,
                reported: {
                  inputTokens: generation.inputTokens ?? undefined,
                  outputTokens: generation.outputTokens ?? undefined,
                  thinkingTokens: generation.thinkingTokens ?? undefined,
                },
                inputEstimate: generation.inputEstimate ?? 0,
              },
              generation.creditsHeld,
            )
          : { usage: { inputTokens: 0, outputTokens: 0, thinkingTokens: 0 }, credits: 0 };
      decided = await this.repository.decide(
        generation.id,
        {
          output: generation.output,
          usage,
          chargeDue: credits,
          finishAs: generation.output.length > 0 ? 'COMPLETED' : 'FAILED',
          failure: 'interrupted',
        },
        true,
      );
      if (!decided) return undefined;
      this.logger.warn(
        { generationId: generation.id, chargeDue: credits, delivered: generation.output.length },
        'finishing the generation of a dead call',
      );
    }
    return this.finish(decided);
  }

  /** One pass over the dead calls; resolves with how many were finished. */
  async runOnce(limit = 50): Promise<number> {
    let finished = 0;
    for (const generation of await this.repository.stale(limit)) {
      if (this.stopped) break;
      try {
        if (await this.reconcile(generation)) finished += 1;
      } catch (error) {
        this.logger.warn(
          { err: error, generationId: generation.id },
          'finishing a generation failed; retried on the next pass',
        );
      }
    }
    return finished;
  }

  /** A pass now, then every `intervalMs` (a failed pass is retried on the next tick). */
  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.runOnce()
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'generation reconcile pass failed');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(tick, intervalMs);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
