import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsBus, createLogger } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  ChildPlatform,
  dropSchemas,
  eventually,
  platformPorts,
  postGraphQL,
  testEnv,
  uniqueSuffix,
} from '@bastion/testing';

const stack = process.env.DATABASE_URL
  ? 'PostgreSQL + NATS + Redis'
  : 'embedded PGlite + database bus';
const PASSWORD = 'crash test password';

/**
 * The platform is killed -9 in the middle of a burst of registrations, then started again on the
 * same data: every user whose registration committed (certainly every one the client saw
 * succeed) gets its signup grant, exactly once. The event that carries it sat in auth's outbox,
 * or on the bus, or half-consumed: none of those may lose it or apply it twice.
 */
describe(`kill -9 during a registration burst (${stack})`, () => {
  const suffix = uniqueSuffix();
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-crash-'));
  let platform: ChildPlatform;

  beforeAll(async () => {
    const isolation = process.env.DATABASE_URL
      ? {
          SCHEMA_SUFFIX: suffix,
          NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
          REDIS_KEY_PREFIX: `bastion:${suffix}:`,
        }
      : { DATABASE_URL: undefined, NATS_URL: undefined, REDIS_URL: undefined, DATA_DIR: dataDir };
    const env = {
      ...testEnv(isolation),
      ...(await platformPorts()),
      LOG_LEVEL: 'warn',
      PATH: process.env.PATH,
    };
    platform = new ChildPlatform(
      Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
    );
    await platform.start();
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.DATABASE_URL) return;
    await dropSchemas(process.env.DATABASE_URL, suffix);
    if (process.env.NATS_URL) {
      const bus = await NatsBus.connect({
        url: process.env.NATS_URL,
        stream: `BASTION_${suffix.toUpperCase()}`,
        logger: createLogger({ name: 't', level: 'silent' }),
      });
      await bus.destroyStream();
      await bus.close();
    }
  }, PLATFORM_SETUP_MS);

  it(
    'leaves every committed user with exactly one signup grant after a restart',
    async () => {
      const attempted: string[] = [];
      const acknowledged = new Set<string>();
      let crashed = false;
      let crash: Promise<unknown> | undefined;
      const worker = async () => {
        while (!crashed) {
          const email = `crash-${suffix}-${attempted.length}@example.com`;
          attempted.push(email);
          const response = await postGraphQL<{ register: { accessToken: string } }>(
            platform.url,
            'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { accessToken } }',
            { e: email, p: PASSWORD },
          ).catch(() => undefined);
          if (response?.body.data?.register.accessToken) acknowledged.add(email);
          // Kill while registrations are in flight and their grants are still on their way.
          if (acknowledged.size >= 25 && !crashed) {
            crashed = true;
            crash = platform.signal('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await crash;
      expect(acknowledged.size).toBeGreaterThanOrEqual(25);

      await platform.start();
      let complete = 0;
      for (const email of attempted) {
        const login = await postGraphQL<{ login: { accessToken: string } }>(
          platform.url,
          'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
          { e: email, p: PASSWORD },
        );
        const token = login.body.data?.login.accessToken;
        if (acknowledged.has(email)) expect(token).toEqual(expect.any(String));
        if (!token) continue; // never committed: the client cannot have been told it exists
        await eventually(async () => {
          const me = await postGraphQL<{
            me: {
              credits: {
                balance: number;
                transactions: { edges: { node: { type: string; amount: number } }[] };
              } | null;
            };
          }>(
            platform.url,
            '{ me { credits { balance transactions(first: 10) { edges { node { type amount } } } } } }',
            {},
            { token },
          );
          expect(me.body.data?.me.credits).toEqual({
            balance: 100,
            transactions: { edges: [{ node: { type: 'GRANT', amount: 100 } }] },
          });
        }, 30_000);
        complete += 1;
      }
      expect(complete).toBeGreaterThanOrEqual(acknowledged.size);
    },
    PLATFORM_SETUP_MS,
  ); // restarts the killed process
});
