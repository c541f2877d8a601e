import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), each entry chained
 * to the previous one of its chain by SHA-256. `audit_chain_heads` remembers each chain's last
 * entry, so removing the newest entries is detected too.
 */
export class AuditLog1763900000100 implements MigrationInterface {
  name = 'AuditLog1763900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.audit_log (
      id uuid PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      chain text NOT NULL,
      seq integer NOT NULL CHECK (seq > 0),
      organization_id uuid,
      subject_user_id uuid,
      at timestamptz NOT NULL,
      actor_id text,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text,
      ip text,
      user_agent text,
      metadata jsonb NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      UNIQUE (chain, seq)
    )`);
    await queryRunner.query(`CREATE INDEX audit_log_action ON ${s}.audit_log (chain, action, seq)`);
    await queryRunner.query(`CREATE TABLE ${s}.audit_chain_heads (
      chain text PRIMARY KEY,
      seq integer NOT NULL,
      hash text NOT NULL
    )`);
    await queryRunner.query(`CREATE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON ${s}.audit_log
      FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_append_only()`);
    await queryRunner.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${s}.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_log_append_only()`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
