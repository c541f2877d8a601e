import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@bastion/platform';
import { APP_ROLE } from '../db/caller-scope';

/**
 * Row-level security as a second wall behind the service's own checks. Every transaction of the
 * service switches to APP_ROLE (owns nothing, no BYPASSRLS) and names its caller with
 * `bastion.user_id`, or sets `bastion.internal` for the service's own work (consumers, internal
 * fields). Superusers bypass RLS even with FORCE ROW LEVEL SECURITY, and the service connects as
 * one in tests: switching to a role that is neither superuser nor owner is what makes the
 * policies bind, on PostgreSQL and on PGlite. (FORCE is left off on purpose: it would subject
 * caller_role(), which runs as the owner, to the memberships policy that calls it, a recursion
 * whenever the owner is not a superuser.)
 */
export class RowLevelSecurity1763900000200 implements MigrationInterface {
  name = 'RowLevelSecurity1763900000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    // Roles are per cluster: several deployments (test schemas) share one; concurrent creation races.
    // With one database role per service (deploy/postgres/roles.sql) the role exists already and
    // orgs' own role is a member of it: nothing here needs CREATEROLE then.
    await queryRunner.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN NOBYPASSRLS; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await queryRunner.query(`DO $$ BEGIN
      IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user); END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation OR invalid_grant_operation THEN NULL; END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA ${s} TO ${APP_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.organizations, ${s}.memberships, ${s}.invitations,
      ${s}.audit_chain_heads TO ${APP_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON ${s}.outbox TO ${APP_ROLE}`);
    // The audit log: no UPDATE or DELETE grant at all, on top of the trigger.
    await queryRunner.query(`GRANT SELECT, INSERT ON ${s}.audit_log TO ${APP_ROLE}`);

    await queryRunner.query(`CREATE FUNCTION ${s}.caller_id() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT NULLIF(current_setting('bastion.user_id', true), '')::uuid $$`);
    await queryRunner.query(`CREATE FUNCTION ${s}.caller_is_internal() RETURNS boolean LANGUAGE sql STABLE AS
      $$ SELECT coalesce(current_setting('bastion.internal', true), '') = 'on' $$`);
    // SECURITY DEFINER (owned by the migrating role, not APP_ROLE): reads memberships without
    // their own policy, which would otherwise recurse into itself.
    await queryRunner.query(`CREATE FUNCTION ${s}.caller_role(org uuid) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS
      $$ SELECT m.role FROM ${s}.memberships m WHERE m.organization_id = org AND m.user_id = ${s}.caller_id() $$`);
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION ${s}.caller_id(), ${s}.caller_is_internal(), ${s}.caller_role(uuid) TO ${APP_ROLE}`,
    );

    const member = (column: string) =>
      `${s}.caller_is_internal() OR ${s}.caller_role(${column}) IS NOT NULL`;
    const admin = (column: string) =>
      `${s}.caller_is_internal() OR ${s}.caller_role(${column}) = 'ADMIN'`;
    const policies: [string, string][] = [
      ['organizations', `CREATE POLICY members_only ON ${s}.organizations USING (${member('id')})`],
      [
        'memberships',
        `CREATE POLICY members_only ON ${s}.memberships USING (${member('organization_id')})`,
      ],
      [
        'invitations',
        `CREATE POLICY admins_only ON ${s}.invitations USING (${admin('organization_id')})`,
      ],
      [
        'audit_chain_heads',
        `CREATE POLICY internal_only ON ${s}.audit_chain_heads USING (${s}.caller_is_internal())`,
      ],
      [
        'audit_log',
        `CREATE POLICY readers ON ${s}.audit_log FOR SELECT USING (${admin('organization_id')}
        OR (organization_id IS NULL AND subject_user_id = ${s}.caller_id()))`,
      ],
    ];
    for (const [table, policy] of policies) {
      await queryRunner.query(`ALTER TABLE ${s}.${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(policy);
    }
    await queryRunner.query(
      `CREATE POLICY internal_append ON ${s}.audit_log FOR INSERT WITH CHECK (${s}.caller_is_internal())`,
    );
    // The outbox has no caller: any transaction of the service may record its events.
  }

  async down(): Promise<void> {
    throw new Error('forward-only');
  }
}
