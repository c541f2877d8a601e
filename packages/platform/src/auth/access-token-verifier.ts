import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/app-error';
import { verificationKeys, type JwtSettings } from './access-tokens';
import { hmacKey } from './jwt-keys';
import { ROLES, type Role, type UserViewer } from './viewer';

/** How far ahead of a gateway's clock auth's may run: the most an iat may lie in the future. */
export const CLOCK_SKEW_SECONDS = 30;

export interface VerifierSettings extends JwtSettings {
  /** The lifetime auth gives access tokens; a token claiming a longer one was not made by auth. */
  ACCESS_TOKEN_TTL: number;
}

/** The key of a token, from its header: the one HS256 key, or the public key its kid names. */
type KeyLookup = (header: { kid?: unknown }) => KeyObject | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (message = 'The access token is invalid.') =>
  new AppError('UNAUTHENTICATED', { message });
const EXPIRED = 'The access token has expired.';
/** Verified tokens remembered (oldest dropped first): a few MB at most. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies access tokens with jsonwebtoken. Pinned: only the configured algorithm (so no "none"
 * and no HS/RS confusion), asymmetric tokens must name a known kid, exp, iat, iss, aud, sub and
 * jti are required (jsonwebtoken itself requires none of them), exp is exact (a token ends when
 * auth said), iat may lie at most CLOCK_SKEW_SECONDS in the future, and exp - iat may not exceed
 * the configured lifetime plus that skew (a stolen key cannot mint a token that lives for years).
 * Keys are read once, in create(), as KeyObjects: the per-request cost is one signature check.
 */
export class AccessTokenVerifier {
  /**
   * Tokens already verified, until their exp: a client sends the same token for many requests,
   * and one signature check costs more than the rest of authenticating it.
   * Only what the token itself proves is cached; revocation is checked per request by the caller.
   */
  private readonly verified = new Map<string, { viewer: UserViewer; exp: number }>();

  private constructor(
    private readonly settings: VerifierSettings,
    private readonly keyOf: KeyLookup,
  ) {}

  static async create(settings: VerifierSettings): Promise<AccessTokenVerifier> {
    if (settings.JWT_ALGORITHM === 'HS256') {
      if (!settings.JWT_SECRET) throw new Error('JWT_SECRET is required for HS256');
      const key = hmacKey(settings.JWT_SECRET);
      return new AccessTokenVerifier(settings, () => key);
    }
    const keys = new Map((await verificationKeys(settings)).map((k) => [k.kid, k.key]));
    return new AccessTokenVerifier(settings, (header) =>
      typeof header.kid === 'string' ? keys.get(header.kid) : undefined,
    );
  }

  /** The user the token names, or UNAUTHENTICATED; never a silent anonymous. */
  async verify(token: string): Promise<UserViewer> {
    const known = this.verified.get(token);
    if (known) {
      // exp is exact, as jsonwebtoken checks it: the token ends the second auth said.
      if (known.exp > Date.now() / 1000) return known.viewer;
      this.verified.delete(token);
      throw invalid(EXPIRED);
    }
    const viewer = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE)
      this.verified.delete(this.verified.keys().next().value as string);
    Object.freeze(viewer.viewer);
    this.verified.set(token, viewer);
    return viewer.viewer;
  }

  private async verifySignature(token: string): Promise<{ viewer: UserViewer; exp: number }> {
    let payload: Record<string, unknown>;
    try {
      const decoded = jwt.decode(token, { complete: true });
      const key = decoded ? this.keyOf(decoded.header) : undefined;
      if (!key) throw invalid();
      const verified = jwt.verify(token, key, {
        algorithms: [this.settings.JWT_ALGORITHM],
        issuer: this.settings.JWT_ISSUER,
        audience: this.settings.JWT_AUDIENCE,
        clockTolerance: 0,
      });
      if (typeof verified !== 'object' || verified === null) throw invalid();
      payload = verified as Record<string, unknown>;
    } catch (error) {
      throw invalid(error instanceof jwt.TokenExpiredError ? EXPIRED : undefined);
    }
    // jsonwebtoken checks exp only when present, and iat not at all: both are required here.
    const { exp, iat } = payload;
    if (typeof exp !== 'number' || typeof iat !== 'number') throw invalid();
    if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw invalid();
    if (exp - iat > this.settings.ACCESS_TOKEN_TTL + CLOCK_SKEW_SECONDS) throw invalid();
    return { viewer: toViewer(payload), exp };
  }
}

function toViewer(claims: Record<string, unknown>): UserViewer {
  const { sub, sid, jti, iat, org, role } = claims;
  if (
    typeof sub !== 'string' ||
    !UUID.test(sub) ||
    typeof sid !== 'string' ||
    typeof jti !== 'string'
  )
    throw invalid();
  // RFC 8693 `act`: the party acting for the subject. Present but unreadable, it must never yield
  // the user's own (writable) viewer.
  const { act } = claims;
  if (
    act !== undefined &&
    (typeof act !== 'object' ||
      act === null ||
      typeof (act as { sub?: unknown }).sub !== 'string' ||
      !(act as { sub: string }).sub)
  )
    throw invalid();
  return {
    kind: 'user',
    userId: sub,
    sessionId: sid,
    emailVerified: claims.email_verified === true,
    organizationId: typeof org === 'string' ? org : null,
    role: typeof role === 'string' && ROLES.includes(role as Role) ? (role as Role) : null,
    tokenId: jti,
    issuedAt: iat as number,
    amr: Array.isArray(claims.amr)
      ? claims.amr.filter((m): m is string => typeof m === 'string').slice(0, 10)
      : [],
    // Tokens from before auth_time existed count as authenticated long ago: a step-up is needed.
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : 0,
    mfaEnrolled: claims.mfa_enrolled === true,
    ...(act ? { actor: { sub: (act as { sub: string }).sub } } : {}),
  };
}
