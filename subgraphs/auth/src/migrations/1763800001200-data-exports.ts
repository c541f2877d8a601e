import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

export class DataExports1763800001200 implements MigrationInterface {
  name = 'DataExports1763800001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.data_exports (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.users(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('RUNNING', 'READY', 'FAILED')),
      document jsonb,
      created_at timestamptz NOT NULL,
      completed_at timestamptz
    )`);
    await queryRunner.query(
      `CREATE INDEX data_exports_user_created ON ${s}.data_exports (user_id, created_at DESC)`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
