import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * A hold remembers the active organization of the request it reserves for (the ai service passes
 * its caller's), so the CREDITS_LOW its settlement may cause names it even when the settlement
 * comes later from the reconciler, with no request at hand. Null: none known.
 */
export class HoldOrganization1768000000000 implements MigrationInterface {
  name = 'HoldOrganization1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.credit_holds ADD COLUMN organization_id uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.credit_holds DROP COLUMN organization_id`);
  }
}
