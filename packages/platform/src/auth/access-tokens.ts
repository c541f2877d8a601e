import { randomUUID, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '../errors/app-error';
import { jwkThumbprint, parsePrivateKey, parsePublicKeys, toJwks, type VerificationKey } from './jwt-keys';
import { secretKey } from './keys';
import { ROLES, type Role, type UserViewer } from './viewer';

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const jwtConfig = {
  JWT_ALGORITHM: z.enum(JWT_ALGORITHMS).default('HS256'),
  JWT_ISSUER: z.string().default('bastion'),
  JWT_AUDIENCE: z.string().default('bastion-api'),
  /** PEM; the key auth signs with (RS256 or Ed25519). */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** PEM bundle of public keys that still verify (the previous key during a rotation). */
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

const KEY_TYPE: Record<Exclude<JwtAlgorithm, 'HS256'>, string> = { RS256: 'rsa', EdDSA: 'ed25519' };

/** Checks that asymmetric settings have the keys their algorithm needs; used in config validation. */
export function jwtKeyProblems(settings: Pick<JwtSettings, 'JWT_ALGORITHM' | 'JWT_PRIVATE_KEY' | 'JWT_PUBLIC_KEYS'>, needsPrivateKey: boolean): string[] {
  if (settings.JWT_ALGORITHM === 'HS256') return [];
  const problems: string[] = [];
  const expected = KEY_TYPE[settings.JWT_ALGORITHM];
  try {
    if (settings.JWT_PRIVATE_KEY) {
      const type = parsePrivateKey(settings.JWT_PRIVATE_KEY).asymmetricKeyType;
      if (type !== expected) problems.push(`JWT_PRIVATE_KEY: ${settings.JWT_ALGORITHM} needs an ${expected} key, got ${type}`);
    } else if (needsPrivateKey) {
      problems.push(`JWT_PRIVATE_KEY: required for ${settings.JWT_ALGORITHM}`);
    }
    for (const key of parsePublicKeys(settings.JWT_PUBLIC_KEYS)) {
      if (key.asymmetricKeyType !== expected) problems.push(`JWT_PUBLIC_KEYS: holds a ${key.asymmetricKeyType} key; ${settings.JWT_ALGORITHM} needs ${expected}`);
    }
    if (!settings.JWT_PRIVATE_KEY && parsePublicKeys(settings.JWT_PUBLIC_KEYS).length === 0) {
      problems.push(`JWT_PUBLIC_KEYS: ${settings.JWT_ALGORITHM} needs at least one public key (or JWT_PRIVATE_KEY)`);
    }
  } catch (error) {
    problems.push(`JWT_PRIVATE_KEY/JWT_PUBLIC_KEYS: not a readable PEM key (${(error as Error).message.split('\n')[0]})`);
  }
  return problems;
}

/** The public keys that verify access tokens: the signing key's own and any still-trusted older ones. */
export function verificationKeys(settings: JwtSettings): VerificationKey[] {
  if (settings.JWT_ALGORITHM === 'HS256') return [];
  const keys = parsePublicKeys(settings.JWT_PUBLIC_KEYS);
  if (settings.JWT_PRIVATE_KEY) keys.unshift(createPublicKey(parsePrivateKey(settings.JWT_PRIVATE_KEY)));
  const byKid = new Map<string, VerificationKey>();
  for (const key of keys) byKid.set(jwkThumbprint(key), { kid: jwkThumbprint(key), key });
  return [...byKid.values()];
}

/** The JWKS the gateway publishes: empty for HS256, whose key is secret. */
export function publicJwks(settings: JwtSettings) {
  return toJwks(verificationKeys(settings), settings.JWT_ALGORITHM);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Issues access tokens; used by the auth service only. */
export class AccessTokenSigner {
  private readonly key: KeyObject;
  private readonly kid: string | undefined;

  constructor(private readonly settings: JwtSettings) {
    if (settings.JWT_ALGORITHM === 'HS256') {
      this.key = secretKey(settings.JWT_SECRET);
    } else {
      if (!settings.JWT_PRIVATE_KEY) throw new Error(`JWT_PRIVATE_KEY is required for ${settings.JWT_ALGORITHM}`);
      this.key = parsePrivateKey(settings.JWT_PRIVATE_KEY);
      this.kid = jwkThumbprint(createPublicKey(this.key));
    }
  }

  sign(subject: AccessTokenSubject, ttlSeconds: number): { token: string; tokenId: string; expiresIn: number } {
    const tokenId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: subject.userId, sid: subject.sessionId, email_verified: subject.emailVerified, org: subject.organizationId,
      role: subject.role, iss: this.settings.JWT_ISSUER, aud: this.settings.JWT_AUDIENCE, iat: now, exp: now + ttlSeconds, jti: tokenId,
    };
    let token: string;
    if (this.settings.JWT_ALGORITHM === 'EdDSA') {
      // jsonwebtoken 9 has no EdDSA; an Ed25519 JWS is two lines of node:crypto.
      const input = `${b64({ alg: 'EdDSA', typ: 'JWT', kid: this.kid })}.${b64(claims)}`;
      token = `${input}.${cryptoSign(null, Buffer.from(input), this.key).toString('base64url')}`;
    } else {
      token = jwt.sign(claims, this.key, { algorithm: this.settings.JWT_ALGORITHM, ...(this.kid ? { keyid: this.kid } : {}) });
    }
    return { token, tokenId, expiresIn: ttlSeconds };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (message = 'The access token is invalid.') => new AppError('UNAUTHENTICATED', { message });

/**
 * Verifies access tokens. The algorithm is pinned to the configured one (no "none", no HS/RS
 * confusion: the header's alg must match before any key is touched), asymmetric tokens must name
 * a known kid, and exp, iat, iss and aud are all required.
 */
export class AccessTokenVerifier {
  private readonly secret: KeyObject | undefined;
  private readonly keys: Map<string, KeyObject>;

  constructor(private readonly settings: JwtSettings) {
    this.secret = settings.JWT_ALGORITHM === 'HS256' ? secretKey(settings.JWT_SECRET) : undefined;
    this.keys = new Map(verificationKeys(settings).map((k) => [k.kid, k.key]));
  }

  /** The user the token names, or UNAUTHENTICATED; never a silent anonymous. */
  verify(token: string): UserViewer {
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid();
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (header.alg !== this.settings.JWT_ALGORITHM) throw invalid();
    const claims = this.settings.JWT_ALGORITHM === 'EdDSA' ? this.verifyEdDsa(parts, header.kid) : this.verifyWithJsonwebtoken(token, header.kid);
    return this.toViewer(claims);
  }

  private verifyWithJsonwebtoken(token: string, kid: unknown): AccessTokenClaims {
    const key = this.secret ?? (typeof kid === 'string' ? this.keys.get(kid) : undefined);
    if (!key) throw invalid();
    try {
      return jwt.verify(token, key, {
        algorithms: [this.settings.JWT_ALGORITHM as jwt.Algorithm], issuer: this.settings.JWT_ISSUER, audience: this.settings.JWT_AUDIENCE,
      }) as AccessTokenClaims;
    } catch (error) {
      throw invalid((error as Error).name === 'TokenExpiredError' ? 'The access token has expired.' : undefined);
    }
  }

  private verifyEdDsa(parts: string[], kid: unknown): AccessTokenClaims {
    const key = typeof kid === 'string' ? this.keys.get(kid) : undefined;
    if (!key || !cryptoVerify(null, Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'))) throw invalid();
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    const now = Math.floor(Date.now() / 1000);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== this.settings.JWT_ISSUER || !audiences.includes(this.settings.JWT_AUDIENCE)) throw invalid();
    if (typeof claims.exp === 'number' && claims.exp <= now) throw invalid('The access token has expired.');
    if (typeof claims.nbf === 'number' && claims.nbf > now) throw invalid();
    return claims;
  }

  private toViewer(claims: AccessTokenClaims): UserViewer {
    // jsonwebtoken accepts a token without exp; a token that never expires is refused here.
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw invalid();
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.sid !== 'string' || typeof claims.jti !== 'string') throw invalid();
    return {
      kind: 'user', userId: claims.sub, sessionId: claims.sid, emailVerified: claims.email_verified === true,
      organizationId: typeof claims.org === 'string' ? claims.org : null,
      role: claims.role && ROLES.includes(claims.role) ? claims.role : null,
      tokenId: claims.jti, issuedAt: claims.iat,
    };
  }
}
