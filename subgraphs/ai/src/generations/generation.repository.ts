import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  conflict,
  decodeCursor,
  pageSize,
  schemaOf,
  toConnection,
  type Connection,
} from '@bastion/platform';
import type { TokenUsage } from '../models/model-catalog';

/** A generation as clients see it (AIGeneration); userId is what the owner rule compares. */
export interface Generation {
  id: string;
  userId: string;
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
}

const COLUMNS = `id, user_id AS "userId", status, attempt, request_hash AS "requestHash", model, template, price_version AS "priceVersion",
  prompt, output, input_tokens AS "inputTokens", output_tokens AS "outputTokens", thinking_tokens AS "thinkingTokens",
  credits_charged AS "creditsCharged", created_at AS "createdAt"`;

export interface NewGeneration {
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  model: string;
  template: string | null;
  priceVersion: string;
  prompt: string;
}

export type Claim =
  { kind: 'run'; generation: Generation } | { kind: 'done'; generation: Generation };

export class GenerationRepository {
  private readonly s: string;

  constructor(
    private readonly dataSource: DataSource,
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
      if (existing?.status === 'PENDING')
        throw conflict('A generation with this idempotencyKey is still running.');
      const [{ running }] = await manager.query(
        `SELECT count(*)::int AS running FROM ${this.s}.generations
         WHERE user_id = $1 AND status = 'PENDING' AND started_at > now() - make_interval(secs => $2)`,
        [input.userId, this.limits.staleAfterSeconds],
      );
      if (running >= this.limits.maxConcurrent) {
        throw new AppError('RATE_LIMITED', {
          message: 'Too many generations are running; wait for one to finish.',
          extensions: { retryAfter: 5 },
        });
      }
      if (existing) {
        // A failed attempt charged nothing: the same key may run again, with a new hold.
        const [rows] = await manager.query(
          `UPDATE ${this.s}.generations SET status = 'PENDING', attempt = attempt + 1, started_at = now(), failure = NULL
          WHERE id = $1 RETURNING ${COLUMNS}`,
          [existing.id],
        );
        return { kind: 'run', generation: rows[0] as Generation };
      }
      const [created] = (await manager.query(
        `INSERT INTO ${this.s}.generations (user_id, idempotency_key, request_hash, status, model, template, price_version, prompt)
         VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [
          input.userId,
          input.idempotencyKey,
          input.requestHash,
          input.model,
          input.template,
          input.priceVersion,
          input.prompt,
        ],
      )) as Generation[];
      return { kind: 'run', generation: created };
    });
  }

  async recordHold(id: string, holdId: string, held: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET hold_id = $2, credits_held = $3 WHERE id = $1`,
      [id, holdId, held],
    );
  }

  async complete(
    id: string,
    result: { output: string; usage: TokenUsage; creditsCharged: number; failure?: string },
  ): Promise<Generation> {
    const [rows] = await this.dataSource.query(
      `UPDATE ${this.s}.generations SET status = 'COMPLETED', output = $2, input_tokens = $3, output_tokens = $4, thinking_tokens = $5,
         credits_charged = $6, failure = $7, completed_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        result.output,
        result.usage.inputTokens,
        result.usage.outputTokens,
        result.usage.thinkingTokens,
        result.creditsCharged,
        result.failure ?? null,
      ],
    );
    return rows[0] as Generation;
  }

  async fail(id: string, failure: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.generations SET status = 'FAILED', failure = $2, completed_at = now() WHERE id = $1`,
      [id, failure],
    );
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

  /** USER_DELETED: prompts and outputs go, amounts and token counts stay for accounting. */
  static async erase(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE ${schemaOf(manager.connection)}.generations SET prompt = '', output = '', erased_at = now()
      WHERE user_id = $1 AND erased_at IS NULL`,
      [userId],
    );
  }
}
