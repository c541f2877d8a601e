import {
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { AccessTokenSigner, jwtKeyProblems, publicJwks, type JwtSettings } from './access-tokens';
import { AccessTokenVerifier, CLOCK_SKEW_SECONDS } from './access-token-verifier';

const SECRET = 's'.repeat(40);
const TTL = 900;
const subject = {
  userId: randomUUID(),
  sessionId: randomUUID(),
  emailVerified: true,
  organizationId: null,
  role: null,
};
const pem = (kind: 'rsa' | 'ed25519') => {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
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
        : header.alg === 'EdDSA'
          ? sign(null, Buffer.from(input), key as KeyObject)
          : Buffer.alloc(0);
  return `${input}.${signature.toString('base64url')}`;
}

/** RFC 7638 by hand: the required members in lexicographic order, no whitespace, SHA-256, base64url. */
function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
      : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return createHash('sha256').update(members).digest('base64url');
}

describe.each(['HS256', 'RS256', 'EdDSA'] as const)('%s access tokens', (algorithm) => {
  const keys = algorithm === 'HS256' ? undefined : pem(algorithm === 'RS256' ? 'rsa' : 'ed25519');
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
    });
    const decoded = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(decoded).toEqual(header);
    expect(await verifier.verify(forge(header, claims(), signingKey))).toMatchObject({
      userId: subject.userId,
    });
  });

  it('refuses alg none, a foreign key, expired, missing exp, iat or sub, wrong iss and wrong aud', async () => {
    await expectRefused(
      verifier,
      forge({ alg: 'none', typ: 'JWT' }, claims(), signingKey).replace(/\.[^.]*$/, '.'),
    );
    const other =
      algorithm === 'HS256'
        ? 'x'.repeat(40)
        : pem(algorithm === 'RS256' ? 'rsa' : 'ed25519').privateKey;
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
      algorithm === 'HS256'
        ? 'y'.repeat(40)
        : pem(algorithm === 'RS256' ? 'rsa' : 'ed25519').privateKey,
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
      const stranger = pem(algorithm === 'RS256' ? 'rsa' : 'ed25519').privateKey;
      await expectRefused(
        verifier,
        forge({ ...header, kid: thumbprint(createPublicKey(stranger)) }, claims(), stranger),
      );
      await expectRefused(verifier, forge(header, claims(), stranger));
      const { kid: _none, ...withoutKid } = header;
      await expectRefused(verifier, forge(withoutKid, claims(), signingKey));
    });

    it('publishes every key with its RFC 7638 thumbprint as kid, and no private member', async () => {
      const next = pem(algorithm === 'RS256' ? 'rsa' : 'ed25519');
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
      const next = pem(algorithm === 'RS256' ? 'rsa' : 'ed25519');
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
      const wrong = pem(algorithm === 'RS256' ? 'ed25519' : 'rsa');
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

it('refuses an RSA key under 2048 bits at start', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  expect(jwtKeyProblems({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: small }, true)).toEqual([
    'JWT_PRIVATE_KEY: RSA keys need at least 2048 bits',
  ]);
});
