import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * The caller's active organization when the generation was asked for (the `org` claim; null:
 * none), kept with the generation: its AI_GENERATION_COMPLETED names it, and so does the hold ai
 * asks credits for, even when the reconciler finishes the generation later without a request.
 */
export class GenerationOrganization1768000000000 implements MigrationInterface {
  name = 'GenerationOrganization1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.generations ADD COLUMN organization_id uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.generations DROP COLUMN organization_id`);
  }
}
