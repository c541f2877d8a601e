import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventTablesSql, schemaOf } from '@bastion/platform';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.credit_accounts (
      user_id uuid PRIMARY KEY,
      balance int NOT NULL CHECK (balance >= 0),
      closed_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE ${s}.credit_transactions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.credit_accounts (user_id),
      type text NOT NULL CHECK (type IN ('GRANT', 'PURCHASE', 'USAGE', 'REFUND', 'ADJUSTMENT')),
      amount int NOT NULL CHECK (amount <> 0),
      balance_after int NOT NULL CHECK (balance_after >= 0),
      description text,
      idempotency_key text NOT NULL,
      created_at timestamptz NOT NULL,
      CONSTRAINT credit_transactions_idempotency UNIQUE (user_id, idempotency_key)
    )`);
    await queryRunner.query(
      `CREATE INDEX credit_transactions_user_time ON ${s}.credit_transactions (user_id, created_at DESC, id DESC)`,
    );
    // The ledger is append-only: history is corrected with new rows, never edited.
    await queryRunner.query(`CREATE FUNCTION ${s}.forbid_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'credit_transactions is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER credit_transactions_append_only BEFORE UPDATE OR DELETE ON ${s}.credit_transactions
      FOR EACH ROW EXECUTE FUNCTION ${s}.forbid_ledger_change()`);
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
