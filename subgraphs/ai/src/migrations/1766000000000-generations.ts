import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Generation records: one row per (user, idempotency key), PENDING while it runs (the concurrency
 * limit counts these), then COMPLETED with what was charged, or FAILED with nothing charged.
 */
export class Generations1766000000000 implements MigrationInterface {
  name = 'Generations1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.generations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL,
      idempotency_key text NOT NULL,
      request_hash text NOT NULL,
      attempt int NOT NULL DEFAULT 1,
      status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
      model text NOT NULL,
      template text,
      price_version text NOT NULL,
      prompt text NOT NULL,
      output text NOT NULL DEFAULT '',
      input_tokens int CHECK (input_tokens >= 0),
      output_tokens int CHECK (output_tokens >= 0),
      thinking_tokens int CHECK (thinking_tokens >= 0),
      credits_held int NOT NULL DEFAULT 0 CHECK (credits_held >= 0),
      credits_charged int NOT NULL DEFAULT 0 CHECK (credits_charged >= 0),
      hold_id uuid,
      failure text,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      started_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      erased_at timestamptz,
      CONSTRAINT generations_idempotency UNIQUE (user_id, idempotency_key)
    )`);
    await queryRunner.query(
      `CREATE INDEX generations_user_created ON ${s}.generations (user_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX generations_pending ON ${s}.generations (user_id, started_at) WHERE status = 'PENDING'`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
