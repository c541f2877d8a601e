import { createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { deriveKey, sha256Hex } from '@bastion/platform';

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

/** The settings auth's own keys derive from. */
export interface AuthKeyRoots {
  REFRESH_TOKEN_SECRET?: string;
  JWT_SECRET?: string;
  JWT_PRIVATE_KEY?: string;
}

/**
 * A key only auth holds, one per purpose: derived from auth's own REFRESH_TOKEN_SECRET (required in
 * production), so no other service can make or predict what it keys. Outside production it is
 * derived from the signing key auth holds anyway, so development needs no extra setting.
 */
export function authOwnKey(config: AuthKeyRoots, purpose: string): KeyObject {
  const root = config.REFRESH_TOKEN_SECRET ?? config.JWT_SECRET ?? config.JWT_PRIVATE_KEY;
  if (!root) throw new Error('REFRESH_TOKEN_SECRET is required');
  return deriveKey(root, purpose);
}

/** The key of successors: no other service can predict a session's next refresh token. */
export function refreshSuccessorKey(config: AuthKeyRoots): KeyObject {
  return authOwnKey(config, 'refresh-successor');
}

export function hashRefreshToken(token: string): string {
  return sha256Hex(token);
}

export function looksLikeRefreshToken(token: string): boolean {
  return token.startsWith(PREFIX) && token.length >= 40 && token.length <= 64;
}
