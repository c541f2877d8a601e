import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Personal API keys' credit ceilings (README "API keys"), enforced by the ledger itself:
 * - `api_key_spending`: per key and period (its UTC start), what running holds through the key
 *   reserve (`held`) and what was charged through it (`charged`); the row is locked and updated
 *   in the transaction of each hold, settlement, release, expiry and spend through the key, so
 *   `held + charged` never passes the ceiling the key carried;
 * - a hold remembers the key and the period it reserved against, so its settlement, release or
 *   expiry (by the sweeper, with no request at hand) gives back to the same row.
 * The user link cascades like the holds' (a deleted user's account gets a pseudonym).
 */
export class ApiKeyCeilings1768500000000 implements MigrationInterface {
  name = 'ApiKeyCeilings1768500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.api_key_spending (
      api_key_id uuid NOT NULL,
      period_start timestamptz NOT NULL,
      user_id uuid NOT NULL REFERENCES ${s}.credit_accounts (user_id) ON UPDATE CASCADE,
      held int NOT NULL DEFAULT 0 CHECK (held >= 0),
      charged int NOT NULL DEFAULT 0 CHECK (charged >= 0),
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (api_key_id, period_start)
    )`);
    await queryRunner.query(
      `CREATE INDEX api_key_spending_user ON ${s}.api_key_spending (user_id)`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.credit_holds ADD COLUMN api_key_id uuid,
      ADD COLUMN key_period_start timestamptz,
      ADD CONSTRAINT credit_holds_key_period CHECK ((api_key_id IS NULL) = (key_period_start IS NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.credit_holds DROP CONSTRAINT credit_holds_key_period,
      DROP COLUMN key_period_start, DROP COLUMN api_key_id`);
    await queryRunner.query(`DROP TABLE ${s}.api_key_spending`);
  }
}
