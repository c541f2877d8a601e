import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { userWithAccount } from '../../credits/test/credits-client';
import { GENERATE, balanceOf, call, startAiHarness, stream, type AiHarness } from './ai-setup';

/**
 * The development model (docs/configuration.md "Model catalog"), outside production without GEMINI_API_KEY.
 * Expected texts and charges are worked out by hand from the README's price table, never from the
 * code under test:
 *
 *   development-model: 1 per request, 50 per 1k input, 100 per 1k output, maxOutputTokens 256,
 *   no thinking; a token is 4 characters, rounded up.
 *
 * | prompt        | maxOutputTokens | output                    | tokens in / out     | credits                              |
 * | ------------- | --------------- | ------------------------- | ------------------- | ------------------------------------ |
 * | "hello world" | 256 (default)   | REPLY (237 characters)    | ceil(11/4)=3 / 60   | 1 + ceil((150 + 6000)/1000) = 8      |
 * | "hello world" | 10              | REPLY's first 40 chars    | 3 / 10              | 1 + ceil((150 + 1000)/1000) = 3      |
 *
 * The hold is 1 + ceil((3*50 + 256*100)/1000) = 27, below the 100 sign-up credits.
 */
const REPLY =
  'This is the development model, answering locally without Gemini. Your prompt has 2 words and ' +
  '11 characters, beginning with "hello world". Backwards it reads: world hello. Fingerprint ' +
  // sha256("hello world") begins b94d27b9934d
  'b94d27b9934d: the same prompt always gets this answer.';

const MODELS =
  '{ aiModels { id displayName description creditsPerRequest creditsPer1kInputTokens creditsPer1kOutputTokens maxOutputTokens priceVersion } }';

type Generation = {
  output: string;
  creditsCharged: number;
  inputTokens: number;
  outputTokens: number;
  thinkingTokens: number;
  model: string;
};

describe('without a Gemini key outside production: the development model', () => {
  let h: AiHarness;
  beforeAll(async () => {
    // GEMINI_API_KEY and AI_MODELS empty: unset, so the default catalog plus the development model.
    h = await startAiHarness({ GEMINI_API_KEY: '', AI_MODELS: '' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => h.stop(), PLATFORM_SETUP_MS);

  it('is listed in aiModels with its price and a description saying it is local and deterministic', async () => {
    const r = await call<{ aiModels: Record<string, unknown>[] }>(h, MODELS, {});
    const model = r.body.data?.aiModels.find((m) => m.id === 'development-model');
    expect(model).toMatchObject({
      creditsPerRequest: 1,
      creditsPer1kInputTokens: 50,
      creditsPer1kOutputTokens: 100,
      maxOutputTokens: 256,
      priceVersion: 'development-1',
    });
    expect(model?.description).toMatch(/local/i);
    expect(model?.description).toMatch(/deterministic/i);
  });

  it('generateText answers its deterministic text and charges it by the price table', async () => {
    const u = await userWithAccount(h.platform, 100, { verified: true });
    const first = await call<{ generateText: Generation }>(
      h,
      GENERATE,
      { input: { model: 'development-model', prompt: 'hello world' } },
      u.accessToken,
    );
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.generateText).toMatchObject({
      model: 'development-model',
      output: REPLY,
      inputTokens: 3,
      outputTokens: 60,
      thinkingTokens: 0,
      creditsCharged: 8,
    });
    const cut = await call<{ generateText: Generation }>(
      h,
      GENERATE,
      { input: { model: 'development-model', prompt: 'hello world', maxOutputTokens: 10 } },
      u.accessToken,
    );
    expect(cut.body.data?.generateText).toMatchObject({
      output: REPLY.slice(0, 40),
      inputTokens: 3,
      outputTokens: 10,
      creditsCharged: 3,
    });
    // Charged through holds and settlements like any model: two USAGE entries, nothing left held.
    expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 100 - 8 - 3, held: 0, usage: 2 });
    // Nothing went to Gemini.
    expect(h.gemini.requests).toHaveLength(0);
  });

  it('/ai/stream sends the same text in several chunks, then done with the charge', async () => {
    const u = await userWithAccount(h.platform, 100, { verified: true });
    const r = await stream(h, u.accessToken, { model: 'development-model', prompt: 'hello world' });
    expect(r.status).toBe(200);
    const kinds = r.events.map((e) => e.event);
    expect(kinds.at(-1)).toBe('done');
    const chunks = r.events.filter((e) => e.event === 'chunk').map((e) => e.data.text as string);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(kinds).toEqual([...chunks.map(() => 'chunk'), 'done']);
    expect(chunks.join('')).toBe(REPLY);
    expect(r.events.at(-1)?.data).toMatchObject({
      creditsCharged: 8,
      usage: { inputTokens: 3, outputTokens: 60, thinkingTokens: 0 },
    });
    expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 92, held: 0, usage: 1 });
  });

  it('a Gemini model still says AI is not configured, and charges nothing', async () => {
    const u = await userWithAccount(h.platform, 100, { verified: true });
    const r = await call(
      h,
      GENERATE,
      { input: { model: 'gemini-2.5-flash', prompt: 'x' } },
      u.accessToken,
    );
    expect(r.body.errors?.[0].extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'AI_NOT_CONFIGURED',
    });
    const s = await stream(h, u.accessToken, { model: 'gemini-2.5-flash', prompt: 'x' });
    expect(s.status).toBe(503);
    expect(await balanceOf(h.platform, u.id)).toEqual({ balance: 100, held: 0, usage: 0 });
  });
});

describe('in production without a Gemini key', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({
      NODE_ENV: 'production',
      PASSWORD_PEPPER: 'pepper-for-production-mode-tests-0123456789',
      REFRESH_TOKEN_SECRET: 'refresh-secret-for-production-mode-tests-0123',
      MFA_ENCRYPTION_KEY: 'mfa-key-for-production-mode-tests-0123456789',
      WEBHOOKS_ENCRYPTION_KEY: 'webhooks-key-for-production-mode-tests-01234',
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      GEMINI_API_KEY: '',
    });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  it('lists no development model and refuses its id as an unknown model', async () => {
    const models = await platform.gql<{ aiModels: { id: string }[] }>('{ aiModels { id } }');
    expect(models.body.data?.aiModels.map((m) => m.id)).toEqual([
      'gemini-2.5-flash',
      'gemini-2.5-pro',
    ]);
    // Both refusals come before any hold: the user needs no credit account here.
    const u = await registerUser(platform, { verified: true });
    const r = await platform.gql(
      GENERATE,
      { input: { model: 'development-model', prompt: 'hello world' } },
      { token: u.accessToken },
    );
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const gemini = await platform.gql(
      GENERATE,
      { input: { model: 'gemini-2.5-flash', prompt: 'hello world' } },
      { token: u.accessToken },
    );
    expect(gemini.body.errors?.[0].extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'AI_NOT_CONFIGURED',
    });
  });
});
