import type { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '@bastion/platform';
import { APP_ROLE } from '../db/caller-scope';

/**
 * The audit chain is keyed (HMAC-SHA256 with AUDIT_CHAIN_KEY, outside the database). Entries
 * written before keep `chain_version` 1 (plain SHA-256); new ones must say 2, and with no default
 * an instance still running the previous code cannot add unkeyed entries after this migration.
 * `audit_chain_anchors` pins each chain's last legacy entry under a MAC with the key: the service
 * writes the anchors at its first start with the key (the migration cannot see it). docs/security.md
 * "Audit log".
 */
export class AuditChainKey1763900000300 implements MigrationInterface {
  name = 'AuditChainKey1763900000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.audit_log ADD COLUMN chain_version smallint NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2))`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.audit_log ALTER COLUMN chain_version DROP DEFAULT`);
    await queryRunner.query(`CREATE TABLE ${s}.audit_chain_anchors (
      chain text PRIMARY KEY,
      seq integer NOT NULL CHECK (seq > 0),
      hash text NOT NULL,
      mac text NOT NULL
    )`);
    await queryRunner.query(`GRANT SELECT, INSERT ON ${s}.audit_chain_anchors TO ${APP_ROLE}`);
    await queryRunner.query(`ALTER TABLE ${s}.audit_chain_anchors ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY internal_only ON ${s}.audit_chain_anchors USING (${s}.caller_is_internal())`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
