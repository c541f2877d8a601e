import type { EntityManager } from 'typeorm';
import { schemaOf, type OrganizationTokenCutoff } from '@bastion/platform';

/**
 * Durable revocations, written in the transaction of the change that causes them, so a restart
 * of the gateway or a lost Redis cannot bring a signed-out access token back to life.
 */
export async function recordSessionRevocation(
  manager: EntityManager,
  sessionId: string,
  at: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO ${schemaOf(manager.connection)}.token_revocations (kind, subject_id, revoked_at)
     VALUES ('session', $1, $2) ON CONFLICT (kind, subject_id) DO NOTHING`,
    [sessionId, at],
  );
}

/** Tokens of the user issued before `validAfterSeconds` are void; the later cut-off wins a race. */
export async function recordUserCutoff(
  manager: EntityManager,
  userId: string,
  validAfterSeconds: number,
  at: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO ${schemaOf(manager.connection)}.token_revocations (kind, subject_id, valid_after, revoked_at)
     VALUES ('user', $1, to_timestamp($2), $3)
     ON CONFLICT (kind, subject_id) DO UPDATE SET
       valid_after = GREATEST(token_revocations.valid_after, EXCLUDED.valid_after),
       revoked_at = GREATEST(token_revocations.revoked_at, EXCLUDED.revoked_at)`,
    [userId, validAfterSeconds, at],
  );
}

/**
 * Records an organization cut-off unless a later change to the same member (or organization) is
 * already recorded; returns whether this one is now the latest, i.e. whether it took effect.
 */
export async function recordOrganizationCutoff(
  manager: EntityManager,
  cutoff: OrganizationTokenCutoff,
): Promise<boolean> {
  const s = schemaOf(manager.connection);
  const target =
    cutoff.userId === null
      ? '(organization_id) WHERE user_id IS NULL'
      : '(organization_id, user_id) WHERE user_id IS NOT NULL';
  const rows: unknown[] = await manager.query(
    `INSERT INTO ${s}.organization_token_cutoffs AS c (organization_id, user_id, role, changed_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT ${target} DO UPDATE SET role = EXCLUDED.role, changed_at = EXCLUDED.changed_at
       WHERE c.changed_at <= EXCLUDED.changed_at
     RETURNING 1`,
    [cutoff.organizationId, cutoff.userId, cutoff.role, new Date(cutoff.changedAtMs)],
  );
  return rows.length > 0;
}
