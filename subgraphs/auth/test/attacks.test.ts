import { randomUUID } from 'node:crypto';

import {
  PLATFORM_SETUP_MS,
  loadJose,
  registerUser,
  startTestPlatform,
  TEST_JWT_SECRET,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
type Errors = { errors?: { message: string; extensions?: Record<string, unknown> }[] };

describe('attacks on sign-in', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // One batch of 12 logins must reach auth to show the lockout counts them one by one.
    platform = await startTestPlatform({ MAX_BATCH_OPERATIONS: '12' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  describe('forged access tokens at the gateway', () => {
    const claims = () => ({
      sub: randomUUID(),
      sid: randomUUID(),
      email_verified: true,
      jti: randomUUID(),
      iss: 'bastion',
      aud: 'bastion-api',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const sign = async (payload: Record<string, unknown>, secret: string, alg = 'HS256') =>
      new (await loadJose()).SignJWT(payload)
        .setProtectedHeader({ alg, typ: 'JWT' })
        .sign(Buffer.from(secret));

    it.each([
      ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      ['a wrong key', () => sign(claims(), 'w'.repeat(40))],
      ['HS512 with the right key', () => sign(claims(), TEST_JWT_SECRET, 'HS512')],
      [
        'no exp',
        () => {
          const { exp: _e, ...c } = claims();
          return sign(c, TEST_JWT_SECRET);
        },
      ],
      [
        'expired',
        () => sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_SECRET),
      ],
      ['a wrong issuer', () => sign({ ...claims(), iss: 'evil' }, TEST_JWT_SECRET)],
      ['a wrong audience', () => sign({ ...claims(), aud: 'other' }, TEST_JWT_SECRET)],
      [
        'an iat 10 minutes in the future',
        () => {
          const iat = Math.floor(Date.now() / 1000) + 600;
          return sign({ ...claims(), iat, exp: iat + 600 }, TEST_JWT_SECRET);
        },
      ],
      [
        'an exp a billion seconds away',
        () => sign({ ...claims(), exp: Math.floor(Date.now() / 1000) + 1e9 }, TEST_JWT_SECRET),
      ],
    ])('refuses a token with %s: 401 UNAUTHENTICATED', async (_name, make) => {
      const response = await platform.gql('{ aiModels { id } }', {}, { token: await make() });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
    });
  });

  describe('enumeration', () => {
    it('answers unknown email and wrong password alike, after the same password work', async () => {
      const user = await registerUser(platform);
      const verify = jest.spyOn(platform.auth.services.hasher, 'verify');
      const wrong = await platform.gql<Errors>(LOGIN, {
        e: user.email,
        p: 'not the password at all',
      });
      const callsForKnown = verify.mock.calls.length;
      const unknown = await platform.gql<Errors>(LOGIN, {
        e: uniqueEmail('nobody'),
        p: 'not the password at all',
      });
      const callsForUnknown = verify.mock.calls.length - callsForKnown;
      verify.mockRestore();
      expect(wrong.body.errors).toEqual(unknown.body.errors);
      expect(wrong.body.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');
      expect([callsForKnown, callsForUnknown]).toEqual([1, 1]);
    });
  });

  describe('lockout', () => {
    it('after 10 failures every login for the email is RATE_LIMITED, the right password too', async () => {
      const user = await registerUser(platform);
      for (let i = 0; i < 10; i += 1) {
        const response = await platform.gql<Errors>(LOGIN, {
          e: user.email,
          p: `wrong-${i}-password`,
        });
        expect(response.body.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');
      }
      const locked = await platform.gql<Errors>(LOGIN, { e: user.email, p: user.password });
      expect(locked.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(locked.body.errors?.[0].extensions?.retryAfter).toEqual(expect.any(Number));
      expect(locked.body.errors?.[0].extensions?.retryAfter as number).toBeGreaterThan(800);
      const other = await registerUser(platform);
      expect(
        (await platform.gql(LOGIN, { e: other.email, p: other.password })).body.errors,
      ).toBeUndefined();
    });

    it('counts aliased attempts one by one: aliases buy no extra guesses', async () => {
      const user = await registerUser(platform);
      const verify = jest.spyOn(platform.auth.services.hasher, 'verify');
      // A failed non-null mutation field stops the rest, so each request tries at least one alias.
      const fields = Array.from(
        { length: 4 },
        (_, i) => `a${i}: login(email: $e, password: "guess-number-${i}") { accessToken }`,
      ).join('\n');
      const codes: unknown[] = [];
      for (let i = 0; i < 12; i += 1) {
        const response = await platform.gql<Errors>(`mutation ($e: String!) { ${fields} }`, {
          e: user.email,
        });
        codes.push(...response.body.errors!.map((e) => e.extensions?.code));
      }
      const guesses = verify.mock.calls.length;
      verify.mockRestore();
      expect(guesses).toBe(10);
      expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
      expect(codes.slice(-2)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    });

    it('counts batched (concurrent) operations one by one', async () => {
      const user = await registerUser(platform);
      const verify = jest.spyOn(platform.auth.services.hasher, 'verify');
      const batch = Array.from({ length: 12 }, (_, i) => ({
        query: LOGIN,
        variables: { e: user.email, p: `batch-guess-${i}` },
      }));
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      const results = (await response.json()) as Errors[];
      const codes = results.map((r) => r.errors?.[0].extensions?.code);
      expect(verify.mock.calls.length).toBe(10);
      verify.mockRestore();
      expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(2);
    });
  });
});

describe('per-address limit', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ RATE_LIMIT_AUTH_PER_IP: '5' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('refuses the sixth attempt of login, register or reset from one address', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await platform.gql<Errors>(LOGIN, {
        e: uniqueEmail(),
        p: 'whatever password',
      });
      codes.push(response.body.errors?.[0].extensions?.code);
    }
    expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED']);
    const register = await platform.gql<Errors>(
      'mutation { register(input: { email: "late@example.com", password: "long enough pass" }) { accessToken } }',
    );
    expect(register.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });
});
