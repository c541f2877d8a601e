import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Organization cut-offs next to token_revocations: which access tokens' `org`/`role` claims a role
 * change, removal or deleted organization made stale. One row per member of an organization (the
 * latest change) and one per deleted organization (`user_id` null); no foreign keys, like
 * token_revocations: orgs owns organizations, and a cut-off must outlive a deleted user.
 */
export class OrganizationTokenCutoffs1763800000500 implements MigrationInterface {
  name = 'OrganizationTokenCutoffs1763800000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.organization_token_cutoffs (
      organization_id uuid NOT NULL,
      user_id uuid,
      role text CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      changed_at timestamptz NOT NULL,
      CHECK (user_id IS NOT NULL OR role IS NULL)
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX organization_token_cutoffs_member
      ON ${s}.organization_token_cutoffs (organization_id, user_id) WHERE user_id IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX organization_token_cutoffs_organization
      ON ${s}.organization_token_cutoffs (organization_id) WHERE user_id IS NULL`);
    await queryRunner.query(
      `CREATE INDEX organization_token_cutoffs_changed_at ON ${s}.organization_token_cutoffs (changed_at)`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
