import { schemaOf } from '@bastion/platform';
import { PLATFORM_SETUP_MS, eventually } from '@bastion/testing';
import { userWithAccount } from '../../credits/test/credits-client';
import { GENERATE, balanceOf, call, startAiHarness, stream, type AiHarness } from './ai-setup';

describe('POST /ai/stream, limits, generations and USER_DELETED', () => {
  let h: AiHarness;
  beforeAll(async () => {
    h = await startAiHarness({ AI_CONCURRENT_GENERATIONS: '1', AI_REQUESTS_PER_MINUTE: '5' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => h.stop(), PLATFORM_SETUP_MS);
  const user = () => userWithAccount(h.platform, 100, { verified: true });

  it('streams chunks, then one done event with usage and the credits charged', async () => {
    const u = await user();
    h.gemini.replies.push({
      kind: 'stream',
      chunks: [
        { text: 'Hello ', usage: { promptTokenCount: 3, candidatesTokenCount: 1 } },
        {
          text: 'world',
          usage: { promptTokenCount: 3, candidatesTokenCount: 4, thoughtsTokenCount: 2 },
        },
      ],
    });
    const r = await stream(h, u.accessToken, { model: 'test-model', prompt: 'say hello' });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.events.filter((e) => e.event === 'chunk').map((e) => e.data.text)).toEqual([
      'Hello ',
      'world',
    ]);
    // 2 + ceil((3 x 100 + (4 + 2) x 300) / 1000) = 2 + ceil(2.1) = 5
    expect(r.events.at(-1)).toMatchObject({
      event: 'done',
      data: { creditsCharged: 5, usage: { inputTokens: 3, outputTokens: 4, thinkingTokens: 2 } },
    });
    expect(h.gemini.calls('streamGenerateContent').at(-1)?.query.get('alt')).toBe('sse');
    expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 95, held: 0, usage: 1 });
  });

  it('a client that disconnects is charged for what was delivered, and Gemini is stopped', async () => {
    const u = await user();
    h.gemini.replies.push({
      kind: 'stream',
      holdAfter: 1,
      chunks: [
        { text: 'First part', usage: { promptTokenCount: 4, candidatesTokenCount: 10 } },
        { text: ' never sent', usage: { promptTokenCount: 4, candidatesTokenCount: 40 } },
      ],
    });
    const r = await stream(
      h,
      u.accessToken,
      { model: 'test-model', prompt: 'tell me more' },
      (e) => e.event === 'chunk',
    );
    expect(r.events).toEqual([{ event: 'chunk', data: { text: 'First part' } }]);
    // 2 + ceil((4 x 100 + 10 x 300) / 1000) = 2 + ceil(3.4) = 6: the delivered chunk, not the held worst case.
    await eventually(async () =>
      expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 94, held: 0, usage: 1 }),
    );
    await eventually(async () => expect(h.gemini.closedStreams).toContain(1));
  });

  it('an upstream error mid-stream ends with an error event and settles only what was delivered', async () => {
    const u = await user();
    h.gemini.replies.push({
      kind: 'stream',
      failAfter: 1,
      chunks: [
        { text: 'Partial', usage: { promptTokenCount: 10, candidatesTokenCount: 10 } },
        { text: 'lost' },
      ],
    });
    const r = await stream(h, u.accessToken, { model: 'test-model', prompt: 'go' });
    expect(r.events.map((e) => e.event)).toEqual(['chunk', 'error']);
    // 2 + ceil((10 x 100 + 10 x 300) / 1000) = 6
    expect(r.events[1].data).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', creditsCharged: 6 });
    expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 94, held: 0, usage: 1 });
  });

  it('refuses like /graphql: no credential or a bad one is 401, too few credits charge nothing', async () => {
    expect((await stream(h, undefined, { model: 'flat', prompt: 'x' })).status).toBe(401);
    expect((await stream(h, 'not-a-token', { model: 'flat', prompt: 'x' })).status).toBe(401);
    const u = await user();
    const before = h.gemini.generations().length;
    const poor = await stream(h, u.accessToken, { model: 'pricey', prompt: 'x' });
    expect(poor.events).toEqual([
      { event: 'error', data: expect.objectContaining({ code: 'INSUFFICIENT_CREDITS' }) },
    ]);
    expect(h.gemini.generations().length).toBe(before);
  });

  it('limits concurrent generations and requests per minute with RATE_LIMITED and retryAfter', async () => {
    const u = await user();
    h.gemini.replies.push({
      kind: 'stream',
      holdAfter: 0,
      chunks: [{ text: 'c', usage: { promptTokenCount: 1, candidatesTokenCount: 1 } }],
    });
    const running = stream(h, u.accessToken, { model: 'test-model', prompt: 'slow' });
    // Held while it runs: 2 + ceil((1 x 100 + 50 x 300) / 1000) = 18 (one counted input token, the whole output allowance).
    await eventually(async () => expect((await balanceOf(h.platform, u.id)).held).toBe(18));
    const meanwhile = await call(
      h,
      GENERATE,
      { input: { model: 'test-model', prompt: 'meanwhile' } },
      u.accessToken,
    );
    expect(meanwhile.body.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
    // The hold is placed before Gemini is called: release only once the fake holds the stream,
    // or the release finds nothing to let go and the stream waits forever (seen on a busy machine).
    await eventually(async () => expect(h.gemini.holding).toBe(1));
    h.gemini.release();
    expect((await running).events.at(-1)?.event).toBe('done');
    // Five requests a minute: one stream and one refused call so far; three more pass, the sixth does not.
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await call(
            h,
            GENERATE,
            { input: { model: 'test-model', prompt: `n${i}` } },
            u.accessToken,
          )
        ).body.errors,
      ).toBeUndefined();
    }
    const limited = await call(
      h,
      GENERATE,
      { input: { model: 'test-model', prompt: 'over' } },
      u.accessToken,
    );
    expect(limited.body.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
  });

  it("me { generations } pages the owner's generations; USER_DELETED erases prompts and outputs, keeps amounts", async () => {
    const u = await user();
    for (let i = 0; i < 3; i++)
      await call(h, GENERATE, { input: { model: 'flat', prompt: `page ${i}` } }, u.accessToken);
    const page = async (after?: string) =>
      (
        await call<{
          me: {
            generations: {
              edges: { node: { prompt: string } }[];
              pageInfo: { hasNextPage: boolean; endCursor: string };
            };
          };
        }>(
          h,
          'query ($after: String) { me { generations(first: 2, after: $after) { edges { node { prompt creditsCharged } } pageInfo { hasNextPage endCursor } } } }',
          { after },
          u.accessToken,
        )
      ).body.data!.me.generations;
    const first = await page();
    expect(first.edges.map((e) => e.node.prompt)).toEqual(['page 2', 'page 1']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges.map((e) => e.node.prompt)).toEqual(['page 0']);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const deleted = await call(
      h,
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: u.password },
      u.accessToken,
    );
    expect(deleted.body.data).toEqual({ deleteAccount: true });
    const ds = h.platform.ai.dataSource;
    const s = schemaOf(ds);
    await eventually(async () => {
      const rows = await ds.query(
        `SELECT prompt, output, credits_charged FROM ${s}.generations WHERE user_id = $1`,
        [u.id],
      );
      expect(rows).toEqual(
        Array.from({ length: 3 }, () => ({ prompt: '', output: '', credits_charged: 30 })),
      );
    });
    // The inbox holds this user's USER_DELETED once (as published by auth's outbox).
    const [{ id: deletedEvent }] = await h.platform.auth.dataSource.query(
      `SELECT id FROM ${schemaOf(h.platform.auth.dataSource)}.outbox WHERE type = 'USER_DELETED' AND data->>'userId' = $1`,
      [u.id],
    );
    expect(
      await ds.query(`SELECT consumer FROM ${s}.inbox WHERE event_id = $1`, [deletedEvent]),
    ).toEqual([{ consumer: 'ai' }]);
  });

  it('the key appears in no response and no log line of the run', () => {
    expect(h.responses.length).toBeGreaterThan(10);
    for (const text of [...h.responses, ...h.lines]) expect(text).not.toContain(h.gemini.apiKey);
  });
});
