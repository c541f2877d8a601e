import { schemaOf } from '@bastion/platform';
import { PLATFORM_SETUP_MS, withOwnOrganization, type TestPlatform } from '@bastion/testing';
import { userWithAccount } from '../../credits/test/credits-client';
import { GENERATE, call, startAiHarness, stream, type AiHarness } from './ai-setup';

type Obj = Record<string, unknown>;

async function outbox(
  platform: TestPlatform,
  service: 'ai' | 'credits',
  type: string,
  userId: string,
): Promise<Obj[]> {
  const ds = platform[service].dataSource;
  const rows: { data: Obj }[] = await ds.query(
    `SELECT data FROM ${schemaOf(ds)}.outbox WHERE type = $1 AND data->>'userId' = $2 ORDER BY occurred_at, id`,
    [type, userId],
  );
  return rows.map((row) => row.data);
}

/**
 * AI_GENERATION_COMPLETED (webhook ai.generation_completed) and the organization ai hands credits
 * with each hold, so the CREDITS_LOW of the settlement names it too (README "Webhooks").
 */
describe('generation events for webhooks', () => {
  let h: AiHarness;
  beforeAll(async () => {
    // 100 credits each, and "low" below 95: the first charge crosses it.
    h = await startAiHarness({ CREDITS_LOW_THRESHOLD: '95', AI_REQUESTS_PER_MINUTE: '100' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => h.stop(), PLATFORM_SETUP_MS);

  const member = async () =>
    withOwnOrganization(h.platform, await userWithAccount(h.platform, 100, { verified: true }));

  it('a completed generation publishes AI_GENERATION_COMPLETED with the caller organization, once', async () => {
    const u = await member();
    h.gemini.replies.push({
      kind: 'text',
      text: 'Short summary.',
      usage: { promptTokenCount: 9, candidatesTokenCount: 10, thoughtsTokenCount: 5 },
    });
    const input = { model: 'test-model', prompt: 'one two three four', idempotencyKey: 'g-1' };
    const r = await call<{ generateText: { id: string } }>(h, GENERATE, { input }, u.accessToken);
    expect(r.body.errors).toBeUndefined();
    const generationId = r.body.data!.generateText.id;
    // 2 per request + ceil((9 x 100 + (10 + 5) x 300) / 1000) = 8 credits.
    const completed = {
      generationId,
      userId: u.id,
      organizationId: u.organizationId,
      model: 'test-model',
      inputTokens: 9,
      outputTokens: 10,
      thinkingTokens: 5,
      creditsCharged: 8,
    };
    expect(await outbox(h.platform, 'ai', 'AI_GENERATION_COMPLETED', u.id)).toEqual([completed]);
    // The same key again answers the recorded generation: no second event.
    await call(h, GENERATE, { input }, u.accessToken);
    expect(await outbox(h.platform, 'ai', 'AI_GENERATION_COMPLETED', u.id)).toEqual([completed]);

    // The settlement took 100 to 92, below 95: credits names the organization ai passed.
    const [usage] = await h.platform.credits.dataSource.query(
      `SELECT id FROM ${schemaOf(h.platform.credits.dataSource)}.credit_transactions WHERE user_id = $1 AND type = 'USAGE'`,
      [u.id],
    );
    expect(await outbox(h.platform, 'credits', 'CREDITS_LOW', u.id)).toEqual([
      {
        userId: u.id,
        organizationId: u.organizationId,
        available: 92,
        threshold: 95,
        transactionId: usage.id,
      },
    ]);
  });

  it('a streamed generation publishes it too; without an active organization it names none', async () => {
    const u = await userWithAccount(h.platform, 100, { verified: true });
    h.gemini.replies.push({
      kind: 'stream',
      chunks: [
        { text: 'Hello ' },
        {
          text: 'world',
          usage: { promptTokenCount: 3, candidatesTokenCount: 4, thoughtsTokenCount: 2 },
        },
      ],
    });
    const r = await stream(h, u.accessToken, { model: 'test-model', prompt: 'say hello' });
    const done = r.events.at(-1)!;
    expect(done.event).toBe('done');
    // 2 + ceil((3 x 100 + (4 + 2) x 300) / 1000) = 5 credits.
    expect(await outbox(h.platform, 'ai', 'AI_GENERATION_COMPLETED', u.id)).toEqual([
      {
        generationId: done.data.generationId,
        userId: u.id,
        organizationId: null,
        model: 'test-model',
        inputTokens: 3,
        outputTokens: 4,
        thinkingTokens: 2,
        creditsCharged: 5,
      },
    ]);
    // 100 - 5 = 95 is not below the threshold of 95: not low.
    expect(await outbox(h.platform, 'credits', 'CREDITS_LOW', u.id)).toEqual([]);
  });

  it('a generation that failed publishes nothing', async () => {
    const u = await member();
    h.gemini.replies.push({ kind: 'status', status: 400 });
    const r = await call(
      h,
      GENERATE,
      { input: { model: 'test-model', prompt: 'refused' } },
      u.accessToken,
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await outbox(h.platform, 'ai', 'AI_GENERATION_COMPLETED', u.id)).toEqual([]);
    expect(await outbox(h.platform, 'credits', 'CREDITS_LOW', u.id)).toEqual([]);
  });
});
