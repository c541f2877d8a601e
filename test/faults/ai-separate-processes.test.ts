import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SUBGRAPHS, generateServiceToken, serviceTokenEntry } from '@bastion/platform';
import {
  eventually,
  platformPorts,
  postGraphQL,
  spawnMain,
  startPrivatePostgres,
  stopChildren,
  type ChildRun,
  type PrivateService,
} from '@bastion/testing';
import {
  GeminiDoor,
  WHOLE_ANSWER_CREDITS,
  aiFaultEnv,
  chargedOf,
  generateText,
  generationOf,
  generationStatuses,
  ledgerOf,
  recordHolds,
  refusesConnections,
  streamText,
  verifiedUser,
  type Told,
} from './ai-fault-kit';

const MAINS: Record<string, string> = {
  ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `${s.folder}/${s.main}`])),
  gateway: 'gateway/dist/main.js',
};

/**
 * The gateway, credits and ai each as their own process (as compose runs them), on a private
 * PostgreSQL with the database bus, a fake Gemini behind a door. Each is stopped by SIGTERM and
 * killed -9 in turn while a generation and a stream are in flight, then started again: what
 * credits charged matches what every client was told, nothing stays PENDING, a retry with the
 * same idempotency key answers.
 */
describe('AI generations when the gateway, credits or ai process stops or dies', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-ai-faults-'));
  const outsider = generateServiceToken();
  const running: Record<string, ChildRun> = {};
  const all: ChildRun[] = [];
  let postgres: PrivateService;
  let door: GeminiDoor;
  let db: Client;
  let env: Record<string, string>;
  let gatewayUrl: string;
  let internalUrl: string;

  const start = async (name: string): Promise<void> => {
    const run = spawnMain(MAINS[name], env);
    running[name] = run;
    all.push(run);
    const port =
      name === 'gateway' ? env.PORT : env[SUBGRAPHS.find((s) => s.name === name)!.portVar];
    await eventually(async () => {
      if (run.child.exitCode !== null) throw new Error(`${name} exited:\n${run.stderr()}`);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    }, 120_000);
  };
  const ready = () =>
    eventually(
      async () => expect((await fetch(gatewayUrl.replace('/graphql', '/ready'))).status).toBe(200),
      120_000,
    );

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    door = await new GeminiDoor().start();
    db = new Client({ connectionString: postgres.url });
    await db.connect();
    const ports = await platformPorts();
    gatewayUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    internalUrl = `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`;
    const tokens: Record<string, string> = {};
    const entries = [serviceTokenEntry('outsider', ['credits:read'], outsider)];
    for (const entry of SUBGRAPHS) {
      if (!entry.serviceToken) continue;
      tokens[entry.serviceToken.var] = generateServiceToken();
      entries.push(
        serviceTokenEntry(
          entry.name,
          [...entry.serviceToken.scopes],
          tokens[entry.serviceToken.var],
        ),
      );
    }
    env = aiFaultEnv(postgres.url, door, {
      ...ports,
      ...tokens,
      DATA_DIR: dataDir,
      GATEWAY_INTERNAL_URL: internalUrl,
      SHUTDOWN_TIMEOUT: '8',
      SERVICE_TOKENS: JSON.stringify(entries),
    });
    // One at a time: each migrates its own schema; the gateway last, once every subgraph answers.
    for (const entry of SUBGRAPHS) await start(entry.name);
    await start('gateway');
    await ready();
  }, 600_000);

  afterAll(async () => {
    await stopChildren(all.map((run) => run.child));
    await db?.end();
    await door?.stop();
    await postgres?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One generateText held at Gemini's door and one stream held by Gemini after two chunks. */
  const inFlight = async (label: string) => {
    const genUser = await verifiedUser(gatewayUrl, db);
    const streamUser = await verifiedUser(gatewayUrl, db);
    door.gemini.replies.push({
      kind: 'stream',
      chunks: [{ text: 'first ' }, { text: 'second ' }, { text: 'third' }],
      holdAfter: 2,
    });
    const stream = streamText(gatewayUrl, streamUser, `${label}-stream`);
    await eventually(async () => expect(stream.told.output).toBe('first second '), 60_000);
    await recordHolds(db, streamUser, `${label}-stream`, 'first second ');
    door.close('generate');
    const generation = generateText(gatewayUrl, genUser, `${label}-gen`);
    await eventually(async () => expect(door.waiting.generate).toBe(1), 60_000);
    return { genUser, streamUser, stream, generation };
  };

  /**
   * After the fault: credits' ledger agrees with the generation's record and with what its client
   * was told (when told), the hold is gone, and a retry with the same key answers.
   */
  const settledAsTold = async (told: Told, kind: 'generate' | 'stream') => {
    await eventually(async () => {
      expect((await generationStatuses(db)).PENDING).toBeUndefined();
      expect((await ledgerOf(db, told.user.id)).held).toBe(0);
    }, 90_000);
    const ledger = await ledgerOf(db, told.user.id);
    const record = await generationOf(db, told.user.id, told.key);
    const total = ledger.usage.reduce((sum, n) => sum + n, 0);
    // Credits took exactly what ai's records say, over all of this user's generations.
    expect([told.key, total]).toEqual([told.key, await chargedOf(db, told.user.id)]);
    if (told.creditsCharged !== undefined) {
      expect([told.key, record?.creditsCharged]).toEqual([told.key, told.creditsCharged]);
      expect(ledger.usage).toContain(told.creditsCharged);
    }
    if (told.output) {
      // Output a client received is recorded and charged.
      expect({ key: told.key, status: record?.status, output: record?.output }).toEqual({
        key: told.key,
        status: 'COMPLETED',
        output: told.output,
      });
      expect(record!.creditsCharged).toBeGreaterThan(0);
    }
    const retry =
      kind === 'generate'
        ? await generateText(gatewayUrl, told.user, told.key)
        : await streamText(gatewayUrl, told.user, told.key).finished;
    expect([told.key, retry.errorCode]).toEqual([told.key, undefined]);
    if (record?.status === 'COMPLETED') {
      // A finished generation is answered as recorded, charged nothing more.
      expect([told.key, retry.creditsCharged]).toEqual([told.key, record.creditsCharged]);
      expect((await ledgerOf(db, told.user.id)).usage).toEqual(ledger.usage);
    }
  };

  it('gateway SIGTERM: the public listener goes first, the internal one serves ai to the end; the stream ends with an event', async () => {
    const { stream, generation } = await inFlight('gw-term');
    const gateway = running.gateway;
    gateway.child.kill('SIGTERM');
    await refusesConnections(gatewayUrl.replace('/graphql', '/health'));
    const outside = await postGraphQL(
      internalUrl,
      '{ __typename }',
      {},
      {
        headers: { 'x-service-token': outsider },
      },
    );
    expect([outside.status, outside.body.errors?.[0]?.extensions?.code]).toEqual([
      503,
      'UPSTREAM_UNAVAILABLE',
    ]);
    door.open('generate');
    const told = await generation;
    expect([told.status, told.creditsCharged]).toEqual([200, WHOLE_ANSWER_CREDITS]);
    const streamTold = await stream.finished;
    expect(streamTold.socketError).toBeUndefined();
    expect(streamTold.events!.at(-1)?.event).toBe('error');
    expect(await gateway.exited).toBe(0);
    await start('gateway');
    await settledAsTold(told, 'generate');
    await settledAsTold(streamTold, 'stream');
  }, 300_000);

  it('ai SIGTERM: what is in flight finishes or ends with an event, charged as told; exit 0', async () => {
    const { stream, generation } = await inFlight('ai-term');
    const ai = running.ai;
    ai.child.kill('SIGTERM');
    await refusesConnections(`http://127.0.0.1:${env.AI_PORT}/health`);
    door.open('generate');
    const told = await generation;
    expect([told.status, told.creditsCharged]).toEqual([200, WHOLE_ANSWER_CREDITS]);
    const streamTold = await stream.finished;
    expect(streamTold.socketError).toBeUndefined();
    expect(streamTold.events!.at(-1)?.event).toBe('error');
    // A stopping ai ends its streams itself, saying what each was charged.
    expect(streamTold.creditsCharged).toBeGreaterThan(0);
    expect(await ai.exited).toBe(0);
    await start('ai');
    await ready();
    await settledAsTold(told, 'generate');
    await settledAsTold(streamTold, 'stream');
  }, 300_000);

  // The cases below rest on ai's settle retries and reconciliation of dead calls (heartbeat,
  // reconciler): without them a settle lost to a dead gateway or credits is never charged, and the
  // generations of a killed ai stay PENDING, holding their users' concurrency slots.
  it('gateway kill -9: the generation ai finishes meanwhile is charged once the gateway is back', async () => {
    const { stream, generation } = await inFlight('gw-kill');
    const gateway = running.gateway;
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    // ai goes on: Gemini answers, and the settle finds no gateway.
    door.open('generate');
    const told = await generation;
    expect(told.socketError).toBeDefined();
    const streamTold = await stream.finished;
    expect(streamTold.output).toBe('first second ');
    await start('gateway');
    await settledAsTold(told, 'generate');
    await settledAsTold(streamTold, 'stream');
  }, 300_000);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`credits ${signal}: generations that end while credits is away are charged once it is back`, async () => {
      const { stream, generation } = await inFlight(`credits-${signal}`);
      const credits = running.credits;
      credits.child.kill(signal);
      await credits.exited;
      door.open('generate');
      door.gemini.release();
      const told = await generation;
      const streamTold = await stream.finished;
      expect(streamTold.output).toBe('first second third');
      await start('credits');
      await settledAsTold(told, 'generate');
      await settledAsTold(streamTold, 'stream');
    }, 300_000);
  }

  it('ai kill -9: after a restart nothing stays PENDING, output a client received is charged once, slots are free', async () => {
    const { genUser, stream, generation } = await inFlight('ai-kill');
    // The user's second slot is taken too, by a call that dies with the process.
    const second = generateText(gatewayUrl, genUser, 'ai-kill-gen-2');
    await eventually(async () => expect(door.waiting.generate).toBe(2), 60_000);
    const ai = running.ai;
    ai.child.kill('SIGKILL');
    await ai.exited;
    const told = await generation;
    const streamTold = await stream.finished;
    expect(streamTold.output).toBe('first second ');
    await second;
    door.open('generate');
    await start('ai');
    await ready();
    await settledAsTold(told, 'generate');
    await settledAsTold(streamTold, 'stream');
    const fresh = await Promise.all([
      generateText(gatewayUrl, genUser, 'ai-kill-fresh-1'),
      generateText(gatewayUrl, genUser, 'ai-kill-fresh-2'),
    ]);
    expect(fresh.map((t) => [t.status, t.creditsCharged])).toEqual([
      [200, WHOLE_ANSWER_CREDITS],
      [200, WHOLE_ANSWER_CREDITS],
    ]);
  }, 300_000);
});
