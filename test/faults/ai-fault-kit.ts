import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { eventually, FakeGemini, postGraphQL, testEnv } from '@bastion/testing';

/**
 * What the AI fault tests share: a Gemini whose calls a test can hold at the door, users, the two
 * ways to generate (generateText and POST /ai/stream) with what each client was told, and the
 * ledger read straight from the private PostgreSQL every process of the test runs on.
 */

/** One credit per request, per input token and per output token: charges are counted by hand. */
export const FAULT_MODEL = {
  id: 'fault-model',
  displayName: 'Fault',
  upstreamModel: 'gemini-fault',
  creditsPerRequest: 5,
  creditsPer1kInputTokens: 1000,
  creditsPer1kOutputTokens: 1000,
  maxOutputTokens: 20,
  priceVersion: 'v-fault',
};

/** What every generateText answer of the fake says, and its price under FAULT_MODEL: 5 + 3 + 4. */
export const WHOLE_ANSWER = {
  kind: 'text' as const,
  text: 'four words of output',
  usage: { promptTokenCount: 3, candidatesTokenCount: 4 },
};
export const WHOLE_ANSWER_CREDITS = 5 + 3 + 4;

/** Every generation's prompt: three words, so countTokens says 3 and the hold is 5 + 3 + 20. */
export const PROMPT = 'tell me something';

const GENERATE = `mutation ($input: GenerateTextInput!) {
  generateText(input: $input) { id output creditsCharged } }`;

/**
 * The fake Gemini behind a door: generateContent and streamGenerateContent calls wait at it while
 * it is shut (counted in `waiting`), so a test knows its generations are in flight before it
 * signals a process. countTokens always passes.
 */
export class GeminiDoor {
  readonly gemini = new FakeGemini();
  private server?: Server;
  private shut = { generate: false, stream: false };
  private readonly queued = { generate: [] as (() => void)[], stream: [] as (() => void)[] };
  url = '';

  get waiting(): { generate: number; stream: number } {
    return { generate: this.queued.generate.length, stream: this.queued.stream.length };
  }

  close(kind: 'generate' | 'stream'): void {
    this.shut[kind] = true;
  }

  open(kind: 'generate' | 'stream'): void {
    this.shut[kind] = false;
    this.queued[kind].splice(0).forEach((pass) => pass());
  }

  async start(): Promise<this> {
    await this.gemini.start();
    this.gemini.fallback = WHOLE_ANSWER;
    this.server = createServer((req, res) => {
      const kind = /:streamGenerateContent/.test(req.url ?? '')
        ? 'stream'
        : /:generateContent/.test(req.url ?? '')
          ? 'generate'
          : undefined;
      const forward = () => {
        if (res.destroyed) return;
        const upstream = request(
          `${this.gemini.url}${req.url}`,
          { method: req.method, headers: req.headers },
          (answer: IncomingMessage) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        // The caller leaving (a killed ai) leaves the fake too: a held stream sees its client go.
        res.on('close', () => upstream.destroy());
        req.pipe(upstream);
      };
      if (kind && this.shut[kind]) {
        this.queued[kind].push(forward);
        res.on('close', () => {
          const at = this.queued[kind].indexOf(forward);
          if (at >= 0) this.queued[kind].splice(at, 1);
        });
      } else forward();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.open('generate');
    this.open('stream');
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    await this.gemini.stop();
  }
}

/** The settings every process of an AI fault test runs with (plus its ports and service URLs). */
export function aiFaultEnv(
  databaseUrl: string,
  door: GeminiDoor,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env = {
    ...testEnv({
      DATABASE_URL: databaseUrl,
      NATS_URL: undefined,
      REDIS_URL: undefined,
    }),
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    APOLLO_TELEMETRY_DISABLED: 'true',
    CREDITS_SIGNUP_GRANT: '1000',
    GEMINI_API_KEY: door.gemini.apiKey,
    GEMINI_BASE_URL: door.url,
    GEMINI_TIMEOUT_MS: '60000',
    GEMINI_STREAM_TIMEOUT_MS: '60000',
    GEMINI_RETRY_DELAY_MS: '0',
    AI_MODELS: JSON.stringify([FAULT_MODEL]),
    AI_CONCURRENT_GENERATIONS: '2',
    AI_REQUESTS_PER_MINUTE: '1000',
    COST_BUDGET_PER_MINUTE: '100000000',
    RATE_LIMIT_AUTH_PER_IP: '100000',
    ...extra,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export interface FaultUser {
  id: string;
  token: string;
}

/** Registers a user through the gateway, marks the email verified in auth's table, signs in again. */
export async function verifiedUser(gatewayUrl: string, db: Client): Promise<FaultUser> {
  const email = `ai-fault-${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const registered = await postGraphQL<{ register: { user: { id: string } } }>(
    gatewayUrl,
    'mutation ($i: RegisterInput!) { register(input: $i) { user { id } } }',
    { i: { email, password } },
  );
  const id = registered.body.data?.register.user.id;
  if (!id) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  await db.query('UPDATE auth.users SET email_verified_at = now() WHERE id = $1', [id]);
  const login = await postGraphQL<{ login: { accessToken: string } }>(
    gatewayUrl,
    'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: password },
  );
  const token = login.body.data?.login.accessToken;
  if (!token) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  // The signup grant arrives by event: generations need it.
  await eventually(async () => {
    const { rows } = await db.query(
      'SELECT balance FROM credits.credit_accounts WHERE user_id = $1',
      [id],
    );
    if (rows[0]?.balance !== 1000) throw new Error('no signup grant yet');
  }, 60_000);
  return { id, token };
}

/** What one client was told: an answer (with what it was charged), an error, or a broken connection. */
export interface Told {
  user: FaultUser;
  key: string;
  /** generateText's HTTP status, or the stream's. */
  status?: number;
  creditsCharged?: number;
  output?: string;
  errorCode?: string;
  /** Stream events in order (streams only). */
  events?: { event: string; data: Record<string, unknown> }[];
  /** The connection broke before a whole answer. */
  socketError?: string;
}

export async function generateText(
  gatewayUrl: string,
  user: FaultUser,
  key: string,
): Promise<Told> {
  try {
    const response = await postGraphQL<{
      generateText: { output: string; creditsCharged: number } | null;
    }>(
      gatewayUrl,
      GENERATE,
      { input: { model: FAULT_MODEL.id, prompt: PROMPT, idempotencyKey: key } },
      { token: user.token },
    );
    const answer = response.body.data?.generateText;
    return {
      user,
      key,
      status: response.status,
      creditsCharged: answer?.creditsCharged,
      output: answer?.output,
      errorCode: response.body.errors?.[0]?.extensions?.code as string | undefined,
    };
  } catch (error) {
    return { user, key, socketError: String(error) };
  }
}

/**
 * POST /ai/stream through the gateway: `told` fills in as events arrive (a test watches it),
 * `finished` resolves once the stream ended or broke.
 */
export function streamText(
  gatewayUrl: string,
  user: FaultUser,
  key: string,
): { told: Told; finished: Promise<Told> } {
  const told: Told = { user, key, events: [] };
  const read = async () => {
    try {
      const response = await fetch(new URL('/ai/stream', gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ model: FAULT_MODEL.id, prompt: PROMPT, idempotencyKey: key }),
      });
      told.status = response.status;
      const decoder = new TextDecoder();
      let raw = '';
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
          told.events!.push({ event, data });
          if (event === 'chunk') told.output = (told.output ?? '') + String(data.text);
        }
      }
    } catch (error) {
      told.socketError = String(error);
    }
    const last = told.events!.at(-1);
    if (last?.event === 'done' || last?.event === 'error') {
      if (typeof last.data.creditsCharged === 'number')
        told.creditsCharged = last.data.creditsCharged;
      if (last.event === 'error') told.errorCode = last.data.code as string;
    }
    return told;
  };
  return { told, finished: read() };
}

/** A user's ledger as credits keeps it: every USAGE amount (positive: credits taken) and what is held. */
export async function ledgerOf(
  db: Client,
  userId: string,
): Promise<{ usage: number[]; held: number; balance: number }> {
  const [account, usage] = await Promise.all([
    db.query('SELECT balance, held FROM credits.credit_accounts WHERE user_id = $1', [userId]),
    db.query(
      "SELECT amount FROM credits.credit_transactions WHERE user_id = $1 AND type = 'USAGE' ORDER BY created_at",
      [userId],
    ),
  ]);
  return {
    usage: usage.rows.map((r: { amount: number }) => -r.amount),
    held: account.rows[0]?.held,
    balance: account.rows[0]?.balance,
  };
}

/** Generations by status, over every user of the run. */
export async function generationStatuses(db: Client): Promise<Record<string, number>> {
  const { rows } = await db.query(
    'SELECT status, count(*)::int AS n FROM ai.generations GROUP BY status',
  );
  return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
}

/** The generation an idempotency key made, as ai recorded it. */
export async function generationOf(
  db: Client,
  userId: string,
  key: string,
): Promise<
  { status: string; creditsCharged: number; output: string; failure: string | null } | undefined
> {
  const { rows } = await db.query(
    `SELECT status, credits_charged AS "creditsCharged", output, failure FROM ai.generations
     WHERE user_id = $1 AND idempotency_key = $2`,
    [userId, key],
  );
  return rows[0];
}

/** What ai recorded as charged for all of a user's generations. */
export async function chargedOf(db: Client, userId: string): Promise<number> {
  const { rows } = await db.query(
    'SELECT coalesce(sum(credits_charged), 0)::int AS n FROM ai.generations WHERE user_id = $1',
    [userId],
  );
  return rows[0].n;
}

/** Resolves once a TCP connection to the URL's port is refused (the listener stopped accepting). */
export async function refusesConnections(url: string, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    const error = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => undefined,
      (e: unknown) => e as { cause?: { code?: string } },
    );
    if (error?.cause?.code !== 'ECONNREFUSED') throw new Error(`${url} still accepts`);
  }, timeoutMs);
}

/**
 * Resolves once ai's record of a running stream holds `output`. ai writes a stream's delivered
 * text at a bounded rate (docs/operations.md "What happens when a part fails"), so what a client
 * received in the last moment before a kill -9 may be missing from the record; tests that kill
 * wait for it.
 */
export async function recordHolds(
  db: Client,
  user: FaultUser,
  key: string,
  output: string,
): Promise<void> {
  await eventually(
    async () => expect((await generationOf(db, user.id, key))?.output).toBe(output),
    30_000,
  );
}
