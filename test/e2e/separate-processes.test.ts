import { spawn, type ChildProcess } from 'node:child_process';
import { SUBGRAPHS, generateServiceToken, serviceTokenEntry, SCOPES } from '@bastion/platform';
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
 * docker-compose's mode without Docker: each service of the registry built and started as its own
 * process from its own main, on the configured database, bus and cache, on ports of its own and no URLs. The grant crosses processes on either
 * bus; with Redis so does revocation.
 */
describe('every service as its own process', () => {
  const children: ChildProcess[] = [];
  const suffix = uniqueSuffix();
  const token = generateServiceToken();
  let env: Record<string, string | undefined>;
  let gatewayUrl: string;
  let internalUrl: string;

  beforeAll(async () => {
    // Ports other than the registry's defaults, and no <NAME>_URL: the gateway finds each subgraph
    // on the loopback address at the port that subgraph was given.
    const ports = await platformPorts();
    for (const entry of SUBGRAPHS) expect(Number(ports[entry.portVar])).not.toBe(entry.port);
    gatewayUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    internalUrl = `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`;
    env = {
      ...process.env,
      ...testEnv(),
      LOG_LEVEL: 'warn',
      APOLLO_TELEMETRY_DISABLED: 'true',
      NODE_OPTIONS: '',
      SCHEMA_SUFFIX: suffix,
      NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
      REDIS_KEY_PREFIX: `bastion:${suffix}:`,
      SERVICE_TOKENS: JSON.stringify([serviceTokenEntry('test', [...SCOPES], token)]),
      ...ports,
      GATEWAY_INTERNAL_URL: internalUrl,
    };
    for (const entry of SUBGRAPHS) {
      delete env[entry.urlVar];
      if (entry.serviceToken) env[entry.serviceToken.var] = token;
    }
    // Secrets per service, as in docker-compose.yml: only auth and the gateway get the access-token key.
    const { JWT_SECRET: _key, PASSWORD_PEPPER: _pepper, ...withoutTokenKeys } = env;
    const mains = [
      ...SUBGRAPHS.map((s) => ({ name: s.name, main: `${s.folder}/${s.main}` })),
      { name: 'gateway', main: 'gateway/dist/main.js' },
    ];
    for (const { name, main } of mains) {
      const own = name === 'auth' || name === 'gateway' ? env : withoutTokenKeys;
      const child = spawn(process.execPath, [main], {
        cwd: ROOT,
        env: own,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
    }
    await eventually(async () => {
      const ready = await fetch(gatewayUrl.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
    }, 240_000); // five Node processes starting at once on a loaded 2-core machine
  }, 300_000);

  afterAll(async () => {
    await stopChildren(children);
    await dropRunState(env, suffix);
  }, PLATFORM_SETUP_MS);

  it('registers through the gateway and reads the user back over the internal listener', async () => {
    const email = uniqueEmail('process');
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
    const internal = await postGraphQL(
      internalUrl,
      'query ($id: ID!) { user(id: $id) { email } }',
      { id: user.id },
      { headers: { 'x-service-token': token } },
    );
    expect(internal.body.data).toEqual({ user: { email } });

    // The grant crosses processes on either bus: NATS, or the database bus without it.
    await eventually(async () => {
      const me = await postGraphQL<{ me: { credits: { balance: number } | null } }>(
        gatewayUrl,
        '{ me { credits { balance } } }',
        {},
        { token: accessToken },
      );
      expect(me.body.data?.me.credits?.balance).toBe(100);
    });
    if (process.env.REDIS_URL) {
      expect(
        (await postGraphQL(gatewayUrl, 'mutation { logoutAll }', {}, { token: accessToken })).body
          .data,
      ).toEqual({ logoutAll: true });
      expect(
        (await postGraphQL(gatewayUrl, '{ me { email } }', {}, { token: accessToken })).status,
      ).toBe(401);
    }
  });

  it('a page’s cookie mode (x-bastion-refresh-cookie) crosses from the gateway’s process to auth’s', async () => {
    const optIn = { 'x-bastion-refresh-cookie': '1' };
    const registered = await postGraphQL<{ register: { refreshToken: string | null } }>(
      gatewayUrl,
      'mutation ($e: String!) { register(input: { email: $e, password: "separate processes" }) { refreshToken } }',
      { e: uniqueEmail('process-cookie') },
      { headers: optIn },
    );
    expect(registered.body.data).toEqual({ register: { refreshToken: null } });
    const cookie = registered.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-bastion_refresh='));
    expect(cookie).toMatch(/HttpOnly/);
    const refreshed = await postGraphQL<{ refreshToken: { refreshToken: string | null } }>(
      gatewayUrl,
      'mutation { refreshToken { refreshToken } }',
      {},
      { headers: { ...optIn, cookie: cookie!.split(';')[0] } },
    );
    expect(refreshed.body).toEqual({ data: { refreshToken: { refreshToken: null } } });
  });
});
