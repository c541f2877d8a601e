import { randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '../errors/app-error';
import { secretKey } from './keys';
import { ROLES, type Role, type UserViewer } from './viewer';

export const JWT_ALGORITHMS = ['HS256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const jwtConfig = {
  JWT_ALGORITHM: z.enum(JWT_ALGORITHMS).default('HS256'),
  JWT_ISSUER: z.string().default('bastion'),
  JWT_AUDIENCE: z.string().default('bastion-api'),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEYS: z.string().optional(),
};

export interface JwtSettings {
  JWT_ALGORITHM: JwtAlgorithm;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_SECRET: string;
  JWT_PRIVATE_KEY?: string;
  JWT_PUBLIC_KEYS?: string;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  emailVerified: boolean;
  organizationId: string | null;
  role: Role | null;
}

export interface AccessTokenClaims extends jwt.JwtPayload {
  sub: string;
  sid: string;
  email_verified: boolean;
  org: string | null;
  role: Role | null;
  jti: string;
  iat: number;
  exp: number;
}

/** Issues access tokens; used by the auth service only. */
export class AccessTokenSigner {
  private readonly key: KeyObject;

  constructor(private readonly settings: JwtSettings) {
    this.key = secretKey(settings.JWT_SECRET);
  }

  sign(subject: AccessTokenSubject, ttlSeconds: number): { token: string; tokenId: string; expiresIn: number } {
    const tokenId = randomUUID();
    const token = jwt.sign(
      { sid: subject.sessionId, email_verified: subject.emailVerified, org: subject.organizationId, role: subject.role },
      this.key,
      {
        algorithm: 'HS256', subject: subject.userId, issuer: this.settings.JWT_ISSUER,
        audience: this.settings.JWT_AUDIENCE, expiresIn: ttlSeconds, jwtid: tokenId,
      },
    );
    return { token, tokenId, expiresIn: ttlSeconds };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verifies access tokens: the algorithm list is pinned and exp, iss and aud are all required. */
export class AccessTokenVerifier {
  private readonly key: KeyObject;

  constructor(private readonly settings: JwtSettings) {
    this.key = secretKey(settings.JWT_SECRET);
  }

  /** The user the token names, or UNAUTHENTICATED; never a silent anonymous. */
  verify(token: string): UserViewer {
    let claims: AccessTokenClaims;
    try {
      claims = jwt.verify(token, this.key, {
        algorithms: ['HS256'], issuer: this.settings.JWT_ISSUER, audience: this.settings.JWT_AUDIENCE,
      }) as AccessTokenClaims;
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new AppError('UNAUTHENTICATED', { message: expired ? 'The access token has expired.' : 'The access token is invalid.' });
    }
    // jsonwebtoken accepts a token without exp; a token that never expires is refused here.
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
      throw new AppError('UNAUTHENTICATED', { message: 'The access token is invalid.' });
    }
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.sid !== 'string' || typeof claims.jti !== 'string') {
      throw new AppError('UNAUTHENTICATED', { message: 'The access token is invalid.' });
    }
    return {
      kind: 'user', userId: claims.sub, sessionId: claims.sid, emailVerified: claims.email_verified === true,
      organizationId: typeof claims.org === 'string' ? claims.org : null,
      role: claims.role && ROLES.includes(claims.role) ? claims.role : null,
      tokenId: claims.jti, issuedAt: claims.iat,
    };
  }
}
