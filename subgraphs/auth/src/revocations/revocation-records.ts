import type { EntityManager } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/**
 * Durable revocations, written in the transaction of the change that causes them, so a restart
 * of the gateway or a lost Redis cannot bring a signed-out access token back to life.
 */
export async function recordSessionRevocation(manager: EntityManager, sessionId: string, at: Date): Promise<void> {
  await manager.query(
    `INSERT INTO ${schemaOf(manager.connection)}.token_revocations (kind, subject_id, revoked_at)
     VALUES ('session', $1, $2) ON CONFLICT (kind, subject_id) DO NOTHING`,
    [sessionId, at],
  );
}

/** Tokens of the user issued before `validAfterSeconds` are void; the later cut-off wins a race. */
export async function recordUserCutoff(manager: EntityManager, userId: string, validAfterSeconds: number, at: Date): Promise<void> {
  await manager.query(
    `INSERT INTO ${schemaOf(manager.connection)}.token_revocations (kind, subject_id, valid_after, revoked_at)
     VALUES ('user', $1, to_timestamp($2), $3)
     ON CONFLICT (kind, subject_id) DO UPDATE SET
       valid_after = GREATEST(token_revocations.valid_after, EXCLUDED.valid_after),
       revoked_at = GREATEST(token_revocations.revoked_at, EXCLUDED.revoked_at)`,
    [userId, validAfterSeconds, at],
  );
}
