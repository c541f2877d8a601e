import { createServer, request, type Server } from 'node:http';
import { SCOPES, loadConfig, serviceTokenEntry } from '@bastion/platform';
import {
  gatewayConfigSchema,
  startGateway,
  type GatewayDeps,
  type RunningGateway,
} from '@bastion/gateway';
import {
  PLATFORM_SETUP_MS,
  deleteRedisKeys,
  eventually,
  postGraphQL,
  registerUser,
  startTestPlatform,
  testEnv,
  type TestPlatform,
} from '@bastion/testing';

/**
 * More gateway replicas on the same bus and subgraphs, each with its own copy of the revocations
 * (none shares the platform's in-process list): they learn from broadcasts and from auth's tables.
 */
describe('gateway replicas', () => {
  let platform: TestPlatform;
  const replicas: RunningGateway[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  /** Another gateway; `redis: false` leaves it the bus and auth alone to learn from. */
  async function startReplica(options: {
    redis: boolean;
    authUrl?: string;
  }): Promise<RunningGateway> {
    const config = { ...loadConfig(gatewayConfigSchema, testEnv()), PORT: 0, INTERNAL_PORT: 0 };
    const { auth, orgs, credits, ai } = platform;
    const deps: GatewayDeps = {
      ...platform.deps,
      redis: options.redis ? platform.deps.redis : undefined,
      extraServiceTokens: [
        serviceTokenEntry('development', [...SCOPES], platform.devServiceToken!),
      ],
      subgraphUrls: {
        auth: options.authUrl ?? auth.url,
        orgs: orgs.url,
        credits: credits.url,
        ai: ai.url,
      },
    };
    const replica = await startGateway(config, deps);
    replicas.push(replica);
    return replica;
  }

  const me = (gateway: RunningGateway, token: string) =>
    postGraphQL<{ me: { id: string } }>(gateway.url, '{ me { id } }', {}, { token });
  const refusedWith = async (gateway: RunningGateway, token: string) => {
    const response = await me(gateway, token);
    return [response.status, response.body.errors?.[0].extensions?.code];
  };

  it('refuses at one replica a logout made through another, and a revoked service token', async () => {
    const other = await startReplica({ redis: false });
    const user = await registerUser(platform);
    expect((await me(other, user.accessToken)).body.data).toEqual({ me: { id: user.id } });
    await platform.gql('mutation ($r: String) { logout(refreshToken: $r) }', {
      r: user.refreshToken,
    });
    await eventually(async () =>
      expect(await refusedWith(other, user.accessToken)).toEqual([401, 'UNAUTHENTICATED']),
    );

    const admin = { headers: { 'x-service-token': platform.devServiceToken! } };
    const issued = await platform.internal<{ issueServiceToken: string }>(
      'mutation { issueServiceToken(name: "replica-reader", scopes: ["credits:read"]) }',
      {},
      admin,
    );
    const token = issued.body.data!.issueServiceToken;
    const balance = () =>
      postGraphQL(
        other.internalUrl,
        'query ($id: ID!) { creditBalance(userId: $id) }',
        { id: user.id },
        { token },
      );
    await eventually(async () => expect((await balance()).status).toBe(200));
    await platform.internal('mutation { revokeServiceToken(name: "replica-reader") }', {}, admin);
    await eventually(async () => expect((await balance()).status).toBe(401));
  });

  it('refuses a revoked API key at a second gateway at once, and after a restart', async () => {
    const user = await registerUser(platform, { verified: true });
    const create = async (name: string) => {
      const created = await platform.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        'mutation ($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
        { input: { name, capabilities: ['profile:read'] } },
        { token: user.accessToken },
      );
      return created.body.data!.createApiKey;
    };
    const withRedis = await startReplica({ redis: true });
    const busOnly = await startReplica({ redis: false });
    const doomed = await create('doomed');
    const kept = await create('kept');
    // Learnt from the API_KEY_CREATED broadcast.
    for (const gateway of [withRedis, busOnly])
      await eventually(async () =>
        expect((await me(gateway, doomed.key)).body.data).toEqual({ me: { id: user.id } }),
      );
    const revoked = await platform.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) }',
      { id: doomed.apiKey.id },
      { token: user.accessToken },
    );
    expect(revoked.body.data).toEqual({ revokeApiKey: true });
    // Auth wrote the hash to Redis before answering: a gateway reading it refuses at once.
    if (platform.deps.redis)
      expect(await refusedWith(withRedis, doomed.key)).toEqual([401, 'UNAUTHENTICATED']);
    // One with the bus alone hears the API_KEY_REVOKED broadcast.
    await eventually(async () =>
      expect(await refusedWith(busOnly, doomed.key)).toEqual([401, 'UNAUTHENTICATED']),
    );
    // A gateway started now (a restart) loads the live keys from auth: the revoked one is not there.
    const fresh = await startReplica({ redis: false });
    expect(await refusedWith(fresh, doomed.key)).toEqual([401, 'UNAUTHENTICATED']);
    expect((await me(fresh, kept.key)).body.data).toEqual({ me: { id: user.id } });
  });

  it('keeps revocations when Redis comes back empty, and a new replica loads them from auth', async () => {
    const withRedis = await startReplica({ redis: true });
    const user = await registerUser(platform);
    await platform.gql('mutation { logoutAll }', {}, { token: user.accessToken });
    await eventually(async () =>
      expect(await refusedWith(withRedis, user.accessToken)).toEqual([401, 'UNAUTHENTICATED']),
    );
    if (platform.deps.redis) {
      expect(
        await deleteRedisKeys(platform.deps.redis, `bastion:${platform.suffix}:`),
      ).toBeGreaterThan(0);
    }
    expect(await refusedWith(withRedis, user.accessToken)).toEqual([401, 'UNAUTHENTICATED']);
    const fresh = await startReplica({ redis: true });
    expect(await refusedWith(fresh, user.accessToken)).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('fails closed until it has loaded the revocations, then serves', async () => {
    const proxy = await lateProxy(platform.auth.url);
    const blind = await startReplica({ redis: false, authUrl: proxy.url });
    const user = await registerUser(platform);
    expect(await refusedWith(blind, user.accessToken)).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
    const ready = await fetch(new URL('/ready', blind.url));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing: string[] }).failing).toContain('revocations');
    // A configured service token needs no revocation state.
    const configured = await postGraphQL(
      blind.internalUrl,
      'query ($id: ID!) { creditBalance(userId: $id) }',
      { id: user.id },
      {
        headers: { 'x-service-token': platform.devServiceToken! },
      },
    );
    expect(configured.status).toBe(200);

    await proxy.open();
    try {
      await eventually(
        async () =>
          expect((await me(blind, user.accessToken)).body.data).toEqual({ me: { id: user.id } }),
        20_000,
      );
    } finally {
      await proxy.close();
    }
  });
});

/** A port that refuses connections until `open()`, then forwards every request to `target`. */
async function lateProxy(
  target: string,
): Promise<{ url: string; open(): Promise<void>; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    open: () => new Promise<void>((done) => server.listen(port, '127.0.0.1', done)),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
