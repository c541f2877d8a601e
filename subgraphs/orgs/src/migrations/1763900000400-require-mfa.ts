import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * An organization may require its members to have used a second factor in their session
 * (docs/security.md "Organizations that require MFA"). Off for every existing organization: the
 * policy is an ADMIN's choice, never switched on by an upgrade. The column is covered by the
 * table's existing grants and row-level security.
 */
export class RequireMfa1763900000400 implements MigrationInterface {
  name = 'RequireMfa1763900000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.organizations ADD COLUMN require_mfa boolean NOT NULL DEFAULT false`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
