import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/** Personal API keys (README "API keys"): the hash only, never the key. */
export class ApiKeys1763800001000 implements MigrationInterface {
  name = 'ApiKeys1763800001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // No foreign key: account deletion revokes the keys (API_KEY_REVOKED) and deletes the rows
    // itself, in its transaction, so the gateways hear of every key before it disappears.
    await queryRunner.query(`CREATE TABLE ${s}.api_keys (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      name text NOT NULL,
      prefix text NOT NULL,
      sha256 text NOT NULL UNIQUE,
      capabilities text[] NOT NULL,
      organization_id uuid,
      credit_ceiling integer,
      ceiling_period text CHECK (ceiling_period IN ('DAY', 'MONTH')),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL,
      CHECK ((credit_ceiling IS NULL) = (ceiling_period IS NULL))
    )`);
    await queryRunner.query(`CREATE INDEX api_keys_user_idx ON ${s}.api_keys (user_id)`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
