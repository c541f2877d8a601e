import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startPrivateNats,
  startTestPlatform,
  type PrivateService,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const OUTAGE_MS = 60_000;
const CREDITS =
  '{ me { credits { balance transactions(first: 10) { edges { node { type amount } } } } } }';
const ONE_GRANT = {
  balance: 100,
  transactions: { edges: [{ node: { type: 'GRANT', amount: 100 } }] },
};

/**
 * NATS away for a minute (the client's default reconnect attempts gave up after ~20 s, and the
 * bus stayed dead until a restart): registrations keep committing with their events in the outbox,
 * /ready says the bus is down, and when NATS is back the backlog drains by itself, each event
 * consumed once.
 */
describe('NATS down for a minute', () => {
  let nats: PrivateService;
  let platform: TestPlatform;

  beforeAll(async () => {
    nats = await startPrivateNats();
    platform = await startTestPlatform({ NATS_URL: nats.url });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop().catch(() => undefined);
    await nats?.destroy();
  }, PLATFORM_SETUP_MS);

  const ready = async () => {
    const response = await fetch(platform.gateway.url.replace('/graphql', '/ready'));
    return { status: response.status, body: (await response.json()) as { failing?: string[] } };
  };
  const credits = async (user: TestUser) =>
    (await platform.gql<{ me: { credits: unknown } }>(CREDITS, {}, { token: user.accessToken }))
      .body.data?.me.credits;

  it('keeps the events of registrations made meanwhile and delivers each once when NATS is back', async () => {
    const before = await registerUser(platform);
    await eventually(async () => expect(await credits(before)).toEqual(ONE_GRANT));

    await nats.stop();
    await eventually(async () =>
      expect(await ready()).toEqual({
        status: 503,
        body: expect.objectContaining({ failing: ['bus'] }),
      }),
    );
    const during: TestUser[] = [];
    for (let i = 0; i < 5; i += 1) during.push(await registerUser(platform));
    for (const user of during) expect(await credits(user)).toBeNull(); // the grant waits in auth's outbox

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage itself, not a wait for a condition
    expect((await ready()).status).toBe(503);
    for (let i = 0; i < 3; i += 1) during.push(await registerUser(platform));

    await nats.start();
    await eventually(async () => expect((await ready()).status).toBe(200), 30_000);
    for (const user of during)
      await eventually(async () => expect(await credits(user)).toEqual(ONE_GRANT), 30_000);
    // Nothing already consumed came back a second time: checked once a registration made after
    // the outage (later in the same stream) has been handled.
    const after = await registerUser(platform);
    await eventually(async () => expect(await credits(after)).toEqual(ONE_GRANT));
    expect(await credits(before)).toEqual(ONE_GRANT);
  }, 180_000);
});
