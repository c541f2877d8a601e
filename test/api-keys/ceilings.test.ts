import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  postGraphQL,
  startTestPlatform,
  type GraphQLResponse,
  type TestPlatform,
} from '@bastion/testing';
import { USE, asService, userWithAccount } from '../../subgraphs/credits/test/credits-client';
import { stream, type AiHarness } from '../../subgraphs/ai/test/ai-setup';

/**
 * Credit ceilings of personal API keys (README "API keys"), through the gateway with the key, on
 * the development model (no Gemini). Charges worked out by hand from the README's price table
 * (development-model: 1 per request, 50 per 1k input tokens, 100 per 1k output tokens; a token
 * is 4 characters, rounded up), never from the code under test:
 *
 *   prompt "hello world" (11 characters: 3 tokens), maxOutputTokens 10:
 *   hold   = 1 + ceil((3 * 50 + 10 * 100) / 1000) = 1 + ceil(1.15) = 3
 *   charge = the 10 output tokens delivered: also 3
 *
 * So each generation reserves 3 against the key's ceiling and keeps 3 there once settled.
 */
const GENERATE = `mutation ($input: GenerateTextInput!) { generateText(input: $input) { id creditsCharged } }`;
const INPUT = { model: 'development-model', prompt: 'hello world', maxOutputTokens: 10 };
const PER_GENERATION = 3;
const GRANT = 200;

const CREATE = `mutation ($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { id creditCeiling ceilingPeriod } } }`;

type Generated = GraphQLResponse<{ generateText: { id: string; creditsCharged: number } }>;

/** Today's and tomorrow's UTC midnight, from the ISO date. */
function utcDay(offsetDays = 0): string {
  const day = new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  return `${day}T00:00:00.000Z`;
}

describe('API key credit ceilings through the gateway (AI generations)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({
      CREDITS_SIGNUP_GRANT: String(GRANT),
      // Unset: the default catalog plus the development model, answering locally.
      GEMINI_API_KEY: '',
      AI_MODELS: '',
      // The per-user generation limits are not what these tests are about: 50 may run at once.
      AI_REQUESTS_PER_MINUTE: '1000',
      AI_CONCURRENT_GENERATIONS: '100',
    });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const createKey = async (token: string, input: Record<string, unknown>) => {
    const r = await platform.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      CREATE,
      { input },
      { token },
    );
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.createApiKey;
  };
  const generate = (key: string): Promise<Generated> =>
    postGraphQL(platform.gateway.url, GENERATE, { input: INPUT }, { token: key });
  const harness = () => ({ platform, responses: [] }) as unknown as AiHarness;
  const sql = <T>(query: string, params: unknown[]): Promise<T[]> =>
    platform.credits.dataSource.query(
      query.replaceAll('$schema', schemaOf(platform.credits.dataSource)),
      params,
    );
  const account = async (userId: string) => {
    const [row] = await sql<{ balance: number; held: number }>(
      'SELECT balance, held FROM $schema.credit_accounts WHERE user_id = $1',
      [userId],
    );
    return { balance: Number(row.balance), held: Number(row.held) };
  };
  const keySpending = async (keyId: string) =>
    (
      await sql<{ period_start: Date; held: number; charged: number }>(
        'SELECT period_start, held, charged FROM $schema.api_key_spending WHERE api_key_id = $1 ORDER BY period_start',
        [keyId],
      )
    ).map((r) => ({
      periodStart: new Date(r.period_start).toISOString(),
      held: Number(r.held),
      charged: Number(r.charged),
    }));
  /** What the ledger charged the user (USAGE entries) and the lowest balance it ever recorded. */
  const ledger = async (userId: string) => {
    const [row] = await sql<{ charged: number; lowest: number }>(
      `SELECT coalesce(-sum(amount) FILTER (WHERE type = 'USAGE'), 0)::int AS charged,
              min(balance_after)::int AS lowest
       FROM $schema.credit_transactions WHERE user_id = $1`,
      [userId],
    );
    return { charged: Number(row.charged), lowest: Number(row.lowest) };
  };
  const extensionsOf = (r: GraphQLResponse) => r.body.errors?.[0]?.extensions;

  it(
    '50 concurrent generations through a key with a ceiling: the ceiling is never passed, the balance never negative',
    async () => {
      const user = await userWithAccount(platform, GRANT, { verified: true });
      const ceiling = 100;
      const { key, apiKey } = await createKey(user.accessToken, {
        name: 'agent',
        capabilities: ['ai:generate'],
        creditCeiling: ceiling,
        ceilingPeriod: 'DAY',
      });
      // Read as each answer arrives, while the others still run: what the key has reserved and
      // been charged, and the account, never past the ceiling or below zero.
      const samples: { used: number; balance: number; available: number }[] = [];
      const sample = async () => {
        const [spent] = await keySpending(apiKey.id);
        const { balance, held } = await account(user.id);
        samples.push({ used: spent.held + spent.charged, balance, available: balance - held });
      };
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          generate(key).then(async (r) => {
            await sample();
            return r;
          }),
        ),
      );

      const passed = results.filter((r) => r.body.data?.generateText);
      const refused = results.filter((r) => r.body.errors);
      // floor(100 / 3) = 33 fit under the ceiling; the other 17 are refused for the key.
      expect(passed).toHaveLength(33);
      for (const r of passed) expect(r.body.data!.generateText.creditsCharged).toBe(PER_GENERATION);
      expect(refused).toHaveLength(17);
      for (const r of refused)
        expect(extensionsOf(r)).toMatchObject({
          code: 'INSUFFICIENT_CREDITS',
          reason: 'KEY_CEILING',
          ceiling,
          ceilingPeriod: 'DAY',
          resetsAt: utcDay(1),
        });

      expect(samples).toHaveLength(50);
      for (const s of samples) {
        expect(s.used).toBeLessThanOrEqual(ceiling);
        expect(s.balance).toBeGreaterThanOrEqual(0);
        expect(s.available).toBeGreaterThanOrEqual(0);
      }
      expect(await keySpending(apiKey.id)).toEqual([
        { periodStart: utcDay(), held: 0, charged: 33 * PER_GENERATION },
      ]);
      const charged = await ledger(user.id);
      expect(charged.charged).toBe(33 * PER_GENERATION);
      expect(charged.charged).toBeLessThanOrEqual(ceiling);
      expect(charged.lowest).toBeGreaterThanOrEqual(0);
      expect(await account(user.id)).toEqual({ balance: GRANT - 99, held: 0 });
    },
    PLATFORM_SETUP_MS,
  );

  it(
    'when the balance runs out before the ceiling, the balance refuses (no KEY_CEILING) and stays at zero or above',
    async () => {
      const user = await userWithAccount(platform, GRANT, { verified: true });
      // Spent elsewhere (not through the key) down to 30: room for 10 generations.
      const spent = await asService(platform)(USE, { u: user.id, a: GRANT - 30, k: 'elsewhere' });
      expect(spent.body.errors).toBeUndefined();
      const { key, apiKey } = await createKey(user.accessToken, {
        name: 'wide',
        capabilities: ['ai:generate'],
        creditCeiling: 1000,
        ceilingPeriod: 'MONTH',
      });
      const results = await Promise.all(Array.from({ length: 20 }, () => generate(key)));
      expect(results.filter((r) => r.body.data?.generateText)).toHaveLength(10);
      const refused = results.filter((r) => r.body.errors);
      expect(refused).toHaveLength(10);
      for (const r of refused) {
        expect(extensionsOf(r)?.code).toBe('INSUFFICIENT_CREDITS');
        expect(extensionsOf(r)?.reason).toBeUndefined();
      }
      expect(await account(user.id)).toEqual({ balance: 0, held: 0 });
      expect((await ledger(user.id)).lowest).toBe(0);
      // The key's month counts what it was charged, nothing it was refused.
      expect((await keySpending(apiKey.id))[0]).toMatchObject({ held: 0, charged: 30 });
    },
    PLATFORM_SETUP_MS,
  );

  it(
    'as a new user would: a key with ai:generate and 50 credits a day, used until the ceiling refuses, a new day, revoked',
    async () => {
      const user = await userWithAccount(platform, GRANT, { verified: true });
      const { key, apiKey } = await createKey(user.accessToken, {
        name: 'nightly script',
        capabilities: ['ai:generate'],
        creditCeiling: 50,
        ceilingPeriod: 'DAY',
      });

      // A stream through the key counts like generateText.
      const streamed = await stream(harness(), key, INPUT);
      expect(streamed.status).toBe(200);
      expect(streamed.events.at(-1)).toMatchObject({
        event: 'done',
        data: { creditsCharged: PER_GENERATION },
      });

      // Used until refused: 1 stream + 15 generations = 48 credits; the next 3 would pass 50.
      let answered = 1;
      let refusal: GraphQLResponse | undefined;
      while (answered < 30 && !refusal) {
        const r = await generate(key);
        if (r.body.errors) refusal = r;
        else answered += 1;
      }
      expect(answered).toBe(16);
      expect(extensionsOf(refusal!)).toEqual({
        code: 'INSUFFICIENT_CREDITS',
        reason: 'KEY_CEILING',
        required: PER_GENERATION,
        available: 2,
        ceiling: 50,
        ceilingPeriod: 'DAY',
        resetsAt: utcDay(1),
      });
      // The stream is refused the same way, after its headers: an error event, nothing charged.
      const refusedStream = await stream(harness(), key, INPUT);
      expect(refusedStream.events).toEqual([
        {
          event: 'error',
          data: expect.objectContaining({
            code: 'INSUFFICIENT_CREDITS',
            reason: 'KEY_CEILING',
            available: 2,
          }),
        },
      ]);
      // The user's own balance is untouched beyond the 48, and the user (not the key) may go on.
      expect(await account(user.id)).toEqual({ balance: GRANT - 48, held: 0 });
      const own = await postGraphQL<{ generateText: { creditsCharged: number } }>(
        platform.gateway.url,
        GENERATE,
        { input: INPUT },
        { token: user.accessToken },
      );
      expect(own.body.data?.generateText.creditsCharged).toBe(PER_GENERATION);

      // A new day: the spending recorded is yesterday's (its period start moved into the past).
      await sql(
        `UPDATE $schema.api_key_spending SET period_start = period_start - interval '1 day' WHERE api_key_id = $1`,
        [apiKey.id],
      );
      const nextDay = await generate(key);
      expect(nextDay.body.data?.generateText.creditsCharged).toBe(PER_GENERATION);
      expect(await keySpending(apiKey.id)).toEqual([
        { periodStart: utcDay(-1), held: 0, charged: 48 },
        { periodStart: utcDay(), held: 0, charged: PER_GENERATION },
      ]);

      const revoked = await platform.gql<{ revokeApiKey: boolean }>(
        'mutation ($id: ID!) { revokeApiKey(id: $id) }',
        { id: apiKey.id },
        { token: user.accessToken },
      );
      expect(revoked.body.data).toEqual({ revokeApiKey: true });
      const after = await generate(key);
      expect([after.status, extensionsOf(after)?.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect(await account(user.id)).toEqual({ balance: GRANT - 48 - 3 - 3, held: 0 });
    },
    PLATFORM_SETUP_MS,
  );
});
