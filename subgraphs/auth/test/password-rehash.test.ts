import argon2 from 'argon2';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

/** A hash made with weaker argon2 parameters than today's is redone on the next successful login. */
describe('password rehash on login', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '2' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('upgrades an old hash to the configured m and t, and the password keeps working', async () => {
    const user = await registerUser(platform);
    const table = `${schemaOf(platform.auth.dataSource)}.users`;
    const old = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 256,
      timeCost: 1,
      parallelism: 1,
    });
    await platform.auth.dataSource.query(`UPDATE ${table} SET password_hash = $2 WHERE id = $1`, [
      user.id,
      old,
    ]);

    const login = () =>
      platform.gql(
        'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: user.email, p: user.password },
      );
    expect((await login()).body.errors).toBeUndefined();
    const [after] = await platform.auth.dataSource.query(
      `SELECT password_hash FROM ${table} WHERE id = $1`,
      [user.id],
    );
    expect(after.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    expect((await login()).body.errors).toBeUndefined();
  });
});
