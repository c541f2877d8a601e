import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

export class OAuth1763800000200 implements MigrationInterface {
  name = 'OAuth1763800000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.oauth_accounts (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      provider text NOT NULL,
      subject text NOT NULL,
      email text,
      created_at timestamptz NOT NULL,
      CONSTRAINT oauth_accounts_provider_subject_key UNIQUE (provider, subject),
      CONSTRAINT oauth_accounts_user_provider_key UNIQUE (user_id, provider)
    )`);
    await queryRunner.query(`CREATE TABLE ${s}.oauth_states (
      hash text PRIMARY KEY,
      provider text NOT NULL,
      redirect_uri text NOT NULL,
      code_verifier text NOT NULL,
      nonce text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('login', 'link')),
      user_id uuid REFERENCES ${s}.users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      CONSTRAINT oauth_states_link_has_user CHECK ((purpose = 'link') = (user_id IS NOT NULL))
    )`);
    await queryRunner.query(`CREATE INDEX oauth_states_expires ON ${s}.oauth_states (expires_at)`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
