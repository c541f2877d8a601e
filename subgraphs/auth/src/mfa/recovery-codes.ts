import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import { RecoveryCodeEntity } from './mfa.entities';
import type { MfaKeys } from './mfa-keys';

export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32 without I, L, O, U: no two characters a person would confuse. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * One code: 10 characters of 5 bits (50 bits of entropy), shown as `xxxxx-xxxxx`. Enough that
 * guessing one within the login limits is hopeless; short enough to type from paper.
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => ALPHABET[byte & 31]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** What a person typed, as it was hashed: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').slice(0, 64);
}

/** Recovery codes: issued ten at a time (voiding the old set), stored as keyed hashes, single use. */
export class RecoveryCodes {
  constructor(private readonly keys: MfaKeys) {}

  /** Ten fresh codes for the user in the caller's transaction; the old ones stop working. */
  async issue(manager: EntityManager, userId: string): Promise<string[]> {
    await manager.delete(RecoveryCodeEntity, { userId });
    const now = new Date();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await manager.insert(
      RecoveryCodeEntity,
      codes.map((code) => ({
        id: randomUUID(),
        userId,
        codeHash: this.keys.hashRecoveryCode(userId, normalizeRecoveryCode(code)),
        createdAt: now,
        usedAt: null,
      })),
    );
    return codes;
  }

  /**
   * Marks the matching unused code used and returns how many remain; null when no unused code
   * matches. The row is locked, so two sign-ins with one code cannot both succeed.
   */
  async consume(manager: EntityManager, userId: string, input: string): Promise<number | null> {
    const wanted = Buffer.from(this.keys.hashRecoveryCode(userId, normalizeRecoveryCode(input)));
    const unused = await manager.find(RecoveryCodeEntity, {
      where: { userId, usedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    // Every row compared, in constant time: the answer's timing does not tell how close a guess was.
    let match: RecoveryCodeEntity | undefined;
    for (const row of unused)
      if (timingSafeEqual(Buffer.from(row.codeHash), wanted) && !match) match = row;
    if (!match) return null;
    await manager.update(RecoveryCodeEntity, { id: match.id }, { usedAt: new Date() });
    return unused.length - 1;
  }

  async removeAll(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(RecoveryCodeEntity, { userId });
  }
}
