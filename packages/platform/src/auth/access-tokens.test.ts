import {
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config/load-config';
import {
  AccessTokenSigner,
  jwtConfig,
  jwtKeyProblems,
  publicJwks,
  type JwtSettings,
} from './access-tokens';
import { AccessTokenVerifier, CLOCK_SKEW_SECONDS } from './access-token-verifier';

const SECRET = 's'.repeat(40);
const TTL = 900;
const subject = {
  userId: randomUUID(),
  sessionId: randomUUID(),
  emailVerified: true,
  organizationId: null,
  role: null,
  amr: ['pwd', 'otp', 'mfa'],
  authTime: Math.floor(Date.now() / 1000) - 30,
  mfaEnrolled: true,
};
const pem = (kind: 'rsa' | 'ec' | 'ed25519') => {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return {
    private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
  };
};
const settings = (overrides: Partial<JwtSettings> = {}) =>
  ({
    JWT_ALGORITHM: 'HS256',
    JWT_ISSUER: 'bastion',
    JWT_AUDIENCE: 'bastion-api',
    JWT_SECRET: SECRET,
    ACCESS_TOKEN_TTL: TTL,
    ...overrides,
  }) as JwtSettings & { ACCESS_TOKEN_TTL: number };
const expectRefused = (verifier: AccessTokenVerifier, token: string) =>
  expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: subject.userId,
  sid: subject.sessionId,
  email_verified: true,
  jti: randomUUID(),
  iat: now(),
  exp: now() + 600,
  iss: 'bastion',
  aud: 'bastion-api',
  ...extra,
});

/** A JWS made by hand with node:crypto (RFC 7515 compact form), independent of the code under test. */
function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject | string,
): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    header.alg === 'HS256'
      ? createHmac('sha256', key).update(input).digest()
      : header.alg === 'RS256'
        ? sign('sha256', Buffer.from(input), key as KeyObject)
        : header.alg === 'ES256'
          ? // JWS ES256 is the raw r || s pair (RFC 7518 section 3.4), not DER.
            sign('sha256', Buffer.from(input), {
              key: key as KeyObject,
              dsaEncoding: 'ieee-p1363',
            })
          : Buffer.alloc(0);
  return `${input}.${signature.toString('base64url')}`;
}

/** RFC 7638 by hand: the required members in lexicographic order, no whitespace, SHA-256, base64url. */
function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
      : `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(members).digest('base64url');
}

// jose, an independent implementation (a test dependency), signs and verifies too.
const loadJose = () => import('jose');

describe.each(['HS256', 'RS256', 'ES256'] as const)('%s access tokens', (algorithm) => {
  const kind = algorithm === 'RS256' ? 'rsa' : 'ec';
  const keys = algorithm === 'HS256' ? undefined : pem(kind);
  const signingKey = keys?.privateKey ?? SECRET;
  const kid = keys ? thumbprint(createPublicKey(keys.privateKey)) : undefined;
  const header = { alg: algorithm, typ: 'JWT', ...(kid ? { kid } : {}) };
  const config = settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: keys?.private });
  let verifier: AccessTokenVerifier;
  beforeAll(async () => {
    verifier = await AccessTokenVerifier.create(
      settings({ JWT_ALGORITHM: algorithm, JWT_PUBLIC_KEYS: keys?.public }),
    );
  });

  it('round-trips the contract claims, with the RFC 7638 thumbprint as kid', async () => {
    const { token } = await (await AccessTokenSigner.create(config)).sign(subject, TTL);
    expect(await verifier.verify(token)).toMatchObject({
      kind: 'user',
      userId: subject.userId,
      sessionId: subject.sessionId,
      emailVerified: true,
      amr: ['pwd', 'otp', 'mfa'],
      authTime: subject.authTime,
      mfaEnrolled: true,
    });
    const decoded = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(decoded).toEqual(header);
    expect(await verifier.verify(forge(header, claims(), signingKey))).toMatchObject({
      userId: subject.userId,
    });
  });

  it('agrees with jose: jose verifies our tokens with pinned options, and jose-made tokens verify here', async () => {
    const { jwtVerify, SignJWT } = await loadJose();
    const { token } = await (await AccessTokenSigner.create(config)).sign(subject, TTL);
    const verifyWith = keys ? createPublicKey(keys.privateKey) : Buffer.from(SECRET);
    const { payload } = await jwtVerify(token, verifyWith, {
      algorithms: [algorithm],
      issuer: 'bastion',
      audience: 'bastion-api',
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    const made = await new SignJWT(claims())
      .setProtectedHeader(header)
      .sign(keys ? keys.privateKey : Buffer.from(SECRET));
    expect(await verifier.verify(made)).toMatchObject({ userId: subject.userId });
  });

  it('refuses alg none, a foreign key, expired, missing exp, iat or sub, wrong iss and wrong aud', async () => {
    await expectRefused(
      verifier,
      forge({ alg: 'none', typ: 'JWT' }, claims(), signingKey).replace(/\.[^.]*$/, '.'),
    );
    const other = algorithm === 'HS256' ? 'x'.repeat(40) : pem(kind).privateKey;
    await expectRefused(verifier, forge(header, claims(), other));
    await expectRefused(verifier, forge(header, claims({ exp: now() - 5 }), signingKey));
    for (const missing of ['exp', 'iat', 'sub', 'jti']) {
      const partial: Record<string, unknown> = claims();
      delete partial[missing];
      await expectRefused(verifier, forge(header, partial, signingKey));
    }
    await expectRefused(verifier, forge(header, claims({ iss: 'evil' }), signingKey));
    await expectRefused(verifier, forge(header, claims({ aud: 'other-api' }), signingKey));
  });

  it('carries an impersonation actor as RFC 8693 act: { sub } and reads it back as viewer.actor', async () => {
    const { token } = await (
      await AccessTokenSigner.create(config)
    ).sign({ ...subject, actor: 'support-desk' }, TTL);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload.act).toEqual({ sub: 'support-desk' });
    expect(await verifier.verify(token)).toMatchObject({ actor: { sub: 'support-desk' } });
    // Without act, no actor; an act that does not read back is refused, never a full user.
    const plain = await verifier.verify(forge(header, claims(), signingKey));
    expect(plain.actor).toBeUndefined();
    for (const act of ['support', { sub: 7 }, { sub: '' }, null, []])
      await expectRefused(verifier, forge(header, claims({ act }), signingKey));
    expect(
      await verifier.verify(forge(header, claims({ act: { sub: 'ops' } }), signingKey)),
    ).toMatchObject({ actor: { sub: 'ops' } });
  });

  it('remembers a verified token only until its exp, and never a refused one', async () => {
    const token = forge(header, claims({ exp: now() + 60 }), signingKey);
    expect(await verifier.verify(token)).toMatchObject({ userId: subject.userId });
    expect(await verifier.verify(token)).toMatchObject({ userId: subject.userId });
    const clock = jest.spyOn(Date, 'now').mockReturnValue((now() + 61) * 1000);
    try {
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'The access token has expired.',
      });
    } finally {
      clock.mockRestore();
    }
    const foreign = forge(
      header,
      claims(),
      algorithm === 'HS256' ? 'y'.repeat(40) : pem(kind).privateKey,
    );
    await expectRefused(verifier, foreign);
    await expectRefused(verifier, foreign);
  });

  it('refuses an iat 10 minutes in the future and accepts one within the clock skew', async () => {
    await expectRefused(
      verifier,
      forge(header, claims({ iat: now() + 600, exp: now() + 600 + TTL }), signingKey),
    );
    expect(
      await verifier.verify(
        forge(header, claims({ iat: now() + 10, exp: now() + 10 + TTL }), signingKey),
      ),
    ).toMatchObject({ kind: 'user' });
  });

  it('refuses a lifetime beyond ACCESS_TOKEN_TTL + skew: exp a billion seconds away', async () => {
    await expectRefused(
      verifier,
      forge(header, claims({ exp: now() + 1_000_000_000 }), signingKey),
    );
    await expectRefused(
      verifier,
      forge(header, claims({ exp: now() + TTL + CLOCK_SKEW_SECONDS + 5 }), signingKey),
    );
  });

  it('refuses another algorithm with the right key material', async () => {
    await expectRefused(
      verifier,
      forge(
        { ...header, alg: algorithm === 'HS256' ? 'HS512' : 'HS256' },
        claims(),
        keys?.public ?? SECRET,
      ),
    );
  });

  if (keys) {
    it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
      await expectRefused(
        verifier,
        forge({ alg: 'HS256', typ: 'JWT', kid }, claims(), keys.public),
      );
    });

    it('refuses a kid not in the set, and a known kid on a foreign signature', async () => {
      const stranger = pem(kind).privateKey;
      await expectRefused(
        verifier,
        forge({ ...header, kid: thumbprint(createPublicKey(stranger)) }, claims(), stranger),
      );
      await expectRefused(verifier, forge(header, claims(), stranger));
      const { kid: _none, ...withoutKid } = header;
      await expectRefused(verifier, forge(withoutKid, claims(), signingKey));
    });

    it('publishes every key with its RFC 7638 thumbprint as kid, and no private member', async () => {
      const next = pem(kind);
      const jwks = await publicJwks(
        settings({
          JWT_ALGORITHM: algorithm,
          JWT_PRIVATE_KEY: next.private,
          JWT_PUBLIC_KEYS: keys.public,
        }),
      );
      expect(jwks.keys.map((k) => k.kid)).toEqual([
        thumbprint(createPublicKey(next.privateKey)),
        kid,
      ]);
      expect(
        jwks.keys.every((k) => k.alg === algorithm && k.use === 'sig' && k.d === undefined),
      ).toBe(true);
    });

    it('rotates: a new key signs while the old one still verifies until removed', async () => {
      const next = pem(kind);
      const oldToken = (await (await AccessTokenSigner.create(config)).sign(subject, TTL)).token;
      const rotated = settings({
        JWT_ALGORITHM: algorithm,
        JWT_PRIVATE_KEY: next.private,
        JWT_PUBLIC_KEYS: keys.public,
      });
      const newToken = (await (await AccessTokenSigner.create(rotated)).sign(subject, TTL)).token;
      const during = await AccessTokenVerifier.create(rotated);
      expect((await during.verify(oldToken)).userId).toBe(subject.userId);
      expect((await during.verify(newToken)).userId).toBe(subject.userId);
      const after = await AccessTokenVerifier.create(
        settings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: next.private }),
      );
      await expectRefused(after, oldToken);
      expect((await after.verify(newToken)).userId).toBe(subject.userId);
    });

    it('reports a key of the wrong type at start', () => {
      const wrong = pem(algorithm === 'RS256' ? 'ec' : 'rsa');
      expect(
        jwtKeyProblems({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: wrong.private }, true)[0],
      ).toMatch(/JWT_PRIVATE_KEY/);
      expect(jwtKeyProblems({ JWT_ALGORITHM: algorithm }, true)[0]).toMatch(/required/);
    });
  } else {
    it('publishes an empty key set, and needs JWT_SECRET', async () => {
      expect(await publicJwks(config)).toEqual({ keys: [] });
      expect(jwtKeyProblems({ JWT_ALGORITHM: 'HS256' }, true)).toEqual([
        expect.stringMatching(/^JWT_SECRET: required/),
      ]);
    });
  }
});

it('hands jsonwebtoken the HS256 key as a KeyObject, never the string secret (a string costs a PEM parse per call)', async () => {
  const verifySpy = jest.spyOn(jwt, 'verify');
  const signSpy = jest.spyOn(jwt, 'sign');
  try {
    const { token } = await (await AccessTokenSigner.create(settings())).sign(subject, TTL);
    await (await AccessTokenVerifier.create(settings())).verify(token);
    // The signer uses node:crypto directly; only the verifier goes through jsonwebtoken.
    expect(signSpy).not.toHaveBeenCalled();
    expect(verifySpy).toHaveBeenCalledTimes(1);
    expect(verifySpy.mock.calls[0][1]).toMatchObject({ type: 'secret', symmetricKeySize: 40 });
  } finally {
    verifySpy.mockRestore();
    signSpy.mockRestore();
  }
});

it('names EdDSA as not offered, at start, whether asked for by name or by an Ed25519 key', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(z.object(jwtConfig), env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };
  expect(problems({ JWT_ALGORITHM: 'EdDSA' })).toEqual([
    expect.stringMatching(/^JWT_ALGORITHM: EdDSA is not offered .*use ES256 with a P-256 key/),
  ]);
  expect(problems({ JWT_ALGORITHM: 'PS256' })).toEqual([
    'JWT_ALGORITHM: must be one of HS256, RS256, ES256',
  ]);
  for (const algorithm of ['ES256', 'RS256'] as const)
    expect(
      jwtKeyProblems({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: pem('ed25519').private }, true),
    ).toEqual([
      expect.stringMatching(/^JWT_PRIVATE_KEY: holds an ed25519 key; EdDSA is not offered/),
    ]);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  expect(jwtKeyProblems({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: p384 }, true)).toEqual([
    'JWT_PRIVATE_KEY: holds an EC key on secp384r1; ES256 needs P-256',
  ]);
});

it('refuses an RSA key under 2048 bits at start', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  expect(jwtKeyProblems({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: small }, true)).toEqual([
    'JWT_PRIVATE_KEY: RSA keys need at least 2048 bits',
  ]);
});
