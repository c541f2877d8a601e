import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBGRAPHS } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  ROOT,
  dropRunState,
  eventually,
  platformPorts,
  postGraphQL,
  stopChildren,
  testEnv,
  uniqueEmail,
  uniqueSuffix,
} from '@bastion/testing';

/**
 * A developer starting the services one by one (`npm run start:gateway`, `npm run start:service --
 * <name>`) from one working directory, with nothing configured but the storage: no JWT_SECRET, no
 * claims key, no service tokens. They agree on keys and tokens kept under DATA_DIR, and the
 * gateway prints a development service token for the internal listener.
 */
describe('services started one by one in development, nothing configured', () => {
  const children: ChildProcess[] = [];
  const suffix = uniqueSuffix();
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-dev-processes-'));
  let env: Record<string, string | undefined>;
  let gatewayUrl: string;
  let internalUrl: string;
  let gatewayOutput = '';

  beforeAll(async () => {
    const ports = await platformPorts();
    gatewayUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    internalUrl = `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`;
    const { JWT_SECRET: _key, INTERNAL_CLAIMS_SECRET: _claims, ...storage } = testEnv();
    env = {
      PATH: process.env.PATH,
      ...storage,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      DATA_DIR: dataDir,
      APOLLO_TELEMETRY_DISABLED: 'true',
      NODE_OPTIONS: '',
      SCHEMA_SUFFIX: suffix,
      NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
      REDIS_KEY_PREFIX: `bastion:${suffix}:`,
      ...ports,
      GATEWAY_INTERNAL_URL: internalUrl,
      // The gateway's own mail pages are under test here (with the console on, links land in it).
      CONSOLE: 'off',
    };
    const mains = [...SUBGRAPHS.map((s) => `${s.folder}/${s.main}`), 'gateway/dist/main.js'];
    for (const main of mains) {
      const child = spawn(process.execPath, [main], {
        cwd: ROOT,
        env: env as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (main.startsWith('gateway'))
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (gatewayOutput += chunk));
      else child.stdout!.resume();
      children.push(child);
    }
    await eventually(async () => {
      const ready = await fetch(gatewayUrl.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
    }, 240_000); // five Node processes starting at once on a loaded 2-core machine
  }, 300_000);

  afterAll(async () => {
    await stopChildren(children);
    rmSync(dataDir, { recursive: true, force: true });
    await dropRunState(env, suffix);
  }, PLATFORM_SETUP_MS);

  it('signs in through the gateway, auth reaches orgs with its own token, and the printed token opens the internal listener', async () => {
    // Auth and the gateway agree on the access-token key neither was given.
    const email = uniqueEmail('devprocess');
    const registered = await postGraphQL<{
      register: { accessToken: string; user: { id: string } };
    }>(
      gatewayUrl,
      'mutation ($e: String!) { register(input: { email: $e, password: "separate processes" }) { accessToken user { id } } }',
      { e: email },
    );
    const { accessToken, user } = registered.body.data!.register;
    expect(
      (await postGraphQL(gatewayUrl, '{ me { email } }', {}, { token: accessToken })).body.data,
    ).toEqual({ me: { email } });

    // Auth asks orgs through the gateway's internal listener with AUTH_SERVICE_TOKEN: an unknown
    // organization is NOT_FOUND, which only orgs' answer can give (a refused token would be
    // UPSTREAM_UNAVAILABLE).
    const switched = await postGraphQL(
      gatewayUrl,
      'mutation ($o: ID) { switchOrganization(organizationId: $o) { accessToken } }',
      { o: randomUUID() },
      { token: accessToken },
    );
    expect(switched.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // The gateway's start printed a development token with every scope.
    const record = gatewayOutput
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { developmentServiceToken?: string })
      .find((r) => r.developmentServiceToken);
    expect(record?.developmentServiceToken).toMatch(/^bst_/);
    const internal = await postGraphQL(
      internalUrl,
      'query ($id: ID!) { user(id: $id) { email } }',
      { id: user.id },
      { headers: { 'x-service-token': record!.developmentServiceToken! } },
    );
    expect(internal.body.data).toEqual({ user: { email } });
    const refused = await postGraphQL(
      internalUrl,
      'query ($id: ID!) { user(id: $id) { email } }',
      { id: user.id },
      { headers: { 'x-service-token': 'bst_not-a-token-anyone-was-given' } },
    );
    expect(refused.body.data?.user ?? null).toBeNull();
  });

  it("auth's mail, sent from its own process, is in the gateway's inbox with a link to the gateway that verifies", async () => {
    const email = uniqueEmail('devinbox');
    const registered = await postGraphQL<{ register: { accessToken: string } }>(
      gatewayUrl,
      'mutation ($e: String!) { register(input: { email: $e, password: "separate processes" }) { accessToken } }',
      { e: email },
    );
    expect(registered.body.errors).toBeUndefined();
    const origin = new URL(gatewayUrl).origin;
    const link = await eventually(async () => {
      const html = await (await fetch(`${origin}/dev/inbox`)).text();
      const article = html.split('<article>').find((a) => a.includes(`<dd>${email}</dd>`));
      const href = /<a href="([^"]+)">/.exec(article ?? '')?.[1];
      expect(href?.startsWith(`${origin}/verify-email?token=`)).toBe(true);
      return href!;
    });
    expect((await fetch(link)).status).toBe(200);
    const login = await postGraphQL<{ login: { accessToken: string } }>(
      gatewayUrl,
      'mutation ($e: String!) { login(email: $e, password: "separate processes") { accessToken } }',
      { e: email },
    );
    const me = await postGraphQL(
      gatewayUrl,
      '{ me { emailVerified } }',
      {},
      { token: login.body.data!.login.accessToken },
    );
    expect(me.body.data).toEqual({ me: { emailVerified: true } });
  });
});
