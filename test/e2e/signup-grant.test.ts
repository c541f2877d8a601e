import { randomUUID } from 'node:crypto';
import { schemaOf, type EventEnvelope } from '@bastion/platform';
import { eventually, registerUser, startTestPlatform, type TestPlatform } from '@bastion/testing';

const ME = `{ me { id email credits { balance transactions(first: 10) { edges { node { type amount balanceAfter } } } } } }`;

interface MeData {
  me: {
    id: string;
    email: string;
    credits: {
      balance: number;
      transactions: { edges: { node: { type: string; amount: number } }[] };
    } | null;
  };
}

describe('register -> USER_CREATED -> credits grant', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ CREDITS_SIGNUP_GRANT: '100' });
  });
  afterAll(() => platform.stop());

  async function creditsOf(token: string) {
    const response = await platform.gql<MeData>(ME, {}, { token });
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.me;
  }

  it('shows the new user their email and the sign-up grant in me', async () => {
    const user = await registerUser(platform);
    const me = await eventually(async () => {
      const result = await creditsOf(user.accessToken);
      expect(result.credits?.balance).toBe(100);
      return result;
    });
    expect(me.email).toBe(user.email);
    expect(me.credits!.transactions.edges).toEqual([
      { node: { type: 'GRANT', amount: 100, balanceAfter: 100 } },
    ]);
  });

  it('grants once when the event is delivered three times', async () => {
    const user = await registerUser(platform);
    await eventually(async () =>
      expect((await creditsOf(user.accessToken)).credits?.balance).toBe(100),
    );
    const schema = schemaOf(platform.auth.dataSource);
    const [row] = await platform.auth.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${schema}.outbox WHERE type = 'USER_CREATED' AND data->>'userId' = $1`,
      [user.id],
    );
    const event: EventEnvelope = {
      id: row.id,
      type: 'USER_CREATED',
      occurredAt: new Date(row.occurred_at).toISOString(),
      source: 'auth',
      data: row.data,
    };
    await platform.credits.services.handleUserEvent(event);
    await platform.credits.services.handleUserEvent(event);
    await platform.deps.bus.publish(event);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const me = await creditsOf(user.accessToken);
    expect(me.credits!.balance).toBe(100);
    expect(me.credits!.transactions.edges).toHaveLength(1);
  });

  it('delivers after a crash between commit and publish, once the relay runs again', async () => {
    await platform.auth.relay.stop();
    const user = await registerUser(platform);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await creditsOf(user.accessToken)).credits).toBeNull();
    const schema = schemaOf(platform.auth.dataSource);
    const pending = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`,
    );
    expect(pending[0].n).toBeGreaterThanOrEqual(1);
    platform.auth.relay.start();
    await eventually(async () =>
      expect((await creditsOf(user.accessToken)).credits?.balance).toBe(100),
    );
  });

  it('sets a malformed USER_CREATED aside (counted on /metrics) and grants the next registration', async () => {
    // The gateway's /metrics, and the credits subgraph listener's (what a separate process shows).
    const metric = async (url = platform.gateway.internalUrl) => {
      const text = await (await fetch(new URL('/metrics', url))).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('bastion_events_set_aside_total{consumer="credits",type="USER_CREATED"}'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await metric();
    const beforeOnCredits = await metric(platform.credits.url);
    // A producer that skipped the catalog: userId is no id. The credits group must not stall on it.
    await platform.deps.bus.publish({
      id: randomUUID(),
      type: 'USER_CREATED',
      occurredAt: new Date().toISOString(),
      source: 'auth',
      data: { userId: 'not-a-user', email: 'x@example.com', displayName: null },
    });
    const user = await registerUser(platform);
    await eventually(async () =>
      expect((await creditsOf(user.accessToken)).credits?.balance).toBe(100),
    );
    expect(await metric()).toBe(before + 1);
    expect(await metric(platform.credits.url)).toBe(beforeOnCredits + 1);
  });
});
