import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Revocations become data auth owns: gateways rebuild their caches from it after a restart or
 * a lost Redis. No foreign keys: a deleted user's revocation must outlive the user row.
 */
export class TokenRevocations1763800000400 implements MigrationInterface {
  name = 'TokenRevocations1763800000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.token_revocations (
      kind text NOT NULL CHECK (kind IN ('session', 'user')),
      subject_id uuid NOT NULL,
      valid_after timestamptz,
      revoked_at timestamptz NOT NULL,
      PRIMARY KEY (kind, subject_id),
      CHECK ((kind = 'user') = (valid_after IS NOT NULL))
    )`);
    await queryRunner.query(
      `CREATE INDEX token_revocations_revoked_at ON ${s}.token_revocations (revoked_at)`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.service_tokens ADD COLUMN revoked_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX service_tokens_live_name ON ${s}.service_tokens (name) WHERE revoked_at IS NULL`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
