import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventTablesSql, schemaOf } from '@bastion/platform';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.organizations (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      slug text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE ${s}.memberships (
      organization_id uuid NOT NULL REFERENCES ${s}.organizations (id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      role text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      joined_at timestamptz NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    )`);
    await queryRunner.query(`CREATE INDEX memberships_user ON ${s}.memberships (user_id)`);
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
