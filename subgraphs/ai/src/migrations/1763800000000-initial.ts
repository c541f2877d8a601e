import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventTablesSql, schemaOf } from '@bastion/platform';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
