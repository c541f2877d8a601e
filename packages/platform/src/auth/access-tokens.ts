import {
  createHmac,
  createPublicKey,
  randomUUID,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import {
  hmacKey,
  parsePrivateKey,
  parsePublicKeys,
  toJwks,
  verificationKey,
  type VerificationKey,
} from './jwt-keys';
import type { Role } from './viewer';

/** jsonwebtoken (the gateway's verifier) has no EdDSA: asymmetric tokens are RS256 or ES256 (P-256). */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const NO_EDDSA =
  'EdDSA is not offered (the token library, jsonwebtoken, has none): use ES256 with a P-256 key, or RS256';

/** The settings of access tokens: read by auth (signs) and the gateway (verifies), no one else. */
export const jwtConfig = {
  JWT_ALGORITHM: z
    .enum(JWT_ALGORITHMS, {
      error: (issue) =>
        issue.input === 'EdDSA' ? NO_EDDSA : `must be one of ${JWT_ALGORITHMS.join(', ')}`,
    })
    .default('HS256'),
  // At least 32 bytes: an HMAC key shorter than the hash output is brute-forceable offline.
  JWT_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s) >= 32, 'must be at least 32 bytes')
    .optional(),
  JWT_ISSUER: z.string().default('bastion'),
  JWT_AUDIENCE: z.string().default('bastion-api'),
  /** PEM; the key auth signs with (RS256: RSA 2048+ bits; ES256: EC P-256). */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** PEM bundle of public keys that still verify (the previous key during a rotation). */
  JWT_PUBLIC_KEYS: z.string().optional(),
};

export interface JwtSettings {
  JWT_ALGORITHM: JwtAlgorithm;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_SECRET?: string;
  JWT_PRIVATE_KEY?: string;
  JWT_PUBLIC_KEYS?: string;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  emailVerified: boolean;
  organizationId: string | null;
  role: Role | null;
  /** RFC 8176 methods of the session's sign-in (or its last step-up). */
  amr: string[];
  /** Seconds since the epoch of that authentication. */
  authTime: number;
  mfaEnrolled: boolean;
  /**
   * An impersonation session's actor: the support service acting as the user, written as the
   * RFC 8693 `act: { sub }` claim (the gateway makes it `viewer.actor`, which is read-only).
   */
  actor?: string;
}

const KEY_TYPE: Record<Exclude<JwtAlgorithm, 'HS256'>, string> = { RS256: 'rsa', ES256: 'ec' };
const KEY_NAME: Record<Exclude<JwtAlgorithm, 'HS256'>, string> = {
  RS256: 'an RSA key',
  ES256: 'an EC P-256 key',
};

/**
 * Checks that the settings hold the keys their algorithm needs; used in config validation. Safe
 * on a partly invalid config (it runs even when other fields failed, so all problems show at once).
 */
export function jwtKeyProblems(
  settings: Partial<
    Pick<JwtSettings, 'JWT_ALGORITHM' | 'JWT_SECRET' | 'JWT_PRIVATE_KEY' | 'JWT_PUBLIC_KEYS'>
  >,
  needsPrivateKey: boolean,
): string[] {
  const algorithm = settings.JWT_ALGORITHM ?? 'HS256';
  if (!JWT_ALGORITHMS.includes(algorithm)) return [];
  if (algorithm === 'HS256')
    return settings.JWT_SECRET === undefined
      ? ['JWT_SECRET: required for HS256 (or set JWT_ALGORITHM and keys)']
      : [];
  const problems: string[] = [];
  const expected = KEY_TYPE[algorithm];
  try {
    const keys = parsePublicKeys(settings.JWT_PUBLIC_KEYS);
    if (settings.JWT_PRIVATE_KEY)
      keys.unshift(createPublicKey(parsePrivateKey(settings.JWT_PRIVATE_KEY)));
    else if (needsPrivateKey) problems.push(`JWT_PRIVATE_KEY: required for ${algorithm}`);
    for (const [index, key] of keys.entries()) {
      const name = settings.JWT_PRIVATE_KEY && index === 0 ? 'JWT_PRIVATE_KEY' : 'JWT_PUBLIC_KEYS';
      if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448')
        problems.push(`${name}: holds an ${key.asymmetricKeyType} key; ${NO_EDDSA}`);
      else if (key.asymmetricKeyType !== expected)
        problems.push(
          `${name}: holds a ${key.asymmetricKeyType} key; ${algorithm} needs ${KEY_NAME[algorithm]}`,
        );
      // jsonwebtoken refuses RSA keys under 2048 bits when signing or verifying: say so at start.
      else if (expected === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
        problems.push(`${name}: RSA keys need at least 2048 bits`);
      else if (expected === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
        problems.push(
          `${name}: holds an EC key on ${key.asymmetricKeyDetails?.namedCurve}; ES256 needs P-256`,
        );
    }
    if (keys.length === 0 && !needsPrivateKey)
      problems.push(
        `JWT_PUBLIC_KEYS: ${algorithm} needs at least one public key (or JWT_PRIVATE_KEY)`,
      );
  } catch (error) {
    problems.push(
      `JWT_PRIVATE_KEY/JWT_PUBLIC_KEYS: not a readable PEM key (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return problems;
}

/** The public keys that verify access tokens: the signing key's own and any still-trusted older ones. */
export async function verificationKeys(settings: JwtSettings): Promise<VerificationKey[]> {
  if (settings.JWT_ALGORITHM === 'HS256') return [];
  const keys = parsePublicKeys(settings.JWT_PUBLIC_KEYS);
  if (settings.JWT_PRIVATE_KEY)
    keys.unshift(createPublicKey(parsePrivateKey(settings.JWT_PRIVATE_KEY)));
  const byKid = new Map<string, VerificationKey>();
  for (const key of keys) {
    const read = verificationKey(key);
    if (!byKid.has(read.kid)) byKid.set(read.kid, read);
  }
  return [...byKid.values()];
}

/** The JWKS the gateway publishes: empty for HS256, whose key is secret. */
export async function publicJwks(settings: JwtSettings) {
  return toJwks(await verificationKeys(settings), settings.JWT_ALGORITHM);
}

/**
 * Issues access tokens (RFC 7519 compact JWS) with node:crypto; used by the auth service only.
 * The key is read once, in create(), and the protected header is encoded once: a token costs one
 * JSON of its claims and one HMAC or signature (jsonwebtoken's option checks cost ~4x the HMAC;
 * docs/performance.md). The gateway verifies with jsonwebtoken, tests with jose too.
 */
export class AccessTokenSigner {
  private readonly header: string;

  private constructor(
    private readonly settings: JwtSettings,
    private readonly key: KeyObject,
    kid: string | undefined,
  ) {
    this.header = Buffer.from(
      JSON.stringify({ alg: settings.JWT_ALGORITHM, typ: 'JWT', ...(kid ? { kid } : {}) }),
    ).toString('base64url');
  }

  static async create(settings: JwtSettings): Promise<AccessTokenSigner> {
    if (settings.JWT_ALGORITHM === 'HS256') {
      if (!settings.JWT_SECRET) throw new Error('JWT_SECRET is required for HS256');
      return new AccessTokenSigner(settings, hmacKey(settings.JWT_SECRET), undefined);
    }
    if (!settings.JWT_PRIVATE_KEY)
      throw new Error(`JWT_PRIVATE_KEY is required for ${settings.JWT_ALGORITHM}`);
    const key = parsePrivateKey(settings.JWT_PRIVATE_KEY);
    return new AccessTokenSigner(settings, key, verificationKey(createPublicKey(key)).kid);
  }

  async sign(
    subject: AccessTokenSubject,
    ttlSeconds: number,
  ): Promise<{ token: string; tokenId: string; expiresIn: number }> {
    const tokenId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    // Every registered claim written out.
    const claims = {
      sub: subject.userId,
      sid: subject.sessionId,
      email_verified: subject.emailVerified,
      org: subject.organizationId,
      role: subject.role,
      amr: subject.amr,
      auth_time: subject.authTime,
      mfa_enrolled: subject.mfaEnrolled,
      ...(subject.actor ? { act: { sub: subject.actor } } : {}),
      iss: this.settings.JWT_ISSUER,
      aud: this.settings.JWT_AUDIENCE,
      iat: now,
      exp: now + ttlSeconds,
      jti: tokenId,
    };
    const input = `${this.header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return { token: `${input}.${this.signature(input)}`, tokenId, expiresIn: ttlSeconds };
  }

  /** RFC 7518 section 3: HMAC SHA-256, RSASSA-PKCS1-v1_5 SHA-256, or ECDSA P-256 SHA-256 as r || s. */
  private signature(input: string): string {
    switch (this.settings.JWT_ALGORITHM) {
      case 'HS256':
        return createHmac('sha256', this.key).update(input).digest('base64url');
      case 'RS256':
        return cryptoSign('sha256', Buffer.from(input), this.key).toString('base64url');
      case 'ES256':
        return cryptoSign('sha256', Buffer.from(input), {
          key: this.key,
          dsaEncoding: 'ieee-p1363',
        }).toString('base64url');
    }
  }
}
