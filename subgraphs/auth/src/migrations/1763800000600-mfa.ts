import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Second factors (docs/security.md "Sign-in security"): TOTP secrets (encrypted) and passkeys,
 * recovery codes (hashed), the pending second step of a sign-in (mfa_challenges, by token hash),
 * WebAuthn challenges (single use, short-lived), and what a session's sign-in used (`amr`,
 * `auth_time`) so refreshed tokens carry it on. `users.mfa_enabled` mirrors "has a confirmed
 * factor", kept in the transaction that adds or removes one.
 */
export class Mfa1763800000600 implements MigrationInterface {
  name = 'Mfa1763800000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.users ADD COLUMN mfa_enabled boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE ${s}.sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.sessions ADD COLUMN auth_time timestamptz`);
    await queryRunner.query(`CREATE TABLE ${s}.mfa_factors (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('TOTP', 'PASSKEY')),
      name text NOT NULL,
      created_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      last_used_at timestamptz,
      totp_secret bytea,
      totp_last_step bigint,
      credential_id text,
      public_key bytea,
      sign_count bigint,
      transports text[],
      device_type text,
      backed_up boolean,
      CHECK ((kind = 'TOTP') = (totp_secret IS NOT NULL)),
      CHECK ((kind = 'PASSKEY') = (credential_id IS NOT NULL AND public_key IS NOT NULL))
    )`);
    await queryRunner.query(`CREATE INDEX mfa_factors_user ON ${s}.mfa_factors (user_id)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX mfa_factors_credential_key ON ${s}.mfa_factors (credential_id) WHERE credential_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.recovery_codes (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await queryRunner.query(`CREATE INDEX recovery_codes_user ON ${s}.recovery_codes (user_id)`);
    await queryRunner.query(`CREATE TABLE ${s}.mfa_challenges (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      amr text[] NOT NULL,
      client_binding text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      attempts integer NOT NULL DEFAULT 0
    )`);
    await queryRunner.query(
      `CREATE INDEX mfa_challenges_expires ON ${s}.mfa_challenges (expires_at)`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.webauthn_challenges (
      challenge text PRIMARY KEY,
      purpose text NOT NULL CHECK (purpose IN ('REGISTER', 'LOGIN', 'MFA', 'STEP_UP')),
      user_id uuid REFERENCES ${s}.users (id) ON DELETE CASCADE,
      mfa_token_hash text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await queryRunner.query(
      `CREATE INDEX webauthn_challenges_expires ON ${s}.webauthn_challenges (expires_at)`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
