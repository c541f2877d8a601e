import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Holds (reserved credits), and the anonymization of a deleted user's ledger: the account's user
 * id is replaced by a pseudonym that cascades to its rows, the only change the ledger allows.
 */
export class Holds1765000000000 implements MigrationInterface {
  name = 'Holds1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // held is the sum of the account's active holds: available = balance - held, never negative.
    await queryRunner.query(`ALTER TABLE ${s}.credit_accounts ADD COLUMN held int NOT NULL DEFAULT 0,
      ADD COLUMN anonymized_at timestamptz,
      ADD CONSTRAINT credit_accounts_held CHECK (held >= 0 AND held <= balance)`);
    await queryRunner.query(`CREATE TABLE ${s}.credit_holds (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${s}.credit_accounts (user_id) ON UPDATE CASCADE,
      amount int NOT NULL CHECK (amount > 0),
      status text NOT NULL CHECK (status IN ('ACTIVE', 'SETTLED', 'RELEASED', 'EXPIRED')),
      idempotency_key text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      closed_at timestamptz,
      settled_amount int,
      transaction_id uuid,
      CONSTRAINT credit_holds_idempotency UNIQUE (user_id, idempotency_key)
    )`);
    await queryRunner.query(
      `CREATE INDEX credit_holds_active ON ${s}.credit_holds (expires_at) WHERE status = 'ACTIVE'`,
    );
    await queryRunner.query(
      `CREATE INDEX credit_holds_user_active ON ${s}.credit_holds (user_id) WHERE status = 'ACTIVE'`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.credit_transactions DROP CONSTRAINT credit_transactions_user_id_fkey,
      ADD CONSTRAINT credit_transactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES ${s}.credit_accounts (user_id) ON UPDATE CASCADE`);
    // Amounts, types, keys and times stay as written; only the user link may be replaced (anonymization).
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ${s}.forbid_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.id, NEW.type, NEW.amount, NEW.balance_after, NEW.description, NEW.idempotency_key, NEW.created_at)
          IS NOT DISTINCT FROM (OLD.id, OLD.type, OLD.amount, OLD.balance_after, OLD.description, OLD.idempotency_key, OLD.created_at)
        THEN RETURN NEW; END IF;
        RAISE EXCEPTION 'credit_transactions is append-only';
      END $$`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
