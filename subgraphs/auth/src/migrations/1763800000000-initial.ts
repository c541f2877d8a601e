import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventTablesSql, schemaOf } from '@bastion/platform';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.users (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      password_hash text,
      display_name text,
      email_verified_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT users_email_normalized CHECK (email = lower(btrim(email)))
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_key ON ${s}.users (email)`);
    await queryRunner.query(`CREATE TABLE ${s}.sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text,
      organization_id uuid,
      role text CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      user_agent text,
      ip text
    )`);
    await queryRunner.query(`CREATE INDEX sessions_user ON ${s}.sessions (user_id)`);
    await queryRunner.query(`CREATE TABLE ${s}.refresh_tokens (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      rotated_at timestamptz,
      replaced_by_id uuid
    )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX refresh_tokens_hash_key ON ${s}.refresh_tokens (token_hash)`,
    );
    await queryRunner.query(
      `CREATE INDEX refresh_tokens_session ON ${s}.refresh_tokens (session_id)`,
    );
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
