import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * What a generation's ending needs to survive the process: a heartbeat (a PENDING row whose
 * heartbeat stopped belongs to a dead call; it no longer counts against the concurrency limit and
 * the reconciler finishes it), when Gemini was called, the prompt's counted tokens, and the charge
 * decided but not yet confirmed by credits (null: not decided; 0: release the hold).
 */
export class GenerationEndings1767000000000 implements MigrationInterface {
  name = 'GenerationEndings1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.generations
      ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN upstream_at timestamptz,
      ADD COLUMN input_estimate int CHECK (input_estimate >= 0),
      ADD COLUMN charge_due int CHECK (charge_due >= 0),
      ADD COLUMN finish_as text CHECK (finish_as IN ('COMPLETED', 'FAILED'))`);
    await queryRunner.query(`DROP INDEX ${s}.generations_pending`);
    await queryRunner.query(
      `CREATE INDEX generations_pending ON ${s}.generations (heartbeat_at) WHERE status = 'PENDING'`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
