import { Client } from 'pg';
import { generateServiceToken, serviceTokenEntry } from '@bastion/platform';
import {
  CHILD_READY_MS,
  PLATFORM_SETUP_MS,
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
  WHOLE_ANSWER,
  WHOLE_ANSWER_CREDITS,
  aiFaultEnv,
  generateText,
  generationOf,
  generationStatuses,
  ledgerOf,
  recordHolds,
  refusesConnections,
  streamText,
  verifiedUser,
  type FaultUser,
  type Told,
} from './ai-fault-kit';

const MAIN = 'all-in-one/dist/main.js';

/**
 * `npm start`'s process (on a private PostgreSQL, with a fake Gemini behind a door) stopped by
 * SIGTERM and killed -9 while generations and streams are in flight. Afterwards, what credits
 * charged matches what every client was told, nothing stays PENDING, a retry with the same
 * idempotency key gets an answer and the concurrency slots are free again.
 */
describe('AI generations when the all-in-one process stops or dies', () => {
  const outsider = generateServiceToken();
  const children: ChildRun[] = [];
  let postgres: PrivateService;
  let door: GeminiDoor;
  let db: Client;
  let env: Record<string, string>;
  let gatewayUrl: string;
  let internalUrl: string;

  const start = async (): Promise<ChildRun> => {
    const run = spawnMain(MAIN, env);
    children.push(run);
    await eventually(async () => {
      if (run.child.exitCode !== null) throw new Error(`exited:\n${run.stderr()}`);
      expect((await fetch(gatewayUrl.replace('/graphql', '/ready'))).status).toBe(200);
    }, CHILD_READY_MS);
    return run;
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    door = await new GeminiDoor().start();
    db = new Client({ connectionString: postgres.url });
    await db.connect();
    const ports = await platformPorts();
    gatewayUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    internalUrl = `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`;
    env = aiFaultEnv(postgres.url, door, {
      ...ports,
      GATEWAY_INTERNAL_URL: internalUrl,
      // Long enough for the steps below on a loaded machine; streams are asked to end 2 s before.
      SHUTDOWN_TIMEOUT: '8',
      // A service token of no subgraph's: a caller the stopping internal listener must turn away.
      SERVICE_TOKENS: JSON.stringify([serviceTokenEntry('outsider', ['credits:read'], outsider)]),
    });
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await stopChildren(children.map((run) => run.child));
    await db?.end();
    await door?.stop();
    await postgres?.destroy();
  }, PLATFORM_SETUP_MS);

  /** What credits charged a client that was told `told`, checked after a restart. */
  const expectBilledAsTold = async (told: Told) => {
    const ledger = await ledgerOf(db, told.user.id);
    const generation = await generationOf(db, told.user.id, told.key);
    // The record keeps what the client received.
    expect({ key: told.key, status: generation?.status, output: generation?.output }).toEqual({
      key: told.key,
      status: 'COMPLETED',
      output: told.output,
    });
    if (told.creditsCharged !== undefined)
      expect([told.key, ledger.usage]).toEqual([told.key, [told.creditsCharged]]);
    // A client that received output was charged for it, once; the record says the same.
    expect(ledger.usage).toHaveLength(1);
    expect(ledger.usage[0]).toBeGreaterThan(0);
    expect(generation?.creditsCharged).toBe(ledger.usage[0]);
    expect(ledger.held).toBe(0);
  };

  it('SIGTERM: public listener first; generations in flight are charged as answered, streams end with an event; exit 0', async () => {
    await start();
    const users: FaultUser[] = [];
    for (let i = 0; i < 5; i++) users.push(await verifiedUser(gatewayUrl, db));
    const [g1, g2, g3, heldUser, lateUser] = users;
    // Before the signal the internal listener serves any service token.
    const before = await postGraphQL(
      internalUrl,
      '{ __typename }',
      {},
      {
        headers: { 'x-service-token': outsider },
      },
    );
    expect(before.status).toBe(200);

    // A stream Gemini holds after two chunks: it cannot finish before the deadline.
    door.gemini.replies.push({
      kind: 'stream',
      chunks: [{ text: 'one ' }, { text: 'two ' }, { text: 'three' }],
      holdAfter: 2,
    });
    const held = streamText(gatewayUrl, heldUser, 'held-stream');
    await eventually(async () => expect(held.told.output).toBe('one two '), 60_000);
    // A stream that waits at the door, then finishes during the drain.
    door.close('stream');
    door.gemini.replies.push({
      kind: 'stream',
      chunks: [
        { text: 'late ', usage: { promptTokenCount: 3, candidatesTokenCount: 1 } },
        { text: 'answer', usage: { promptTokenCount: 3, candidatesTokenCount: 2 } },
      ],
    });
    const late = streamText(gatewayUrl, lateUser, 'late-stream');
    door.close('generate');
    const generations = [g1, g2, g3].map((u, i) => generateText(gatewayUrl, u, `gen-${i}`));
    await eventually(async () => expect(door.waiting).toEqual({ generate: 3, stream: 1 }), 60_000);

    const platform = children.at(-1)!;
    platform.child.kill('SIGTERM');
    await refusesConnections(gatewayUrl.replace('/graphql', '/health'));
    // The internal listener is still open for the subgraphs, and for nobody else.
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
    const anonymous = await postGraphQL(internalUrl, '{ __typename }');
    expect(anonymous.status).toBe(503);
    door.open('stream');
    await eventually(
      async () => expect(door.gemini.calls('streamGenerateContent')).toHaveLength(2),
      30_000,
    );
    door.open('generate');

    const answered = await Promise.all(generations);
    for (const told of answered)
      expect([told.key, told.status, told.output, told.creditsCharged]).toEqual([
        told.key,
        200,
        WHOLE_ANSWER.text,
        WHOLE_ANSWER_CREDITS,
      ]);
    const lateTold = await late.finished;
    expect(lateTold.socketError).toBeUndefined();
    expect(lateTold.output).toBe('late answer');
    // 5 per request + 3 input + 2 output tokens
    expect(lateTold.events!.at(-1)).toMatchObject({ event: 'done', data: { creditsCharged: 10 } });
    const heldTold = await held.finished;
    // Never a silent cut: the stream Gemini never finished ends with an error event.
    expect(heldTold.socketError).toBeUndefined();
    expect(heldTold.output).toBe('one two ');
    expect(heldTold.events!.at(-1)?.event).toBe('error');
    expect(heldTold.errorCode).toBe('UPSTREAM_UNAVAILABLE');
    // Ended by ai itself (asked to wrap up before the deadline): the event says what was charged.
    expect(heldTold.creditsCharged).toBeGreaterThan(0);
    expect(await platform.exited).toBe(0);

    await start();
    for (const told of [...answered, lateTold, heldTold]) await expectBilledAsTold(told);
    expect((await generationStatuses(db)).PENDING).toBeUndefined();
    // A retry of the cut stream answers with the generation as recorded, charged nothing more.
    const retry = await streamText(gatewayUrl, heldUser, 'held-stream').finished;
    expect(retry.output).toBe('one two ');
    expect(retry.events!.at(-1)?.event).toBe('done');
    expect((await ledgerOf(db, heldUser.id)).usage).toEqual([retry.creditsCharged]);
    // Every slot is free: as many generations as the limit allows run at once.
    const again = await Promise.all([
      generateText(gatewayUrl, g1, 'after-1'),
      generateText(gatewayUrl, g1, 'after-2'),
    ]);
    expect(again.map((t) => [t.status, t.creditsCharged])).toEqual([
      [200, WHOLE_ANSWER_CREDITS],
      [200, WHOLE_ANSWER_CREDITS],
    ]);
  }, 300_000);

  // Rests on ai's reconciliation of dead calls (heartbeat and reconciler): without it the
  // generations of a killed process stay PENDING and hold their user's concurrency slots.
  it('kill -9: after a restart nothing stays PENDING, output a client received is charged once, retries answer, slots are free', async () => {
    const platform = children.at(-1)!;
    const twoSlots = await verifiedUser(gatewayUrl, db);
    const streamer = await verifiedUser(gatewayUrl, db);
    door.gemini.replies.push({
      kind: 'stream',
      chunks: [{ text: 'alpha ' }, { text: 'beta ' }, { text: 'gamma' }],
      holdAfter: 2,
    });
    const cut = streamText(gatewayUrl, streamer, 'killed-stream');
    await eventually(async () => expect(cut.told.output).toBe('alpha beta '), 60_000);
    await recordHolds(db, streamer, 'killed-stream', 'alpha beta ');
    door.close('generate');
    const dying = [
      generateText(gatewayUrl, twoSlots, 'killed-1'),
      generateText(gatewayUrl, twoSlots, 'killed-2'),
    ];
    await eventually(async () => expect(door.waiting.generate).toBe(2), 60_000);
    platform.child.kill('SIGKILL');
    await platform.exited;
    for (const told of await Promise.all(dying)) expect(told.socketError).toBeDefined();
    const cutTold = await cut.finished;
    expect(cutTold.output).toBe('alpha beta ');
    door.open('generate');

    await start();
    await eventually(
      async () => expect((await generationStatuses(db)).PENDING).toBeUndefined(),
      90_000,
    );
    // The stream's client received two chunks: charged once, and the hold is gone.
    await eventually(async () => expect((await ledgerOf(db, streamer.id)).held).toBe(0), 30_000);
    await expectBilledAsTold(cutTold);
    // The two calls nobody saw an answer to: whatever the record says, credits says the same.
    await eventually(async () => expect((await ledgerOf(db, twoSlots.id)).held).toBe(0), 30_000);
    const recorded = await Promise.all(
      ['killed-1', 'killed-2'].map((key) => generationOf(db, twoSlots.id, key)),
    );
    const charged = recorded.reduce((sum, g) => sum + (g?.creditsCharged ?? 0), 0);
    const ledger = await ledgerOf(db, twoSlots.id);
    expect(ledger.usage.reduce((sum, n) => sum + n, 0)).toBe(charged);
    // Retries with the same keys answer (a stored result, or a new run), never "still running".
    for (const key of ['killed-1', 'killed-2']) {
      const retry = await generateText(gatewayUrl, twoSlots, key);
      expect([key, retry.status, retry.errorCode]).toEqual([key, 200, undefined]);
    }
    // And the user's two slots are free at once.
    const fresh = await Promise.all([
      generateText(gatewayUrl, twoSlots, 'fresh-1'),
      generateText(gatewayUrl, twoSlots, 'fresh-2'),
    ]);
    expect(fresh.map((t) => [t.status, t.creditsCharged])).toEqual([
      [200, WHOLE_ANSWER_CREDITS],
      [200, WHOLE_ANSWER_CREDITS],
    ]);
  }, 300_000);
});
