import {
  eventually,
  registerUser,
  startPrivatePostgres,
  startTestPlatform,
  type PrivateService,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

jest.setTimeout(180_000);

/** How long PostgreSQL stays away: longer than a pool's connect timeout, as a real restart or failover. */
const OUTAGE_MS = 15_000;
/** The contract's codes for a request the platform could not serve (docs/api.md "Error codes"). */
const OUTAGE_CODES = ['INTERNAL_SERVER_ERROR', 'UPSTREAM_UNAVAILABLE'];
/** What must never reach a client: SQL, driver and socket errors, hosts and ports, stack frames. */
const DETAIL =
  /\b(select|insert|update|delete|relation|column|constraint|syntax|ECONN\w*|EPIPE|127\.0\.0\.1|localhost|postgres\w*|terminating|shutting down|typeorm|pg-pool|node_modules|stack(trace)?)\b|\.(ts|js):\d|\bat \S+ \(/i;

const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';
const ME = '{ me { id credits { balance } } }';
const PUBLIC = '{ creditPackages { id } aiModels { id } }';

interface Answer {
  operation: string;
  status: number;
  text: string;
  body?: { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

/**
 * PostgreSQL stopped for 15 s under logins and queries, then started again: each failed answer is
 * coded and bare, and the same platform process serves again once the database is back.
 */
describe('PostgreSQL down for 15 s under traffic', () => {
  let pg: PrivateService;
  let platform: TestPlatform;
  let user: TestUser;
  const answers: Answer[] = [];
  let isTrafficOn = true;
  let traffic: Promise<void>;

  async function send(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<Answer> {
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { operation, status: response.status, text, body };
  }

  const login = () => send('login', LOGIN, { email: user.email, password: user.password });
  const me = () => send('me', ME, {}, user.accessToken);
  const isRateLimited = (answer: Answer) =>
    answer.body?.errors?.some((error) => error.extensions?.code === 'RATE_LIMITED') ?? false;
  const isFailed = (answer: Answer) =>
    answer.status >= 400 || !answer.body || (answer.body.errors?.length ?? 0) > 0;

  async function worker(operations: (() => Promise<Answer>)[]): Promise<void> {
    for (let i = 0; isTrafficOn; i += 1) {
      answers.push(await operations[i % operations.length]());
      // Paced, not flat out: the machine is shared, and a few requests a second per kind suffice.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    // Every request here comes from 127.0.0.1: the per-address limits (auth's and the gateway's cost
    // budget) would answer before the database.
    platform = await startTestPlatform({
      DATABASE_URL: pg.url,
      RATE_LIMIT_AUTH_PER_IP: '1000000',
      COST_BUDGET_PER_MINUTE: '100000000',
    });
    user = await registerUser(platform);
  });
  afterAll(async () => {
    isTrafficOn = false;
    await traffic?.catch(() => undefined);
    if (pg && !pg.isRunning) await pg.start().catch(() => undefined);
    await platform?.stop();
    await pg?.destroy();
  });

  it('answers every request while it is down with a contract code and no detail', async () => {
    traffic = Promise.all([worker([login]), worker([me, () => send('public', PUBLIC, {})])]).then(
      () => undefined,
    );
    await eventually(async () =>
      expect(answers.filter((answer) => !isFailed(answer)).length).toBeGreaterThan(4),
    );
    const before = answers.length;
    const stoppedAt = Date.now();
    await pg.stop();
    await eventually(
      async () =>
        expect(
          answers
            .slice(before)
            .filter(isFailed)
            .map((a) => a.operation),
        ).toEqual(expect.arrayContaining(['login', 'me'])),
      OUTAGE_MS,
    );
    const ready = await fetch(platform.gateway.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(503);
    // Named by what is down (the database, and the database bus when there is no NATS), not by the services that use it.
    const readiness = (await ready.json()) as { status: string; failing: string[] };
    expect(readiness).toMatchObject({
      status: 'unavailable',
      failing: expect.arrayContaining(['database']),
    });
    expect(readiness.failing).not.toEqual(expect.arrayContaining(['auth']));
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))),
    );

    // RATE_LIMITED on a login is the lockout the last test rules out; everything else is checked here.
    const failed = answers.filter((answer) => isFailed(answer) && !isRateLimited(answer));
    expect(failed.length).toBeGreaterThan(0);
    for (const answer of failed) {
      expect({
        operation: answer.operation,
        codes: answer.body?.errors?.map((error) => error.extensions?.code),
      }).toEqual({
        operation: answer.operation,
        codes: expect.arrayContaining([
          expect.stringMatching(new RegExp(`^(${OUTAGE_CODES.join('|')})$`)),
        ]),
      });
      for (const error of answer.body?.errors ?? [])
        expect(OUTAGE_CODES).toContain(error.extensions?.code);
      expect(answer.text).not.toMatch(DETAIL);
      expect(answer.text).not.toContain(String(pg.port));
    }
  });

  it('serves again once it is back, without restarting the platform', async () => {
    await pg.start();
    const since = answers.length;
    await eventually(async () => {
      const recent = answers.slice(since);
      for (const operation of ['me', 'public']) {
        expect(
          recent.filter((answer) => answer.operation === operation && !isFailed(answer)).length,
        ).toBeGreaterThan(0);
      }
    }, 60_000);
    expect(isFailed(await me())).toBe(false);
    await eventually(async () =>
      expect((await fetch(platform.gateway.url.replace('/graphql', '/ready'))).status).toBe(200),
    );
    // Writes too, and a login on an account the outage's traffic never touched.
    const newcomer = await registerUser(platform);
    const answer = await send('login', LOGIN, {
      email: newcomer.email,
      password: newcomer.password,
    });
    expect(answer.body?.data).toEqual({ login: { accessToken: expect.any(String) } });
  });

  // A login the database failed is not a failed password check (auth's login limits).
  it('logs the right password in afterwards: the outage locked nobody out', async () => {
    isTrafficOn = false;
    await traffic;
    expect({ rateLimitedLogins: answers.filter(isRateLimited).length }).toEqual({
      rateLimitedLogins: 0,
    });
    const answer = await login();
    expect(answer.body?.errors).toBeUndefined();
    expect(answer.body?.data).toEqual({ login: { accessToken: expect.any(String) } });
  });
});
