import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Support impersonation sessions are ordinary sessions flagged with who acts and why: the actor
 * goes into every access token of the session (`act`), and the user sees both in their sessions
 * list. Both or neither: a flagged session always says why.
 */
export class Impersonation1763800001100 implements MigrationInterface {
  name = 'Impersonation1763800001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.sessions
      ADD COLUMN impersonated_by text,
      ADD COLUMN impersonation_reason text,
      ADD CONSTRAINT sessions_impersonation_reason
        CHECK ((impersonated_by IS NULL) = (impersonation_reason IS NULL))`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
