import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

export class ServiceTokens1763800000300 implements MigrationInterface {
  name = 'ServiceTokens1763800000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.service_tokens (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      scopes text[] NOT NULL,
      sha256 text NOT NULL UNIQUE,
      issued_by text NOT NULL,
      created_at timestamptz NOT NULL
    )`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
