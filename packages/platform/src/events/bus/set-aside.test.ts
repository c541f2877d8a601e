import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { eventually, startPrivateNats, uniqueSuffix, type PrivateService } from '@bastion/testing';
import { createLogger } from '../../logging/logger';
import { eventsSetAside } from '../set-aside';
import type { EventBus, WireEvent } from '../types';
import { DatabaseBus } from './database-bus';
import { MemoryBus } from './memory-bus';
import { NatsBus } from './nats-bus';

const databaseUrl = process.env.DATABASE_URL || process.env.BASTION_TEST_DATABASE_URL!;

/** A logger whose warnings the test reads back. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ name: 'set-aside-test', level: 'warn' }, destination);
  const setAside = () =>
    lines.filter((line) => line.msg === 'event set aside: it does not match the event catalog');
  return { logger, setAside };
}

function wire(type: string, data: unknown, extra: Partial<WireEvent> = {}): WireEvent {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    source: 'test',
    data,
    ...extra,
  };
}

/**
 * A bad event on a bus must not wedge a consumer group: it is set aside with its reason, logged
 * once at warn, counted, and acknowledged; the group then handles the next good event, typed.
 */
describe('events a consumer cannot read are set aside', () => {
  const good = () => wire('USER_DELETED', { userId: randomUUID() });
  const malformed = () => wire('USER_DELETED', { userId: 42 });

  it('memory bus: set aside, logged once, counted, next event handled', async () => {
    const { logger, setAside } = capturingLogger();
    const bus = new MemoryBus(logger);
    const group = `memory_${uniqueSuffix()}`;
    const handled: string[] = [];
    await bus.subscribe(
      group,
      ['USER_DELETED'],
      async (event) => void handled.push(event.data.userId),
    );
    const bad = [
      malformed(),
      wire('USER_DELETED', { userId: randomUUID() }, { source: undefined }),
    ];
    const next = good();
    for (const event of [...bad, next]) await bus.publish(event);
    expect(handled).toEqual([(next.data as { userId: string }).userId]);
    expect(bus.deadLetters.map((d) => [d.consumer, d.eventId, d.reason.split(':')[0]])).toEqual([
      [group, bad[0].id, 'malformed payload'],
      [group, bad[1].id, 'envelope lacks id, occurredAt or source'],
    ]);
    expect(setAside().map((l) => [l.level, l.eventId, l.eventType, l.consumer])).toEqual([
      [40, bad[0].id, 'USER_DELETED', group],
      [40, bad[1].id, 'USER_DELETED', group],
    ]);
    expect(eventsSetAside.get(group, 'USER_DELETED')).toBe(2);
  });

  describe('database bus', () => {
    const schema = `setaside_${uniqueSuffix()}`;
    let bus: DatabaseBus;
    let client: Client;
    const capture = capturingLogger();

    beforeAll(async () => {
      bus = await DatabaseBus.connect({
        url: databaseUrl,
        schema,
        logger: capture.logger,
        pollIntervalMs: 100,
      });
      client = new Client({ connectionString: databaseUrl });
      await client.connect();
    });
    afterAll(async () => {
      await bus.close();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    it('sets a malformed or unknown event aside in dead_letters, acknowledges it and consumes the next', async () => {
      const group = 'db-group';
      const bad = malformed();
      await bus.publish(bad);
      // Stored under a subscribed type, but the envelope names a type the catalog lacks.
      const unknown = wire('USER_PURGED', { userId: randomUUID() });
      await client.query(
        `INSERT INTO "${schema}".events (id, type, envelope) VALUES ($1, 'USER_DELETED', $2)`,
        [unknown.id, JSON.stringify(unknown)],
      );
      const next = good();
      await bus.publish(next);
      const handled: string[] = [];
      await bus.subscribe(group, ['USER_DELETED'], async (event) => void handled.push(event.id));
      await eventually(async () => expect(handled).toEqual([next.id]));
      expect(await bus.setAside(group)).toEqual([
        {
          eventId: bad.id,
          type: 'USER_DELETED',
          reason: expect.stringMatching(/^malformed payload: userId: /),
        },
        { eventId: unknown.id, type: 'USER_PURGED', reason: 'unknown event type "USER_PURGED"' },
      ]);
      // Acknowledged: the group's cursor stands on the good event, past both.
      const { rows } = await client.query(
        `SELECT c.position = e.seq AS past FROM "${schema}".cursors c, "${schema}".events e WHERE c.consumer = $1 AND e.id = $2`,
        [group, next.id],
      );
      expect(rows).toEqual([{ past: true }]);
      expect(capture.setAside().map((l) => [l.level, l.eventId, l.eventType, l.consumer])).toEqual([
        [40, bad.id, 'USER_DELETED', group],
        [40, unknown.id, 'USER_PURGED', group],
      ]);
      expect(eventsSetAside.get(group, 'USER_DELETED')).toBe(1);
      expect(eventsSetAside.get(group, 'unknown')).toBe(1);
    });

    it('a broadcast listener skips a malformed event, counts it, and hears the next', async () => {
      const heard: string[] = [];
      const before = eventsSetAside.get('broadcast', 'SESSION_REVOKED');
      await bus.broadcast(
        ['SESSION_REVOKED'],
        async (event) => void heard.push(event.data.sessionId),
      );
      await bus.publish(
        wire('SESSION_REVOKED', { sessionId: 'not-a-uuid', userId: randomUUID(), reason: 'x' }),
      );
      const sessionId = randomUUID();
      await bus.publish(wire('SESSION_REVOKED', { sessionId, userId: randomUUID(), reason: 'x' }));
      await eventually(async () => expect(heard).toEqual([sessionId]));
      expect(eventsSetAside.get('broadcast', 'SESSION_REVOKED')).toBe(before + 1);
    });
  });

  describe('NATS bus', () => {
    let privateNats: PrivateService | undefined;
    let bus: NatsBus;
    const stream = `SETASIDE_${uniqueSuffix()}`.toUpperCase();
    const capture = capturingLogger();
    let raw: {
      publish(subject: string, data: Uint8Array | string): void;
      flush(): Promise<void>;
      close(): Promise<void>;
    };

    beforeAll(async () => {
      let url = process.env.NATS_URL;
      if (!url) {
        privateNats = await startPrivateNats();
        url = privateNats.url;
      }
      bus = await NatsBus.connect({ url, stream, logger: capture.logger });
      const { connect } = await import('@nats-io/transport-node');
      raw = await connect({ servers: url });
    }, 60_000);
    afterAll(async () => {
      await bus.destroyStream();
      await bus.close();
      await raw.close();
      await privateNats?.destroy();
    });

    it('sets a malformed, unknown or unreadable event aside on its dead-letter subject, acknowledges it and consumes the next', async () => {
      const group = 'nats-group';
      const subject = `${stream.toLowerCase()}.user_deleted`;
      const bus2 = bus as EventBus;
      const bad = malformed();
      await bus2.publish(bad);
      const unknown = wire('USER_PURGED', { userId: randomUUID() });
      // Straight onto the subject a USER_DELETED consumer reads: one unknown type, one not JSON.
      const { jetstream } = await import('@nats-io/jetstream');
      const js = jetstream(raw as never);
      await js.publish(subject, JSON.stringify(unknown));
      await js.publish(subject, 'not json at all');
      const next = good();
      await bus2.publish(next);
      const handled: string[] = [];
      await bus2.subscribe(group, ['USER_DELETED'], async (event) => void handled.push(event.id));
      await eventually(async () => expect(handled).toEqual([next.id]), 30_000);
      await eventually(async () =>
        expect(await bus.setAsideEvents(`${group}_USER_DELETED`)).toEqual([
          {
            eventId: bad.id,
            type: 'USER_DELETED',
            reason: expect.stringMatching(/^malformed payload: userId: /),
          },
          { eventId: unknown.id, type: 'USER_PURGED', reason: 'unknown event type "USER_PURGED"' },
          { eventId: null, type: null, reason: 'not an event envelope' },
        ]),
      );
      // Acknowledged, not left to be redelivered.
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const info = await (
        await jetstreamManager(raw as never)
      ).consumers.info(stream, `${group}_USER_DELETED`);
      expect([info.num_ack_pending, info.num_redelivered, info.num_pending]).toEqual([0, 0, 0]);
      expect(capture.setAside().map((l) => [l.level, l.eventId, l.eventType, l.consumer])).toEqual([
        [40, bad.id, 'USER_DELETED', group],
        [40, unknown.id, 'USER_PURGED', group],
        [40, null, null, group],
      ]);
      expect(eventsSetAside.get(group, 'USER_DELETED')).toBe(1);
      expect(eventsSetAside.get(group, 'unknown')).toBe(2);
    });
  });
});
