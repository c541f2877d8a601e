import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/**
 * logoutAll revokes every live session of the user in one transaction with a number of
 * statements that does not grow with the number of sessions (it was three per session, unbounded),
 * and still records each revocation and enqueues each SESSION_REVOKED event.
 */
describe('logoutAll with many sessions', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const s = () => schemaOf(platform.auth.dataSource);

  /** The user's one session copied `extra` times, as that many sign-ins would leave. */
  async function withSessions(user: TestUser, extra: number): Promise<void> {
    await platform.auth.dataSource.query(
      `INSERT INTO ${s()}.sessions
       SELECT (jsonb_populate_record(NULL::${s()}.sessions,
                 to_jsonb(x) || jsonb_build_object('id', gen_random_uuid()))).*
         FROM ${s()}.sessions x, generate_series(1, $2)
        WHERE x.user_id = $1`,
      [user.id, extra],
    );
  }

  /**
   * The statements of the transaction that revoked the sessions, from its START TRANSACTION to its
   * COMMIT (the outbox relay and other requests run on other connections at the same time).
   */
  async function revokingTransaction(work: () => Promise<unknown>): Promise<string[]> {
    const auth = platform.auth.dataSource;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      await work();
      const byRunner = new Map<unknown, string[]>();
      spy.mock.contexts.forEach((runner, i) => {
        if ((runner as PostgresQueryRunner).connection !== auth) return;
        if (!byRunner.has(runner)) byRunner.set(runner, []);
        byRunner.get(runner)!.push(spy.mock.calls[i][0]);
      });
      const transactions = [...byRunner.values()].flatMap((statements) => {
        const found: string[][] = [];
        let current: string[] | null = null;
        for (const sql of statements) {
          if (/^START TRANSACTION/i.test(sql)) current = [];
          current?.push(sql);
          if (/^COMMIT/i.test(sql) && current) {
            found.push(current);
            current = null;
          }
        }
        return found;
      });
      const revoking = transactions.filter((statements) =>
        statements.some((sql) => /sessions/i.test(sql) && /revoked_at/i.test(sql)),
      );
      expect(revoking).toHaveLength(1);
      return revoking[0];
    } finally {
      spy.mockRestore();
    }
  }

  async function logoutAll(user: TestUser) {
    const response = await platform.gql('mutation { logoutAll }', {}, { token: user.accessToken });
    expect(response.body).toEqual({ data: { logoutAll: true } });
  }

  it('sends as many statements for 60 sessions as for 1, and revokes, records and announces each', async () => {
    const one = await registerUser(platform);
    const many = await registerUser(platform);
    await withSessions(many, 59);
    const live = `SELECT id FROM ${s()}.sessions WHERE user_id = $1 AND revoked_at IS NULL`;
    const ids = (await platform.auth.dataSource.query(live, [many.id])) as { id: string }[];
    expect(ids).toHaveLength(60);

    const forOne = await revokingTransaction(() => logoutAll(one));
    const forMany = await revokingTransaction(() => logoutAll(many));
    expect(forMany.length).toBe(forOne.length);

    expect(await platform.auth.dataSource.query(live, [many.id])).toEqual([]);
    const recorded = (await platform.auth.dataSource.query(
      `SELECT subject_id FROM ${s()}.token_revocations WHERE kind = 'session' AND subject_id = ANY($1)`,
      [ids.map((row) => row.id)],
    )) as unknown[];
    expect(recorded).toHaveLength(60);
    const events = (await platform.auth.dataSource.query(
      `SELECT data FROM ${s()}.outbox WHERE type = 'SESSION_REVOKED' AND data->>'userId' = $1`,
      [many.id],
    )) as { data: Record<string, unknown> }[];
    expect(events.map((row) => row.data.sessionId).sort()).toEqual(ids.map((row) => row.id).sort());
    expect(events[0].data).toEqual({
      sessionId: expect.any(String),
      userId: many.id,
      reason: 'logout all',
    });
  });
});
