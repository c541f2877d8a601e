import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/** Stripe: one customer per user, every webhook event id seen, payments (for refunds) and subscriptions. */
export class Stripe1765000000001 implements MigrationInterface {
  name = 'Stripe1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.stripe_customers (
      user_id uuid PRIMARY KEY,
      customer_id text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    )`);
    // Every event id Stripe delivered, once: a replayed or duplicate delivery finds its row and does nothing.
    await queryRunner.query(`CREATE TABLE ${s}.stripe_events (
      id text PRIMARY KEY,
      type text NOT NULL,
      outcome text NOT NULL,
      user_id uuid,
      detail text,
      received_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE ${s}.stripe_payments (
      payment_intent text PRIMARY KEY,
      checkout_session text,
      user_id uuid,
      package_id text,
      credits int,
      amount_cents int,
      refunded_cents int NOT NULL DEFAULT 0,
      refunded_credits int NOT NULL DEFAULT 0,
      refund_shortfall int NOT NULL DEFAULT 0,
      purchased_at timestamptz,
      updated_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE ${s}.credit_subscriptions (
      id text PRIMARY KEY,
      user_id uuid,
      package_id text NOT NULL,
      credits int NOT NULL CHECK (credits > 0),
      status text NOT NULL CHECK (status IN ('ACTIVE', 'ENDED')),
      ended_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
