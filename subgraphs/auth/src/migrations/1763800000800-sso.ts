import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Enterprise single sign-on (docs/security.md "Enterprise SSO"): domains an organization proves
 * with a DNS TXT record (verified for at most one organization), its SAML/OIDC connections (the
 * OIDC client secret sealed), the started sign-ins (RelayState/state), SAML assertion ids seen
 * (replay), the one-time codes ssoLogin redeems (by hash) and the (connection, subject) -> user
 * links. Organizations live in orgs: `organization_id` has no foreign key, and auth drops an
 * organization's rows when ORGANIZATION_DELETED arrives.
 */
export class Sso1763800000800 implements MigrationInterface {
  name = 'Sso1763800000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.sso_domains (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      domain text NOT NULL CHECK (domain = lower(domain)),
      txt_token text NOT NULL,
      created_at timestamptz NOT NULL,
      verified_at timestamptz,
      CONSTRAINT sso_domains_organization_domain_key UNIQUE (organization_id, domain)
    )`);
    // A domain routes sign-ins to one organization only: at most one verified row per domain.
    await queryRunner.query(
      `CREATE UNIQUE INDEX sso_domains_verified_key ON ${s}.sso_domains (domain) WHERE verified_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.sso_connections (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('SAML', 'OIDC')),
      name text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      enforced boolean NOT NULL DEFAULT false,
      jit_provisioning boolean NOT NULL DEFAULT true,
      idp_initiated boolean NOT NULL DEFAULT false,
      default_role text CHECK (default_role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      group_roles jsonb NOT NULL DEFAULT '[]',
      email_attribute text,
      name_attribute text,
      groups_attribute text,
      saml_idp_entity_id text,
      saml_sso_url text,
      saml_certificates text[] NOT NULL DEFAULT '{}',
      oidc_issuer text,
      oidc_client_id text,
      oidc_client_secret bytea,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (kind <> 'SAML' OR (saml_idp_entity_id IS NOT NULL AND saml_sso_url IS NOT NULL)),
      CHECK (kind <> 'OIDC' OR (oidc_issuer IS NOT NULL AND oidc_client_id IS NOT NULL))
    )`);
    await queryRunner.query(
      `CREATE INDEX sso_connections_organization ON ${s}.sso_connections (organization_id)`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.sso_requests (
      id text PRIMARY KEY,
      connection_id uuid NOT NULL REFERENCES ${s}.sso_connections (id) ON DELETE CASCADE,
      redirect_uri text NOT NULL,
      saml_request_id text,
      oidc_nonce text,
      oidc_code_verifier text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await queryRunner.query(`CREATE INDEX sso_requests_expires ON ${s}.sso_requests (expires_at)`);
    await queryRunner.query(`CREATE TABLE ${s}.sso_assertions (
      id text NOT NULL,
      connection_id uuid NOT NULL REFERENCES ${s}.sso_connections (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, id)
    )`);
    await queryRunner.query(
      `CREATE INDEX sso_assertions_expires ON ${s}.sso_assertions (expires_at)`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.sso_codes (
      code_hash text PRIMARY KEY,
      connection_id uuid NOT NULL REFERENCES ${s}.sso_connections (id) ON DELETE CASCADE,
      identity jsonb NOT NULL,
      redirect_uri text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await queryRunner.query(`CREATE INDEX sso_codes_expires ON ${s}.sso_codes (expires_at)`);
    await queryRunner.query(`CREATE TABLE ${s}.sso_links (
      connection_id uuid NOT NULL REFERENCES ${s}.sso_connections (id) ON DELETE CASCADE,
      subject text NOT NULL,
      user_id uuid NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
      email text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, subject)
    )`);
    await queryRunner.query(`CREATE INDEX sso_links_user ON ${s}.sso_links (user_id)`);
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
