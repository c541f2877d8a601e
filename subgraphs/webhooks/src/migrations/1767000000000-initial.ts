import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventTablesSql, schemaOf } from '@bastion/platform';

export class Initial1767000000000 implements MigrationInterface {
  name = 'Initial1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // Secrets are sealed (AES-256-GCM under WEBHOOKS_ENCRYPTION_KEY, the endpoint id as associated data).
    await queryRunner.query(`CREATE TABLE ${s}.endpoints (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      url text NOT NULL,
      event_types text[] NOT NULL,
      description text,
      enabled boolean NOT NULL,
      disabled_reason text,
      secret bytea NOT NULL,
      previous_secret bytea,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      organization_deleted_at timestamptz
    )`);
    await queryRunner.query(
      `CREATE INDEX endpoints_organization ON ${s}.endpoints (organization_id)`,
    );
    // One delivery per (endpoint, event): the consumer's insert is idempotent on the event id.
    await queryRunner.query(`CREATE TABLE ${s}.deliveries (
      id uuid PRIMARY KEY,
      endpoint_id uuid NOT NULL REFERENCES ${s}.endpoints (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
      attempt_count int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      lease_until timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT deliveries_endpoint_event UNIQUE (endpoint_id, event_id)
    )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON ${s}.deliveries (status, next_attempt_at) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_time ON ${s}.deliveries (endpoint_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.attempts (
      id uuid PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES ${s}.deliveries (id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      response_status int,
      duration_ms int NOT NULL,
      error text,
      response_body text
    )`);
    await queryRunner.query(`CREATE INDEX attempts_delivery ON ${s}.attempts (delivery_id, at)`);
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
