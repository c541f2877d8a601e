import { AppError } from '../errors/app-error';
import { verificationKeys, type JwtSettings } from './access-tokens';
import { importHmacKey, loadJose, type JoseKey } from './jwt-keys';
import { ROLES, type Role, type UserViewer } from './viewer';

/** How far ahead of a gateway's clock auth's may run: the most an iat may lie in the future. */
export const CLOCK_SKEW_SECONDS = 30;

export interface VerifierSettings extends JwtSettings {
  /** The lifetime auth gives access tokens; a token claiming a longer one was not made by auth. */
  ACCESS_TOKEN_TTL: number;
}

type Jose = Awaited<ReturnType<typeof loadJose>>;
type KeyLookup = JoseKey | ((header: { kid?: string }) => JoseKey);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (message = 'The access token is invalid.') =>
  new AppError('UNAUTHENTICATED', { message });
const EXPIRED = 'The access token has expired.';
/** Verified tokens remembered (oldest dropped first): a few MB at most. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies access tokens with jose. Pinned: only the configured algorithm (so no "none" and no
 * HS/RS confusion), asymmetric tokens must name a known kid, exp, iat, iss, aud, sub and jti are
 * required, exp is exact (a token ends when auth said), iat may lie at most CLOCK_SKEW_SECONDS in
 * the future, and exp - iat may not exceed the configured lifetime plus that skew (a stolen key
 * cannot mint a token that lives for years).
 * Keys are imported once, in create(): the per-request cost is one signature check.
 */
export class AccessTokenVerifier {
  /**
   * Tokens already verified, until their exp: a client sends the same token for many requests,
   * and one signature check through WebCrypto costs more than the rest of authenticating it.
   * Only what the token itself proves is cached; revocation is checked per request by the caller.
   */
  private readonly verified = new Map<string, { viewer: UserViewer; exp: number }>();

  private constructor(
    private readonly settings: VerifierSettings,
    private readonly jose: Jose,
    private readonly key: KeyLookup,
  ) {}

  static async create(settings: VerifierSettings): Promise<AccessTokenVerifier> {
    const jose = await loadJose();
    if (settings.JWT_ALGORITHM === 'HS256') {
      if (!settings.JWT_SECRET) throw new Error('JWT_SECRET is required for HS256');
      return new AccessTokenVerifier(settings, jose, await importHmacKey(settings.JWT_SECRET));
    }
    const keys = new Map((await verificationKeys(settings)).map((k) => [k.kid, k.key]));
    const byKid = (header: { kid?: string }) => {
      const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
      if (!key) throw invalid();
      return key;
    };
    return new AccessTokenVerifier(settings, jose, byKid);
  }

  /** The user the token names, or UNAUTHENTICATED; never a silent anonymous. */
  async verify(token: string): Promise<UserViewer> {
    const known = this.verified.get(token);
    if (known) {
      // exp is exact, as jose checks it: the token ends the second auth said.
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
      ({ payload } = await this.jose.jwtVerify(
        token,
        this.key as Parameters<Jose['jwtVerify']>[1],
        {
          algorithms: [this.settings.JWT_ALGORITHM],
          issuer: this.settings.JWT_ISSUER,
          audience: this.settings.JWT_AUDIENCE,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        },
      ));
    } catch (error) {
      const expired = error instanceof this.jose.errors.JWTExpired && error.claim === 'exp';
      throw invalid(expired ? EXPIRED : undefined);
    }
    // jose checked that exp and iat are numbers and exp is not past; the skew applies to iat alone.
    const { exp, iat } = payload as { exp: number; iat: number };
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
  return {
    kind: 'user',
    userId: sub,
    sessionId: sid,
    emailVerified: claims.email_verified === true,
    organizationId: typeof org === 'string' ? org : null,
    role: typeof role === 'string' && ROLES.includes(role as Role) ? (role as Role) : null,
    tokenId: jti,
    issuedAt: iat as number,
  };
}
