import { createLogger, schemaOf } from '@bastion/platform';
import {
  FakeGemini,
  startTestPlatform,
  type GraphQLResponse,
  type TestPlatform,
} from '@bastion/testing';

/** Prices chosen so a charge is easy to compute by hand (docs/configuration.md "Model catalog"). */
export const TEST_MODELS = [
  {
    id: 'test-model',
    displayName: 'Test',
    upstreamModel: 'gemini-test',
    creditsPerRequest: 2,
    creditsPer1kInputTokens: 100,
    creditsPer1kOutputTokens: 300,
    maxOutputTokens: 50,
    priceVersion: 'v-test',
  },
  {
    id: 'flat',
    displayName: 'Flat',
    creditsPerRequest: 30,
    maxOutputTokens: 10,
    priceVersion: 'v-flat',
  },
  {
    id: 'wordy',
    displayName: 'Wordy',
    upstreamModel: 'gemini-wordy',
    creditsPerRequest: 1,
    creditsPer1kInputTokens: 10,
    creditsPer1kOutputTokens: 100,
    maxOutputTokens: 2000,
    priceVersion: 'v-wordy',
  },
  {
    id: 'thinker',
    displayName: 'Thinker',
    upstreamModel: 'gemini-thinker',
    creditsPerRequest: 1,
    creditsPer1kInputTokens: 10,
    creditsPer1kOutputTokens: 100,
    maxOutputTokens: 100,
    thinkingBudget: 50,
    priceVersion: 'v-thinker',
  },
  {
    id: 'pricey',
    displayName: 'Pricey',
    creditsPerRequest: 200,
    maxOutputTokens: 10,
    priceVersion: 'v-pricey',
  },
];

export const GENERATE = `mutation ($input: GenerateTextInput!) { generateText(input: $input) {
  id model template prompt output creditsCharged inputTokens outputTokens thinkingTokens priceVersion createdAt } }`;

export interface AiHarness {
  platform: TestPlatform;
  gemini: FakeGemini;
  /** Every log line of the run. */
  lines: string[];
  /** Every response body the tests received. */
  responses: string[];
  stop(): Promise<void>;
}

/** The platform with a local Gemini, every service logging at trace level into memory. */
export async function startAiHarness(env: Record<string, string> = {}): Promise<AiHarness> {
  const gemini = await new FakeGemini().start();
  const lines: string[] = [];
  const logger = createLogger(
    { name: 'bastion', level: 'trace' },
    { write: (line: string) => void lines.push(line) },
  );
  const platform = await startTestPlatform(
    {
      LOG_LEVEL: 'trace',
      CREDITS_SIGNUP_GRANT: '100',
      GEMINI_API_KEY: gemini.apiKey,
      GEMINI_BASE_URL: gemini.url,
      // Long enough for a loaded CI machine; the hang cases wait for it once each.
      GEMINI_TIMEOUT_MS: '5000',
      GEMINI_RETRY_DELAY_MS: '0',
      AI_MODELS: JSON.stringify(TEST_MODELS),
      ...env,
    },
    { logger },
  );
  return {
    platform,
    gemini,
    lines,
    responses: [],
    stop: async () => {
      await platform.stop();
      await gemini.stop();
    },
  };
}

/** A GraphQL call through the public gateway whose response is kept for the key scan. */
export async function call<T = Record<string, unknown>>(
  h: AiHarness,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) {
  const response: GraphQLResponse<T> = await h.platform.gql<T>(query, variables, { token });
  h.responses.push(JSON.stringify(response.body));
  return response;
}

export async function balanceOf(
  platform: TestPlatform,
  userId: string,
): Promise<{ balance: number; held: number; usage: number }> {
  const ds = platform.credits.dataSource;
  const s = schemaOf(ds);
  const [account] = await ds.query(
    `SELECT balance, held FROM ${s}.credit_accounts WHERE user_id = $1`,
    [userId],
  );
  const [usage] = await ds.query(
    `SELECT count(*)::int AS n FROM ${s}.credit_transactions WHERE user_id = $1 AND type = 'USAGE'`,
    [userId],
  );
  return { balance: account?.balance, held: account?.held, usage: usage.n };
}

export type SseEvent = { event: string; data: Record<string, unknown> };

/** Reads Server-Sent Events until the stream ends, or until `stopAfter` says to hang up. */
export async function stream(
  h: AiHarness,
  token: string | undefined,
  body: unknown,
  stopAfter?: (e: SseEvent) => boolean,
) {
  const abort = new AbortController();
  const response = await fetch(new URL('/ai/stream', h.platform.gateway.url), {
    method: 'POST',
    signal: abort.signal,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const events: SseEvent[] = [];
  let raw = '';
  const decoder = new TextDecoder();
  try {
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      raw += decoder.decode(bytes, { stream: true });
      let end;
      while ((end = raw.indexOf('\n\n')) >= 0) {
        const block = raw.slice(0, end);
        raw = raw.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<
          string,
          unknown
        >;
        events.push({ event, data });
        if (stopAfter?.({ event, data })) abort.abort();
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  h.responses.push(JSON.stringify(events));
  return { status: response.status, headers: response.headers, events };
}
