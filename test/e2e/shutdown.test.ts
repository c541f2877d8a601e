import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServiceToken, serviceTokenEntry } from '@bastion/platform';
import {
  CHILD_READY_MS,
  PLATFORM_SETUP_MS,
  eventually,
  platformPorts,
  postGraphQL,
  registrationLoad,
  spawnMain,
  testEnv,
  type ChildRun,
  type Outcome,
} from '@bastion/testing';

const MAIN = 'all-in-one/dist/main.js';
const PASSWORD = 'shutdown under load';

/** Requests that never got a whole HTTP response; none is allowed. */
const cut = (outcomes: Outcome[]) => outcomes.filter((o) => o.socketError !== undefined);

/**
 * `npm start`'s process for real, stopped by SIGTERM while clients keep registering: nothing in
 * flight is cut, nothing a client saw succeed is lost, and the data directory belongs to one
 * process at a time.
 */
describe('the all-in-one process, stopped and started on one DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-shutdown-'));
  const token = generateServiceToken();
  const running: ChildRun[] = [];
  let env: Record<string, string | undefined>;
  let gatewayUrl: string;
  let internalUrl: string;
  let outcomes: Outcome[] = [];
  let current: ChildRun;

  const portsEnv = async (): Promise<Record<string, string>> => {
    const ports = await platformPorts();
    return { ...ports, GATEWAY_INTERNAL_URL: `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql` };
  };
  const start = async (): Promise<ChildRun> => {
    const ports = await portsEnv();
    env = { ...env, ...ports };
    gatewayUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    internalUrl = `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`;
    const run = spawnMain(MAIN, env);
    running.push(run);
    current = run;
    await eventually(async () => {
      expect(run.child.exitCode).toBeNull();
      expect((await fetch(gatewayUrl.replace('/graphql', '/ready'))).status).toBe(200);
    }, CHILD_READY_MS);
    return run;
  };
  const userExists = async (email: string) => {
    const response = await postGraphQL<{ userByEmail: { email: string } | null }>(
      internalUrl,
      'query ($e: String!) { userByEmail(email: $e) { email } }',
      { e: email },
      { headers: { 'x-service-token': token } },
    );
    expect(response.body.errors).toBeUndefined();
    return response.body.data?.userByEmail?.email === email;
  };

  beforeAll(() => {
    env = {
      ...process.env,
      ...testEnv(),
      DATABASE_URL: undefined,
      NATS_URL: undefined,
      REDIS_URL: undefined,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      APOLLO_TELEMETRY_DISABLED: 'true',
      SHUTDOWN_TIMEOUT: '20',
      RATE_LIMIT_AUTH_PER_IP: '100000',
      COST_BUDGET_PER_MINUTE: '100000000',
      SERVICE_TOKENS: JSON.stringify([serviceTokenEntry('test', ['users:read'], token)]),
    };
  }, PLATFORM_SETUP_MS);
  afterAll(() => {
    for (const run of running)
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it(
    'on SIGTERM under load answers every request in flight, keeps every success and exits 0',
    async () => {
      const first = await start();
      const load = registrationLoad(gatewayUrl, {
        concurrency: 20,
        password: PASSWORD,
        prefix: 'sigterm',
      });
      await eventually(
        async () =>
          expect(load.outcomes.filter((o) => o.registered).length).toBeGreaterThanOrEqual(20),
        60_000,
      );
      const stopped = load.stop();
      first.child.kill('SIGTERM');
      await stopped;
      outcomes = [...load.outcomes];
      expect(cut(outcomes)).toEqual([]);
      expect(await first.exited).toBe(0);
    },
    PLATFORM_SETUP_MS,
  );

  it(
    'after a restart holds every registration a client saw succeed, and none a client saw fail',
    async () => {
      await start();
      for (const outcome of outcomes)
        expect([outcome.email, await userExists(outcome.email)]).toEqual([
          outcome.email,
          outcome.registered,
        ]);
    },
    PLATFORM_SETUP_MS,
  );

  it(
    'refuses a second process on the same DATA_DIR in one line naming the first pid; the first keeps serving',
    async () => {
      const first = current;
      const second = spawnMain(MAIN, { ...env, ...(await portsEnv()) });
      running.push(second);
      expect(await second.exited).toBe(1);
      const lines = second.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`pid ${first.child.pid}`);
      expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+/);
      expect(await userExists(outcomes.find((o) => o.registered)!.email)).toBe(true);
    },
    PLATFORM_SETUP_MS,
  );

  it(
    'takes over the lock of a process killed with -9, with the data intact',
    async () => {
      const first = current;
      first.child.kill('SIGKILL');
      await first.exited;
      const next = await start();
      expect(await userExists(outcomes.find((o) => o.registered)!.email)).toBe(true);
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    },
    PLATFORM_SETUP_MS,
  );
});
