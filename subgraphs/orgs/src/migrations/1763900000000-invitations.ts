import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/** Who created an organization (the per-day limit), and invitations. */
export class Invitations1763900000000 implements MigrationInterface {
  name = 'Invitations1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.organizations ADD COLUMN created_by uuid`);
    await queryRunner.query(
      `CREATE INDEX organizations_created_by ON ${s}.organizations (created_by, created_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX memberships_organization_joined ON ${s}.memberships (organization_id, joined_at, user_id)`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.invitations (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES ${s}.organizations (id) ON DELETE CASCADE,
      email text NOT NULL CHECK (email = lower(email)),
      role text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      token_hash text NOT NULL UNIQUE,
      invited_by uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by uuid,
      revoked_at timestamptz
    )`);
    // One open invitation per address and organization: a re-invite replaces it in one transaction.
    await queryRunner.query(`CREATE UNIQUE INDEX invitations_open ON ${s}.invitations (organization_id, email)
      WHERE accepted_at IS NULL AND revoked_at IS NULL`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
