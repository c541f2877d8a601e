import type { IncomingMessage } from 'node:http';
import { AccessTokenVerifier, AppError, ANONYMOUS, type RevocationList, type ServiceTokenRegistry, type Viewer } from '@bastion/platform';

const SERVICE_TOKEN_PREFIX = 'bst_';

/**
 * Reads the request's one credential. None is anonymous; anything present but invalid
 * (malformed, expired, wrongly signed or addressed, revoked) is UNAUTHENTICATED, never anonymous.
 */
export class Authenticator {
  constructor(
    private readonly accessTokens: AccessTokenVerifier,
    private readonly serviceTokens: ServiceTokenRegistry,
    private readonly revocations: RevocationList,
  ) {}

  async authenticate(req: IncomingMessage): Promise<Viewer> {
    const authorization = req.headers.authorization;
    const serviceHeader = req.headers['x-service-token'];
    if (authorization !== undefined && serviceHeader !== undefined) {
      throw new AppError('UNAUTHENTICATED', { message: 'Send one credential, not two.' });
    }
    if (typeof serviceHeader === 'string') return this.service(serviceHeader);
    if (authorization === undefined) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', { message: 'The Authorization header must be "Bearer <token>".' });
    const token = match[1];
    if (token.startsWith(SERVICE_TOKEN_PREFIX)) return this.service(token);
    const viewer = this.accessTokens.verify(token);
    if (await this.revocations.isRevoked(viewer)) {
      throw new AppError('UNAUTHENTICATED', { message: 'The session has been signed out.' });
    }
    return viewer;
  }

  private service(token: string): Viewer {
    const identity = this.serviceTokens.verify(token.trim());
    if (!identity) throw new AppError('UNAUTHENTICATED', { message: 'The service token is not valid.' });
    return { kind: 'service', name: identity.name, scopes: identity.scopes };
  }
}
