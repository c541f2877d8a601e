import type { IncomingMessage } from 'node:http';
import {
  API_KEY_PREFIX,
  AccessTokenVerifier,
  AppError,
  ANONYMOUS,
  sha256Hex,
  type ApiKeyEntry,
  type RevocationSubject,
  type ServiceTokenRegistry,
  type Viewer,
} from '@bastion/platform';

/** Revocations and issued service tokens as the gateway knows them (its RevocationCache). */
export interface CredentialState {
  /** Throws UPSTREAM_UNAVAILABLE while the state is not loaded. */
  isRevoked(viewer: RevocationSubject): Promise<boolean>;
  /** A live issued token's identity, or null; throws UPSTREAM_UNAVAILABLE while not loaded. */
  findIssued(sha256: string): Promise<{ name: string; scopes: string[] } | null>;
  /** A live personal API key by hash, or null; throws UPSTREAM_UNAVAILABLE while not loaded. */
  findApiKey(sha256: string): Promise<ApiKeyEntry | null>;
}

/** Hears each request a key authenticated; ApiKeyUse coalesces them into last-use reports. */
export type KeyUseListener = (keyId: string) => void;

const SERVICE_TOKEN_PREFIX = 'bst_';

/** Scopes only a SERVICE_TOKENS entry may hold (docs/security.md "Revocations and service tokens"). */
const CONFIGURED_ONLY_SCOPES: readonly string[] = ['tokens:admin'];

/**
 * Reads the request's one credential. None is anonymous; anything present but invalid
 * (malformed, expired, wrongly signed or addressed, revoked) is UNAUTHENTICATED, never anonymous.
 */
export class Authenticator {
  constructor(
    private readonly accessTokens: AccessTokenVerifier,
    private readonly serviceTokens: ServiceTokenRegistry,
    private readonly state: CredentialState,
    private readonly keyUsed: KeyUseListener = () => undefined,
  ) {}

  async authenticate(req: IncomingMessage): Promise<Viewer> {
    const authorization = req.headers.authorization;
    const serviceHeader = req.headers['x-service-token'];
    if (authorization !== undefined && serviceHeader !== undefined) {
      throw new AppError('UNAUTHENTICATED', { message: 'Send one credential, not two.' });
    }
    if (typeof serviceHeader === 'string') return this.service(serviceHeader.trim());
    if (authorization === undefined) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match)
      throw new AppError('UNAUTHENTICATED', {
        message: 'The Authorization header must be "Bearer <token>".',
      });
    const token = match[1];
    if (token.startsWith(SERVICE_TOKEN_PREFIX)) return this.service(token);
    if (token.startsWith(API_KEY_PREFIX)) return this.apiKey(token);
    const viewer = await this.accessTokens.verify(token);
    if (await this.state.isRevoked(viewer)) {
      throw new AppError('UNAUTHENTICATED', { message: 'The session has been signed out.' });
    }
    return viewer;
  }

  /**
   * A personal API key: live in the credential state (revocation bites at once), not expired
   * (checked per request), acting as its user with the key's grant and organization.
   */
  private async apiKey(token: string): Promise<Viewer> {
    const sha256 = sha256Hex(token);
    const key = await this.state.findApiKey(sha256);
    if (!key) throw new AppError('UNAUTHENTICATED', { message: 'The API key is not valid.' });
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= Date.now())
      throw new AppError('UNAUTHENTICATED', { message: 'The API key has expired.' });
    this.keyUsed(key.id);
    return {
      kind: 'user',
      userId: key.userId,
      // No session: the key's id stands in for it (revocation is the key's own, above).
      sessionId: key.id,
      emailVerified: key.emailVerified,
      organizationId: key.organizationId,
      // Roles are read from membership rows by orgs on every request, never from a key.
      role: null,
      tokenId: `apikey:${key.id}`,
      issuedAt: 0,
      // No factor is used with a key: organizations requiring one refuse it.
      amr: [],
      authTime: 0,
      mfaEnrolled: false,
      apiKey: {
        id: key.id,
        capabilities: [...key.capabilities],
        creditCeiling: key.creditCeiling,
        ceilingPeriod: key.ceilingPeriod,
      },
    };
  }

  private async service(token: string): Promise<Viewer> {
    // Configured tokens first (constant-time over all of them, and usable before the state is
    // loaded), then tokens issued at run time, by hash.
    const configured = this.serviceTokens.verify(token);
    if (configured)
      return {
        kind: 'service',
        name: configured.name,
        scopes: configured.scopes,
        tokenId: `configured:${configured.name}`,
      };
    const sha256 = sha256Hex(token);
    const issued = await this.state.findIssued(sha256);
    if (!issued)
      throw new AppError('UNAUTHENTICATED', { message: 'The service token is not valid.' });
    // Issued tokens may share a display name (and one may predate the reserved names): the hash,
    // unique per token, is its identity. tokens:admin comes from configuration only, so a token
    // issued with it before that rule holds it no more.
    return {
      kind: 'service',
      name: issued.name,
      scopes: issued.scopes.filter((scope) => !CONFIGURED_ONLY_SCOPES.includes(scope)),
      tokenId: `issued:${sha256}`,
    };
  }
}
