import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import { invalidToken, sha256Hex } from '@bastion/platform';
import { EmailTokenEntity, type EmailTokenPurpose } from './email-token.entity';

/** How long a mailed link works: a reset link is a password, so it lives shortest. */
export const EMAIL_TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 60 * 60,
  change_email: 24 * 60 * 60,
  reset_password: 60 * 60,
};

/** Mails one flow may send one address per limit window: enough to resend, too few to mail-bomb with. */
export const MAILS_PER_WINDOW = 5;

// 32 random bytes in base64url: 43 characters, 256 bits; nothing shorter is worth a query.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Unknown, used, expired and wrong-purpose links all get this one answer. */
export const invalidLink = () =>
  invalidToken('This link is invalid or has expired; request a new one.');

export function looksLikeEmailToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/**
 * Creates a token in the caller's transaction and returns the only plaintext copy, for the mail.
 * Unused older tokens of the same purpose die with it: only the newest link works.
 */
export async function issueEmailToken(
  manager: EntityManager,
  userId: string,
  purpose: EmailTokenPurpose,
  email: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  await manager.delete(EmailTokenEntity, { userId, purpose, usedAt: IsNull() });
  await manager.insert(EmailTokenEntity, {
    id: randomUUID(),
    userId,
    purpose,
    tokenHash: sha256Hex(token),
    email,
    createdAt: now,
    expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_SECONDS[purpose] * 1000),
    usedAt: null,
  });
  return token;
}

/** A live token of one of `purposes`, without using it up (a cheap check before expensive work). */
export async function peekEmailToken(
  manager: EntityManager,
  token: string,
  purposes: EmailTokenPurpose[],
): Promise<EmailTokenEntity | null> {
  if (!looksLikeEmailToken(token)) return null;
  const row = await manager.findOneBy(EmailTokenEntity, {
    tokenHash: sha256Hex(token),
    usedAt: IsNull(),
    expiresAt: MoreThan(new Date()),
  });
  return row && purposes.includes(row.purpose) ? row : null;
}

/**
 * Uses a token up in the caller's transaction, under a row lock so two concurrent uses cannot
 * both succeed; INVALID_TOKEN (`invalidLink`) for anything but a live token of `purposes`.
 */
export async function consumeEmailToken(
  manager: EntityManager,
  token: string,
  purposes: EmailTokenPurpose[],
): Promise<EmailTokenEntity> {
  if (!looksLikeEmailToken(token)) throw invalidLink();
  const row = await manager.findOne(EmailTokenEntity, {
    where: { tokenHash: sha256Hex(token) },
    lock: { mode: 'pessimistic_write' },
  });
  if (!row || row.usedAt || row.expiresAt <= new Date() || !purposes.includes(row.purpose))
    throw invalidLink();
  row.usedAt = new Date();
  await manager.update(EmailTokenEntity, { id: row.id }, { usedAt: row.usedAt });
  return row;
}
