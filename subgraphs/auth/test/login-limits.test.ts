import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
type Errors = { errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** The per-email limit counts failed password checks only: right passwords in parallel never trip it. */
describe('login limits under concurrency', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('lets twenty concurrent logins of one user with the right password all succeed', async () => {
    const user = await registerUser(platform);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        platform.gql<Errors>(LOGIN, { e: user.email, p: user.password }),
      ),
    );
    expect(responses.map((r) => r.body.errors?.[0].extensions?.code ?? 'OK')).toEqual(
      Array(20).fill('OK'),
    );
  });

  it('refuses the right password after ten concurrent wrong ones, with retryAfter', async () => {
    const user = await registerUser(platform);
    const wrong = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        platform.gql<Errors>(LOGIN, { e: user.email, p: `wrong guess ${i}` }),
      ),
    );
    expect(wrong.map((r) => r.body.errors?.[0].extensions?.code)).toEqual(
      Array(10).fill('INVALID_CREDENTIALS'),
    );
    const right = await platform.gql<Errors>(LOGIN, { e: user.email, p: user.password });
    expect(right.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(right.body.errors?.[0].extensions?.retryAfter as number).toBeGreaterThan(0);
  });
});
