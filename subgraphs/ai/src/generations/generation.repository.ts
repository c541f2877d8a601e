import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  conflict,
  decodeCursor,
  enqueueEvent,
  pageSize,
  schemaOf,
  toConnection,
  type Connection,
} from '@bastion/platform';
import type { TokenUsage } from '../models/model-catalog';
import type { ReportedUsage } from './charge';

/** A generation as clients see it (AIGeneration); userId is what the owner rule compares. */
export interface Generation {
  id: string;
  userId: string;
  /** The caller's active organization when it was asked for (null: none); internal, for events. */
  organizationId: string | null;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  attempt: number;
  requestHash: string;
  model: string;
  template: string | null;
  priceVersion: string;
  prompt: string;
  output: string;
  inputTokens: number | null;
  outputTokens: number | null;
  thinkingTokens: number | null;
  creditsCharged: number;
  createdAt: Date;
  /** Internal: how the call stands (docs/security.md "What a generation is charged"). */
  holdId: string | null;
  creditsHeld: number;
  inputEstimate: number | null;
  upstreamAt: Date | null;
  /** The charge decided, awaiting credits' confirmation (0: release the hold). */
  chargeDue: number | null;
  finishAs: 'COMPLETED' | 'FAILED' | null;
  failure: string | null;
}

const COLUMNS = `id, user_id AS "userId", organization_id AS "organizationId", status, attempt, request_hash AS "requestHash", model, template, price_version AS "priceVersion",
  prompt, output, input_tokens AS "inputTokens", output_tokens AS "outputTokens", thinking_tokens AS "thinkingTokens",
  credits_charged AS "creditsCharged", created_at AS "createdAt", hold_id AS "holdId", credits_held AS "creditsHeld",
  input_estimate AS "inputEstimate", upstream_at AS "upstreamAt", charge_due AS "chargeDue", finish_as AS "finishAs", failure`;

/** How a call ended, as decided before credits is asked to settle or release. */
export interface Decision {
  output: string;
  usage: TokenUsage;
  chargeDue: number;
  finishAs: 'COMPLETED' | 'FAILED';
  failure?: string;
}

export interface NewGeneration {
  userId: string;
  organizationId: string | null;
  idempotencyKey: string;
  requestHash: string;
  model: string;
  template: string | null;
  priceVersion: string;
  prompt: string;
}

export type Claim =
  | { kind: 'run'; generation: Generation }
  | { kind: 'done'; generation: Generation }
  /** PENDING, but its call is dead (no heartbeat) or only waits for credits: finish it first. */
  | { kind: 'unfinished'; generation: Generation };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class GenerationRepository {
  private readonly s: string;

  constructor(
    private readonly dataSource: DataSource,
    /** A PENDING row whose heartbeat is older than staleAfterSeconds belongs to a dead call. */
    private readonly limits: { maxConcurrent: number; staleAfterSeconds: number },
  ) {
    this.s = schemaOf(dataSource);
  }

  /**
   * Starts a generation, or finds the one this idempotency key already made. Under a per-user
   * advisory lock, so concurrent requests cannot all pass the concurrency count at once.
   */
  async claim(input: NewGeneration): Promise<Claim> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `ai-generations:${input.userId}`,
      ]);
      const [existing] = (await manager.query(
        `SELECT ${COLUMNS} FROM ${this.s}.generations WHERE user_id = $1 AND idempotency_key = $2`,
        [input.userId, input.idempotencyKey],
      )) as Generation[];
      if (existing && existing.requestHash !== input.requestHash)
        throw conflict('This idempotencyKey was used for another request.');
      if (existing?.status === 'COMPLETED') return { kind: 'done', generation: existing };
      if (existing?.status === 'PENDING') {
        const [{ alive }] = await manager.query(
          `SELECT (charge_due IS NULL AND heartbeat_at > now() - make_interval(secs => $2)) AS alive
           FROM ${this.s}.generations WHERE id = $1`,
          [existing.id, this.limits.staleAfterSeconds],
        );
        if (!alive) return { kind: 'unfinished', generation: existing };
        throw conflict('A generation with this idempotencyKey is still running.');
      }
      // Not a rate-limiter-flexible counter: the concurrency limit counts the live generations
      // themselves (PENDING with a fresh heartbeat), in the transaction that starts one, so a
      // crashed call frees its slot with its heartbeat and no counter can drift from the rows.
      // Only live calls count: a dead call's slot goes with its heartbeat.
      const [{ running }] = await manager.query(
        `SELECT count(*)::int AS running FROM ${this.s}.generations
         WHERE user_id = $1 AND status = 'PENDING' AND charge_due IS NULL
           AND heartbeat_at > now() - make_interval(secs => $2)`,
        [input.userId, this.limits.staleAfterSeconds],
      );
      if (running >= this.limits.maxConcurrent) {
        throw new AppError('RATE_LIMITED', {
          message: 'Too many generations are running; wait for one to finish.',
          extensions: { retryAfter: 5 },
        });
      }
      if (existing) {
        // A failed attempt may run again with a new hold; what it was charged stays counted.
        const [rows] = await manager.query(
          `UPDATE ${this.s}.generations SET status = 'PENDING', attempt = attempt + 1, started_at = now(),
             heartbeat_at = now(), failure = NULL, hold_id = NULL, credits_held = 0, upstream_at = NULL,
             input_estimate = NULL, charge_due = NULL, finish_as = NULL, output = '',
             input_tokens = NULL, output_tokens = NULL, thinking_tokens = NULL, completed_at = NULL
          WHERE id = $1 RETURNING ${COLUMNS}`,
          [existing.id],
        );
        return { kind: 'run', generation: rows[0] as Generation };
      }
      const [created] = (await manager.query(
        `INSERT INTO ${this.s}.generations (user_id, idempotency_key, request_hash, status, model, template, price_version, prompt, organization_id)
         VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          input.userId,
          input.idempotencyKey,
          input.requestHash,
          input.model,
          input.template,
          input.priceVersion,
          input.prompt,
          input.organizationId,
        ],
      )) as Generation[];
      return { kind: 'run', generation: created };
    });
  }

  async recordHold(id: string, holdId: string, held: number, inputEstimate: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET hold_id = $2, credits_held = $3, input_estimate = $4, heartbeat_at = now()
       WHERE id = $1`,
      [id, holdId, held, inputEstimate],
    );
  }

  /** Written before Gemini is called: from here on Gemini may have the request. */
  async markUpstream(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET upstream_at = now(), heartbeat_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** The call is alive; with `progress`, also what was delivered so far and the last reported counts. */
  async heartbeat(
    id: string,
    progress?: { output: string; reported?: ReportedUsage },
  ): Promise<void> {
    if (!progress) {
      await this.dataSource.query(
        `UPDATE ${this.s}.generations SET heartbeat_at = now() WHERE id = $1 AND status = 'PENDING' AND charge_due IS NULL`,
        [id],
      );
      return;
    }
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET heartbeat_at = now(), output = $2, input_tokens = $3, output_tokens = $4,
         thinking_tokens = $5 WHERE id = $1 AND status = 'PENDING' AND charge_due IS NULL`,
      [
        id,
        progress.output,
        progress.reported?.inputTokens ?? null,
        progress.reported?.outputTokens ?? null,
        progress.reported?.thinkingTokens ?? null,
      ],
    );
  }

  /**
   * Records how the call ended and what it costs, before credits is asked: once decided, the
   * amount never changes, so a settle retried after a crash asks for the same amount. Only the
   * first decision counts (`staleOnly`: only if the call is dead); returns the row as it stands.
   */
  async decide(id: string, decision: Decision, staleOnly = false): Promise<Generation | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE ${this.s}.generations SET output = $2, input_tokens = $3, output_tokens = $4, thinking_tokens = $5,
         charge_due = $6, finish_as = $7, failure = $8, heartbeat_at = now()
       WHERE id = $1 AND status = 'PENDING' AND charge_due IS NULL
         ${staleOnly ? 'AND heartbeat_at <= now() - make_interval(secs => $9)' : ''}
       RETURNING ${COLUMNS}`,
      [
        id,
        decision.output,
        decision.usage.inputTokens,
        decision.usage.outputTokens,
        decision.usage.thinkingTokens,
        decision.chargeDue,
        decision.finishAs,
        decision.failure ?? null,
        ...(staleOnly ? [this.limits.staleAfterSeconds] : []),
      ],
    );
    return (rows as Generation[])[0] ?? (staleOnly ? undefined : this.find(id));
  }

  /**
   * Credits confirmed the decided charge (or the release): the generation is finished. A
   * generation finishing COMPLETED publishes AI_GENERATION_COMPLETED in the same transaction,
   * once: only the call that moves it out of PENDING writes the event.
   */
  async confirm(id: string, charged: number, note?: string): Promise<Generation> {
    const finished = await this.dataSource.transaction(async (manager) => {
      const [rows] = await manager.query(
        `UPDATE ${this.s}.generations SET status = finish_as, credits_charged = credits_charged + $2,
           failure = COALESCE($3, failure), completed_at = now()
         WHERE id = $1 AND status = 'PENDING' AND charge_due IS NOT NULL RETURNING ${COLUMNS}`,
        [id, charged, note ?? null],
      );
      const row = (rows as Generation[])[0];
      if (row?.status === 'COMPLETED')
        await enqueueEvent(manager, 'AI_GENERATION_COMPLETED', {
          generationId: row.id,
          userId: row.userId,
          organizationId: row.organizationId,
          model: row.model,
          inputTokens: row.inputTokens ?? 0,
          outputTokens: row.outputTokens ?? 0,
          thinkingTokens: row.thinkingTokens ?? 0,
          creditsCharged: row.creditsCharged,
        });
      return row;
    });
    return finished ?? (await this.find(id))!;
  }

  /** Nothing was held (the hold was refused): the generation failed, free. */
  async fail(id: string, failure: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET status = 'FAILED', failure = $2, completed_at = now() WHERE id = $1`,
      [id, failure],
    );
  }

  async find(id: string): Promise<Generation | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.s}.generations WHERE id = $1`,
      [id],
    )) as Generation[];
    return row;
  }

  /** PENDING rows of dead calls (no heartbeat for staleAfterSeconds), oldest first. */
  async stale(limit: number): Promise<Generation[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.s}.generations
       WHERE status = 'PENDING' AND heartbeat_at <= now() - make_interval(secs => $1)
       ORDER BY heartbeat_at LIMIT $2`,
      [this.limits.staleAfterSeconds, limit],
    )) as Generation[];
  }

  /** The user's completed generations, newest first. */
  async list(
    userId: string,
    first?: number | null,
    after?: string | null,
  ): Promise<Connection<Generation>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.s}.generations WHERE user_id = $1 AND status = 'COMPLETED'
       ${cursor ? 'AND (created_at, id) < ($3, $4)' : ''} ORDER BY created_at DESC, id DESC LIMIT $2`,
      cursor ? [userId, limit + 1, cursor.createdAt, cursor.id] : [userId, limit + 1],
    )) as Generation[];
    return toConnection(rows, limit);
  }

  /**
   * Every generation of the user, oldest first, as the export shows them (README "Your data"):
   * what the user sees of a generation plus its status and failure; no internal bookkeeping.
   */
  async exportOf(userId: string) {
    if (!UUID.test(userId)) return [];
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.s}.generations WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    )) as Generation[];
    return rows.map((g) => ({
      id: g.id,
      status: g.status,
      model: g.model,
      template: g.template,
      prompt: g.prompt,
      output: g.output,
      creditsCharged: g.creditsCharged,
      inputTokens: g.inputTokens,
      outputTokens: g.outputTokens,
      thinkingTokens: g.thinkingTokens,
      priceVersion: g.priceVersion,
      failure: g.failure,
      createdAt: new Date(g.createdAt).toISOString(),
    }));
  }

  /** USER_DELETED: prompts and outputs go, amounts and token counts stay for accounting. */
  static async erase(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE ${schemaOf(manager.connection)}.generations SET prompt = '', output = '', erased_at = now()
      WHERE user_id = $1 AND erased_at IS NULL`,
      [userId],
    );
  }
}
