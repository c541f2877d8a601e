import argon2 from 'argon2';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
type Errors = { errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (r: { body: Errors }) => r.body.errors?.[0].extensions?.code ?? 'OK';

const MAX_QUEUE = 3;
const MAX_CONCURRENT = 2;
const STORM = 40;

/**
 * Wrong logins from rotating client addresses (a trusted proxy's X-Forwarded-For) pass the
 * per-address limit; what bounds their argon2 work is the hasher's line, ARGON2_MAX_QUEUE.
 */
describe('password hashing under a storm of wrong logins', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({
      TRUST_PROXY: 'loopback',
      ARGON2_MAX_QUEUE: String(MAX_QUEUE),
      ARGON2_MAX_CONCURRENT: String(MAX_CONCURRENT),
      // Production's cost (test runs default to the cheapest), so checks overlap as they would.
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
    });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('never runs more than ARGON2_MAX_CONCURRENT hashes nor queues more than ARGON2_MAX_QUEUE checks; the others get RATE_LIMITED with retryAfter', async () => {
    const hasher = platform.auth.services.hasher;
    // argon2 itself, as the hasher calls it: how many checks are inside it at once.
    let inside = 0;
    let mostInside = 0;
    const verify = argon2.verify.bind(argon2);
    const spy = jest.spyOn(argon2, 'verify').mockImplementation(async (...args) => {
      inside += 1;
      mostInside = Math.max(mostInside, inside);
      try {
        return await verify(...args);
      } finally {
        inside -= 1;
      }
    });
    let mostWaiting = 0;
    const sample = setInterval(() => {
      mostWaiting = Math.max(mostWaiting, hasher.stats().waiting);
    }, 1);
    const responses = await Promise.all(
      Array.from({ length: STORM }, (_, i) =>
        platform.gql<Errors>(
          LOGIN,
          { e: `storm-${i}-${platform.suffix}@example.com`, p: `guess ${i}` },
          { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } },
        ),
      ),
    );
    clearInterval(sample);
    spy.mockRestore();
    expect(mostWaiting).toBeLessThanOrEqual(MAX_QUEUE);
    // ARGON2_MAX_CONCURRENT bounds the hashes at once, and the storm filled every slot.
    expect(mostInside).toBe(MAX_CONCURRENT);
    const codes = responses.map(codeOf);
    const refused = responses.filter((r) => codeOf(r) === 'RATE_LIMITED');
    // Every response is one of the two, and the line was full at least once.
    expect(codes.filter((c) => c !== 'INVALID_CREDENTIALS' && c !== 'RATE_LIMITED')).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.errors?.[0].message).toMatch(/password checks are waiting/);
      expect(r.body.errors?.[0].extensions?.retryAfter as number).toBeGreaterThanOrEqual(1);
    }
    expect(hasher.stats()).toEqual({ running: 0, waiting: 0 });
  }, 120_000);

  it('answers INTERNAL_SERVER_ERROR when argon2 fails, and does not count it toward the lockout', async () => {
    const user = await registerUser(platform);
    const users = `${schemaOf(platform.auth.dataSource)}.users`;
    const [{ password_hash: good }] = await platform.auth.dataSource.query<
      { password_hash: string }[]
    >(`SELECT password_hash FROM ${users} WHERE id = $1`, [user.id]);
    await platform.auth.dataSource.query(`UPDATE ${users} SET password_hash = $2 WHERE id = $1`, [
      user.id,
      '$argon2id$v=19$m=19456,t=2,p=1$corrupt!$corrupt!',
    ]);
    // More than the ten failures that would lock the email, had they counted.
    const codes: unknown[] = [];
    for (let i = 0; i < 12; i += 1)
      codes.push(codeOf(await platform.gql<Errors>(LOGIN, { e: user.email, p: user.password })));
    expect(codes).toEqual(Array(12).fill('INTERNAL_SERVER_ERROR'));
    await platform.auth.dataSource.query(`UPDATE ${users} SET password_hash = $2 WHERE id = $1`, [
      user.id,
      good,
    ]);
    const login = await platform.gql<Errors>(LOGIN, { e: user.email, p: user.password });
    expect(codeOf(login)).toBe('OK');
  }, 120_000);
});
