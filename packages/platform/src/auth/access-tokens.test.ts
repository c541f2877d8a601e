import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AccessTokenSigner, AccessTokenVerifier, jwtKeyProblems, publicJwks, type JwtSettings } from './access-tokens';

const SECRET = 's'.repeat(40);
const subject = { userId: randomUUID(), sessionId: randomUUID(), emailVerified: true, organizationId: null, role: null };
const pem = (kind: 'rsa' | 'ed25519') => {
  const { privateKey, publicKey } = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return { private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), public: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const settings = (overrides: Partial<JwtSettings> = {}): JwtSettings => ({
  JWT_ALGORITHM: 'HS256', JWT_ISSUER: 'bastion', JWT_AUDIENCE: 'bastion-api', JWT_SECRET: SECRET, ...overrides,
});
const expectRefused = (verifier: AccessTokenVerifier, token: string) => {
  expect(() => verifier.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: subject.userId, sid: subject.sessionId, email_verified: true, jti: randomUUID(), iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600, iss: 'bastion', aud: 'bastion-api', ...extra,
});

describe.each(['HS256', 'RS256', 'EdDSA'] as const)('%s access tokens', (algorithm) => {
  const keys = algorithm === 'HS256' ? undefined : pem(algorithm === 'RS256' ? 'rsa' : 'ed25519');
  const config = settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: keys?.private });
  const verifier = new AccessTokenVerifier(settings({ JWT_ALGORITHM: algorithm, JWT_PUBLIC_KEYS: keys?.public }));

  it('round-trips the contract claims', () => {
    const { token } = new AccessTokenSigner(config).sign(subject, 900);
    expect(verifier.verify(token)).toMatchObject({ kind: 'user', userId: subject.userId, sessionId: subject.sessionId, emailVerified: true });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe(algorithm);
    if (algorithm !== 'HS256') expect(header.kid).toBe(publicJwks(config).keys[0].kid);
  });

  it('refuses alg none, a foreign key, expired, missing exp, wrong iss and wrong aud', () => {
    expectRefused(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`);
    const other = algorithm === 'HS256' ? settings({ JWT_SECRET: 'x'.repeat(40) }) : settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: pem(algorithm === 'RS256' ? 'rsa' : 'ed25519').private });
    expectRefused(verifier, new AccessTokenSigner(other).sign(subject, 900).token);
    if (algorithm === 'HS256') {
      expectRefused(verifier, jwt.sign(claims({ exp: Math.floor(Date.now() / 1000) - 10 }), SECRET, { algorithm: 'HS256' }));
      const { exp: _exp, ...withoutExp } = claims();
      expectRefused(verifier, jwt.sign(withoutExp, SECRET, { algorithm: 'HS256' }));
      expectRefused(verifier, jwt.sign(claims({ iss: 'evil' }), SECRET, { algorithm: 'HS256' }));
      expectRefused(verifier, jwt.sign(claims({ aud: 'other-api' }), SECRET, { algorithm: 'HS256' }));
    }
  });

  if (algorithm !== 'HS256') {
    it('refuses HS256 signed with the public key (algorithm confusion)', () => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: publicJwks(config).keys[0].kid })}.${b64(claims())}`;
      const forged = `${input}.${createHmac('sha256', keys!.public).update(input).digest('base64url')}`;
      expectRefused(verifier, forged);
    });

    it('rotates: a new key signs while the old one still verifies until removed', () => {
      const next = pem(algorithm === 'RS256' ? 'rsa' : 'ed25519');
      const oldToken = new AccessTokenSigner(config).sign(subject, 900).token;
      const rotated = settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: next.private, JWT_PUBLIC_KEYS: keys!.public });
      const newToken = new AccessTokenSigner(rotated).sign(subject, 900).token;
      const during = new AccessTokenVerifier(rotated);
      expect(during.verify(oldToken).userId).toBe(subject.userId);
      expect(during.verify(newToken).userId).toBe(subject.userId);
      expect(publicJwks(rotated).keys).toHaveLength(2);
      const after = new AccessTokenVerifier(settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: next.private }));
      expectRefused(after, oldToken);
      expect(after.verify(newToken).userId).toBe(subject.userId);
    });

    it('reports a key of the wrong type at start', () => {
      const wrong = pem(algorithm === 'RS256' ? 'ed25519' : 'rsa');
      expect(jwtKeyProblems({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: wrong.private }, true)[0]).toMatch(/JWT_PRIVATE_KEY/);
      expect(jwtKeyProblems({ JWT_ALGORITHM: algorithm }, true)[0]).toMatch(/required/);
    });
  } else {
    it('publishes an empty key set', () => expect(publicJwks(config)).toEqual({ keys: [] }));
  }
});
