import type { EntityManager } from 'typeorm';
import { API_KEY_MAX_CEILING, AppError, schemaOf } from '@bastion/platform';
import { updateReturning } from '../accounts/update-returning';
import { UUID } from '../accounts/validate';

export type CeilingPeriod = 'DAY' | 'MONTH';

/**
 * The personal API key a hold or spend goes through, as the caller's forwarded claims carry it
 * (the ai service passes its viewer's). Without a ceiling nothing is counted.
 */
export interface ApiKeySpend {
  id: string;
  creditCeiling?: number | null;
  ceilingPeriod?: CeilingPeriod | null;
}

/** Where a hold's reservation was counted: the key and the start of the period it fell in. */
export interface KeyPeriod {
  apiKeyId: string;
  periodStart: Date;
}

/** The start of the UTC day or calendar month `at` falls in. */
export function periodStart(period: CeilingPeriod, at: Date): Date {
  const day = period === 'DAY' ? at.getUTCDate() : 1;
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), day));
}

/** The start of the period after the one starting at `start`: when the ceiling starts over. */
export function nextPeriodStart(period: CeilingPeriod, start: Date): Date {
  return period === 'DAY'
    ? new Date(start.getTime() + 86_400_000)
    : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** The argument's problems, keyed like badInput's fields (empty when none). */
export function apiKeyProblems(key: ApiKeySpend | null | undefined): Record<string, string> {
  if (key == null) return {};
  const problems: Record<string, string> = {};
  if (typeof key.id !== 'string' || !UUID.test(key.id)) problems['apiKey.id'] = 'Must be a key id.';
  const ceiling = key.creditCeiling ?? null;
  const period = key.ceilingPeriod ?? null;
  if (
    ceiling !== null &&
    (!Number.isInteger(ceiling) || ceiling < 0 || ceiling > API_KEY_MAX_CEILING)
  )
    problems['apiKey.creditCeiling'] = `Must be a whole number from 0 to ${API_KEY_MAX_CEILING}.`;
  if ((ceiling === null) !== (period === null))
    problems['apiKey.ceilingPeriod'] = 'Give both creditCeiling and ceilingPeriod, or neither.';
  else if (period !== null && period !== 'DAY' && period !== 'MONTH')
    problems['apiKey.ceilingPeriod'] = 'Must be DAY or MONTH.';
  return problems;
}

/**
 * Counts `amount` against the key's ceiling for the period `at` falls in, as reserved by a hold
 * (`held`) or charged by a spend (`charged`): one conditional update of the (key, period) row,
 * which locks it until the caller's transaction ends. Past the ceiling: INSUFFICIENT_CREDITS with
 * `reason: KEY_CEILING`, and the caller's transaction rolls back whatever it did. Null when the
 * key carries no ceiling (nothing counted). The caller holds the account's row lock (a key spends
 * one user's credits, so this lock comes second, as a hold's row does).
 */
export async function countAgainstCeiling(
  manager: EntityManager,
  userId: string,
  key: ApiKeySpend | null | undefined,
  amount: number,
  as: 'held' | 'charged',
  at: Date,
): Promise<KeyPeriod | null> {
  const ceiling = key?.creditCeiling ?? null;
  const period = key?.ceilingPeriod ?? null;
  if (!key || ceiling === null || period === null) return null;
  const start = periodStart(period, at);
  await manager.query(
    `INSERT INTO ${schemaOf(manager)}.api_key_spending (api_key_id, period_start, user_id, held, charged, updated_at)
     VALUES ($1, $2, $3, 0, 0, now()) ON CONFLICT (api_key_id, period_start) DO NOTHING`,
    [key.id, start, userId],
  );
  // A key spends its own user's credits only: a row of another user's never matches.
  const counted = await updateReturning(
    manager,
    `UPDATE $schema.api_key_spending SET ${as} = ${as} + $4, updated_at = now()
     WHERE api_key_id = $1 AND period_start = $2 AND user_id = $3 AND held + charged + $4 <= $5
     RETURNING held`,
    [key.id, start, userId, amount, ceiling],
  );
  if (counted.length === 0) {
    const rows: { used: number }[] = await manager.query(
      `SELECT held + charged AS used FROM ${schemaOf(manager)}.api_key_spending
       WHERE api_key_id = $1 AND period_start = $2 AND user_id = $3`,
      [key.id, start, userId],
    );
    const used = rows.length > 0 ? Number(rows[0].used) : ceiling;
    throw new AppError('INSUFFICIENT_CREDITS', {
      message: `This API key may spend ${ceiling} credits per ${period === 'DAY' ? 'day' : 'month'}; the request would pass that.`,
      extensions: {
        reason: 'KEY_CEILING',
        required: amount,
        available: Math.max(0, ceiling - used),
        ceiling,
        ceilingPeriod: period,
        resetsAt: nextPeriodStart(period, start).toISOString(),
      },
    });
  }
  return { apiKeyId: key.id, periodStart: start };
}

/**
 * A hold through a key ended: its reservation leaves the period it was counted in, and what was
 * charged for it (0 for a release or an expiry) stays counted there. In the caller's transaction,
 * under the account's row lock.
 */
export async function endKeyReservation(
  manager: EntityManager,
  hold: { apiKeyId: string | null; keyPeriodStart: Date | null; amount: number },
  charged: number,
): Promise<void> {
  if (hold.apiKeyId === null || hold.keyPeriodStart === null) return;
  await manager.query(
    `UPDATE ${schemaOf(manager)}.api_key_spending SET held = held - $3, charged = charged + $4, updated_at = now()
     WHERE api_key_id = $1 AND period_start = $2`,
    [hold.apiKeyId, hold.keyPeriodStart, hold.amount, charged],
  );
}
