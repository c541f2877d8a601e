import { createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { sha256Hex } from '@bastion/platform';

const PREFIX = 'brt_';

/** A new refresh token: 256 random bits. Only its SHA-256 is ever stored. */
export function newRefreshToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The token that replaces `token` on rotation, derived with a server key. Deriving rather than
 * drawing it lets a second, concurrent refresh with the same old token (two tabs) receive the
 * same successor within the grace window, though the database holds hashes only.
 */
export function successorOf(token: string, key: KeyObject): string {
  return PREFIX + createHmac('sha256', key).update(token).digest('base64url');
}

export function hashRefreshToken(token: string): string {
  return sha256Hex(token);
}

export function looksLikeRefreshToken(token: string): boolean {
  return token.startsWith(PREFIX) && token.length >= 40 && token.length <= 64;
}
