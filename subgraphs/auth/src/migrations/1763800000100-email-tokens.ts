import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

export class EmailTokens1763800000100 implements MigrationInterface {
  name = 'EmailTokens1763800000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // Only the SHA-256 of a token is stored: a read of this table yields no usable link.
    await queryRunner.query(`CREATE TABLE ${s}.email_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'change_email', 'reset_password')),
      token_hash text NOT NULL,
      email text NOT NULL CHECK (email = lower(btrim(email))),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX email_tokens_hash_key ON ${s}.email_tokens (token_hash)`,
    );
    await queryRunner.query(
      `CREATE INDEX email_tokens_user_purpose ON ${s}.email_tokens (user_id, purpose)`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
