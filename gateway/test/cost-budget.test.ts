import { SCOPES, loadConfig, serviceTokenEntry } from '@bastion/platform';
import { gatewayConfigSchema, startGateway, type RunningGateway } from '@bastion/gateway';
import {
  PLATFORM_SETUP_MS,
  postGraphQL,
  registerUser,
  startTestPlatform,
  testEnv,
  type TestPlatform,
} from '@bastion/testing';

const BUDGET = { COST_BUDGET_PER_MINUTE: '500', TRUST_PROXY: 'loopback' };
// me 1 + credits 1 + transactions (1 + 100 edges x (Edge 1 + node 1)) = 203: two fit in 500, a third does not.
const EXPENSIVE = '{ me { credits { transactions(first: 100) { edges { node { id } } } } } }';
const EXPENSIVE_COST = 1 + 1 + (1 + 100 * (1 + 1));
// aiModels 10 (assumedSize) x 1 + creditPackages 10 (assumedSize) x 1 = 20: 25 fit in 500.
const ANONYMOUS = '{ aiModels { id } creditPackages { id } }';
const ANONYMOUS_COST = 10 * 1 + 10 * 1;

describe('per-caller cost budget', () => {
  let platform: TestPlatform;
  let replica: RunningGateway | undefined;

  beforeAll(async () => {
    platform = await startTestPlatform(BUDGET);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await replica?.stop();
    await platform.stop();
  }, PLATFORM_SETUP_MS);

  const expectThrottled = (response: Awaited<ReturnType<typeof postGraphQL>>) => {
    expect(response.status).toBe(429);
    const extensions = response.body.errors?.[0].extensions;
    expect(extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(extensions?.retryAfter).toEqual(expect.any(Number));
    expect(extensions!.retryAfter as number).toBeGreaterThanOrEqual(1);
    expect(extensions!.retryAfter as number).toBeLessThanOrEqual(60);
    expect(response.headers.get('retry-after')).toBe(String(extensions!.retryAfter));
  };

  it("throttles one user's repeated expensive queries while another user's cheap query answers", async () => {
    const [spender, other] = [await registerUser(platform), await registerUser(platform)];
    expect(2 * EXPENSIVE_COST).toBeLessThanOrEqual(500);
    expect(3 * EXPENSIVE_COST).toBeGreaterThan(500);
    for (let i = 0; i < 2; i += 1)
      expect((await platform.gql(EXPENSIVE, {}, { token: spender.accessToken })).status).toBe(200);
    expectThrottled(await platform.gql(EXPENSIVE, {}, { token: spender.accessToken }));
    const cheap = await platform.gql<{ me: { id: string } }>(
      '{ me { id } }',
      {},
      { token: other.accessToken },
    );
    expect(cheap.body.data?.me.id).toBe(other.id);
  });

  it('budgets anonymous callers by client address', async () => {
    const from = (address: string) =>
      platform.gql(ANONYMOUS, {}, { headers: { 'x-forwarded-for': address } });
    let answered = 0;
    for (;;) {
      const response = await from('198.51.100.7');
      if (response.status !== 200) {
        expectThrottled(response);
        break;
      }
      answered += 1;
      if (answered > 100) throw new Error('never throttled');
    }
    expect(answered).toBe(500 / ANONYMOUS_COST);
    expect((await from('198.51.100.8')).status).toBe(200);
  });

  it('shares the budget between gateway instances through Redis (each counts its own without it)', async () => {
    const config = {
      ...loadConfig(gatewayConfigSchema, testEnv(BUDGET)),
      PORT: 0,
      INTERNAL_PORT: 0,
    };
    const { auth, orgs, credits, ai } = platform;
    replica = await startGateway(config, {
      ...platform.deps,
      extraServiceTokens: [
        serviceTokenEntry('development', [...SCOPES], platform.devServiceToken!),
      ],
      subgraphUrls: { auth: auth.url, orgs: orgs.url, credits: credits.url, ai: ai.url },
    });
    const spender = await registerUser(platform);
    for (let i = 0; i < 2; i += 1)
      expect(
        (await postGraphQL(replica.url, EXPENSIVE, {}, { token: spender.accessToken })).status,
      ).toBe(200);
    const third = await platform.gql(EXPENSIVE, {}, { token: spender.accessToken });
    if (platform.deps.redis) expectThrottled(third);
    else expect(third.status).toBe(200);
  });
});
