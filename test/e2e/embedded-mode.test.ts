import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '@bastion/all-in-one';
import { PLATFORM_SETUP_MS, eventually, postGraphQL, testEnv } from '@bastion/testing';

/**
 * `npm start`'s mode, for real: no DATABASE_URL, NATS_URL or REDIS_URL, so one embedded PGlite
 * under DATA_DIR and the in-process bus. Data survives a restart.
 */
describe('embedded mode (npm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-embedded-'));
  const env = testEnv({
    DATABASE_URL: undefined,
    NATS_URL: undefined,
    REDIS_URL: undefined,
    DATA_DIR: dataDir,
  });
  let platform: RunningPlatform | undefined;

  afterAll(async () => {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  // Two full starts of every service on embedded PGlite: generous on a loaded machine.
  it('registers, grants credits, and keeps the account across a restart', async () => {
    platform = await startPlatform(env, { ephemeralPorts: true });
    expect(platform.devServiceToken).toMatch(/^bst_/);
    const register = await postGraphQL<{ register: { accessToken: string } }>(
      platform.gateway.url,
      'mutation { register(input: { email: "embedded@example.com", password: "a long enough password" }) { accessToken } }',
    );
    const token = register.body.data!.register.accessToken;
    await eventually(async () => {
      const me = await postGraphQL<{ me: { credits: { balance: number } | null } }>(
        platform!.gateway.url,
        '{ me { credits { balance } } }',
        {},
        { token },
      );
      expect(me.body.data?.me.credits?.balance).toBe(100);
    });
    await platform.stop();
    platform = await startPlatform(env, { ephemeralPorts: true });
    const login = await postGraphQL<{ login: { user: { email: string } } }>(
      platform.gateway.url,
      'mutation { login(email: "embedded@example.com", password: "a long enough password") { user { email } } }',
    );
    expect(login.body.data?.login.user.email).toBe('embedded@example.com');
  }, 180_000);
});
