import type { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '@bastion/platform';

/**
 * The ledger's own order and Stripe clawbacks (docs/security.md "Stripe policy"):
 * - `seq`: the order in which entries were applied to their account's balance (taken from a
 *   sequence while the account's row lock is held), which listings use instead of timestamps;
 * - `reason`: why a Stripe entry was written (purchase, invoice, refund, dispute);
 * - a clawback may take an account below zero: the negative balance is the recorded debt, and
 *   spends and holds (which need balance - held >= amount) are refused until credits cover it;
 * - `stripe_disputes`: what each dispute currently takes back.
 */
export class LedgerSequenceDisputes1766000000000 implements MigrationInterface {
  name = 'LedgerSequenceDisputes1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    await queryRunner.query(`CREATE SEQUENCE ${s}.credit_transactions_seq AS bigint`);
    await queryRunner.query(
      `ALTER TABLE ${s}.credit_transactions ADD COLUMN seq bigint, ADD COLUMN reason text`,
    );
    // Entries written before have no better order than their timestamps.
    await queryRunner.query(`UPDATE ${s}.credit_transactions t SET seq = o.n
      FROM (SELECT id, nextval('${s}.credit_transactions_seq') AS n
            FROM (SELECT id FROM ${s}.credit_transactions ORDER BY created_at, id) ordered) o
      WHERE t.id = o.id`);
    await queryRunner.query(`ALTER TABLE ${s}.credit_transactions
      ALTER COLUMN seq SET DEFAULT nextval('${s}.credit_transactions_seq'),
      ALTER COLUMN seq SET NOT NULL,
      ADD CONSTRAINT credit_transactions_seq_unique UNIQUE (seq)`);
    await queryRunner.query(
      `ALTER SEQUENCE ${s}.credit_transactions_seq OWNED BY ${s}.credit_transactions.seq`,
    );
    await queryRunner.query(
      `CREATE INDEX credit_transactions_user_seq ON ${s}.credit_transactions (user_id, seq DESC)`,
    );
    // seq and reason are as unchangeable as the rest; only the user link may be replaced.
    await queryRunner.query(`CREATE OR REPLACE FUNCTION ${s}.forbid_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.id, NEW.type, NEW.amount, NEW.balance_after, NEW.description, NEW.idempotency_key, NEW.created_at, NEW.seq, NEW.reason)
          IS NOT DISTINCT FROM (OLD.id, OLD.type, OLD.amount, OLD.balance_after, OLD.description, OLD.idempotency_key, OLD.created_at, OLD.seq, OLD.reason)
        THEN RETURN NEW; END IF;
        RAISE EXCEPTION 'credit_transactions is append-only';
      END $$`);
    // Below zero only as a debt: by a clawback (REFUND), by settling a hold reserved before one
    // (USAGE), or while credits pay a debt off (positive amounts). A plain spend is refused by
    // its conditional update before it gets here.
    await queryRunner.query(`ALTER TABLE ${s}.credit_accounts DROP CONSTRAINT credit_accounts_balance_check,
      DROP CONSTRAINT credit_accounts_held, ADD CONSTRAINT credit_accounts_held CHECK (held >= 0)`);
    await queryRunner.query(`ALTER TABLE ${s}.credit_transactions DROP CONSTRAINT credit_transactions_balance_after_check,
      ADD CONSTRAINT credit_transactions_debt CHECK (balance_after >= 0 OR amount > 0 OR type IN ('REFUND', 'USAGE'))`);
    await queryRunner.query(`ALTER TABLE ${s}.stripe_payments ADD COLUMN currency text,
      ADD COLUMN disputed_credits int NOT NULL DEFAULT 0`);
    await queryRunner.query(`CREATE TABLE ${s}.stripe_disputes (
      id text PRIMARY KEY,
      payment_intent text NOT NULL,
      status text NOT NULL,
      amount_cents int NOT NULL,
      clawed_credits int NOT NULL DEFAULT 0 CHECK (clawed_credits >= 0),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await queryRunner.query(
      `CREATE INDEX stripe_disputes_payment ON ${s}.stripe_disputes (payment_intent)`,
    );
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
