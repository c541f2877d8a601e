import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, uniqueSuffix } from '@bastion/testing';
import { createLogger } from '../../logging/logger';
import { quotedSchema, schemaName } from '../../db/data-source';
import type { EventPayload, EventType } from '../catalog';
import type { EventEnvelope, WireEvent } from '../types';
import { ConsumerLoop } from './consumer-loop';
import { DatabaseBus } from './database-bus';

const url = process.env.DATABASE_URL || process.env.BASTION_TEST_DATABASE_URL!;
const logger = createLogger({ name: 'bus-test', level: 'silent' });

const user = randomUUID();
const at = new Date().toISOString();
/** A payload of each type these tests publish, as its producer sends it. */
const PAYLOADS = {
  USER_CREATED: { userId: user, email: 'a@example.com', displayName: null },
  USER_DELETED: { userId: user },
  USER_EMAIL_VERIFIED: { userId: user, email: 'a@example.com' },
  ORGANIZATION_DELETED: {
    organizationId: randomUUID(),
    name: null,
    memberIds: [],
    actorId: null,
    reason: 'test',
    ip: null,
    userAgent: null,
    at,
  },
  SESSION_REVOKED: { sessionId: randomUUID(), userId: user, reason: 'test' },
} satisfies { [T in EventType]?: EventPayload<T> };

function event(type: keyof typeof PAYLOADS = 'USER_CREATED'): WireEvent {
  return { id: randomUUID(), type, occurredAt: at, source: 'test', data: PAYLOADS[type] };
}

/**
 * The database bus is what `npm start` runs on: these are JetStream's promises, checked against
 * separate bus instances on one database, as separate processes would see it.
 */
describe('database bus', () => {
  const suffix = uniqueSuffix();
  const schema = schemaName('bus', suffix);
  const buses: DatabaseBus[] = [];
  const open = async () => {
    const bus = await DatabaseBus.connect({ url, schema, logger, pollIntervalMs: 100 });
    buses.push(bus);
    return bus;
  };

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${quotedSchema('bus', suffix)} CASCADE`);
    await client.end();
  });

  it('delivers to a group that subscribes after the event was published, once per event id', async () => {
    const publisher = await open();
    const first = event();
    await publisher.publish(first);
    await publisher.publish(first); // a relay that crashed before marking the row sent publishes again
    const seen: string[] = [];
    const consumer = await open();
    const sub = await consumer.subscribe('late-group', ['USER_CREATED'], async (e) => {
      seen.push(e.id);
    });
    const second = event();
    await publisher.publish(second);
    await eventually(async () => expect(seen).toEqual([first.id, second.id]));
    await sub.stop();
  });

  it('resumes a group where it stopped: events published while it was down arrive, acknowledged ones do not come back', async () => {
    const publisher = await open();
    const seen: string[] = [];
    const handler = async (e: EventEnvelope) => {
      seen.push(e.id);
    };
    const before = event('USER_DELETED');
    await publisher.publish(before);
    const down = await open();
    const sub = await down.subscribe('resuming-group', ['USER_DELETED'], handler);
    await eventually(async () => expect(seen).toContain(before.id));
    await sub.stop();
    await down.close();
    const whileDown = [event('USER_DELETED'), event('USER_DELETED')];
    for (const e of whileDown) await publisher.publish(e);
    const restarted = await open();
    await restarted.subscribe('resuming-group', ['USER_DELETED'], handler);
    await eventually(async () => expect(seen).toEqual([before.id, ...whileDown.map((e) => e.id)]));
  });

  it('gives each event of a group to one instance of it, and every event to each group', async () => {
    const [a, b, publisher] = [await open(), await open(), await open()];
    const handled: Record<string, string[]> = { a: [], b: [], other: [] };
    await a.subscribe(
      'shared-group',
      ['USER_EMAIL_VERIFIED'],
      async (e) => void handled.a.push(e.id),
    );
    await b.subscribe(
      'shared-group',
      ['USER_EMAIL_VERIFIED'],
      async (e) => void handled.b.push(e.id),
    );
    await publisher.subscribe(
      'other-group',
      ['USER_EMAIL_VERIFIED'],
      async (e) => void handled.other.push(e.id),
    );
    const events = Array.from({ length: 20 }, () => event('USER_EMAIL_VERIFIED'));
    for (const e of events) await publisher.publish(e);
    const ids = events.map((e) => e.id);
    await eventually(async () =>
      expect([...handled.a, ...handled.b].sort()).toEqual([...ids].sort()),
    );
    await eventually(async () => expect(handled.other).toEqual(ids));
  });

  it('retries a failing handler before anything after it, then goes on in order', async () => {
    const bus = await open();
    const [poison, next] = [event('ORGANIZATION_DELETED'), event('ORGANIZATION_DELETED')];
    let failuresLeft = 2;
    const delivered: string[] = [];
    await bus.subscribe('retrying-group', ['ORGANIZATION_DELETED'], async (e) => {
      if (e.id === poison.id && failuresLeft-- > 0) throw new Error('handler down');
      delivered.push(e.id);
    });
    await bus.publish(poison);
    await bus.publish(next);
    await eventually(async () => expect(delivered).toEqual([poison.id, next.id]), 15_000);
    expect(failuresLeft).toBe(-1);
  });

  it('delivers every one of many concurrent publishes from two instances to a group, in sequence order', async () => {
    const [a, b] = [await open(), await open()];
    const got: string[] = [];
    const seqs: bigint[] = [];
    const read = a.read.bind(a);
    jest.spyOn(a, 'read').mockImplementation(async (after, types, limit) => {
      const batch = await read(after, types, limit);
      seqs.push(...batch.map((e) => e.seq));
      return batch;
    });
    await a.subscribe('concurrent-group', ['SESSION_REVOKED'], async (e) => {
      got.push(e.id);
    });
    const events = Array.from({ length: 40 }, () => event('SESSION_REVOKED'));
    await Promise.all(events.map((e, i) => (i % 2 ? a : b).publish(e)));
    await eventually(async () => expect([...got].sort()).toEqual(events.map((e) => e.id).sort()));
    expect(new Set(got).size).toBe(events.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it("wakes only the loops that consume a published event's type, and reads a short batch once", async () => {
    // No head poll during the test: it would wake every loop (another process may have published).
    const bus = await DatabaseBus.connect({ url, schema, logger, pollIntervalMs: 600_000 });
    buses.push(bus);
    const woken: string[] = [];
    const reads: string[][] = [];
    const originalWake = ConsumerLoop.prototype.wake;
    const spy = jest.spyOn(ConsumerLoop.prototype, 'wake').mockImplementation(function (
      this: ConsumerLoop,
    ) {
      const { name } = (this as unknown as { spec: { name: string } }).spec;
      // Other tests' buses share the prototype: only this test's loops are counted.
      if (name.startsWith('wake-')) woken.push(name);
      originalWake.call(this);
    });
    // What each loop had read when it went to sleep after a pass.
    const asleep: { name: string; reads: number }[] = [];
    const loopPrototype = ConsumerLoop.prototype as unknown as {
      sleep: (ms: number, ignoreWake?: boolean) => Promise<void>;
    };
    const originalSleep = loopPrototype.sleep;
    const sleeps = jest.spyOn(loopPrototype, 'sleep').mockImplementation(function (
      this: ConsumerLoop,
      ms: number,
      ignoreWake?: boolean,
    ) {
      const { name } = (this as unknown as { spec: { name: string } }).spec;
      if (name.startsWith('wake-')) asleep.push({ name, reads: reads.length });
      return originalSleep.call(this, ms, ignoreWake);
    });
    const read = bus.read.bind(bus);
    jest.spyOn(bus, 'read').mockImplementation(async (after, types, limit) => {
      reads.push([...types]);
      return read(after, types, limit);
    });
    try {
      const verified: string[] = [];
      const deleted: string[] = [];
      await bus.subscribe('wake-verified', ['USER_EMAIL_VERIFIED'], async (e) => {
        verified.push(e.id);
      });
      await bus.subscribe('wake-deleted', ['USER_DELETED'], async (e) => {
        deleted.push(e.id);
      });
      // Both loops made their first pass (one read each) and sleep.
      await eventually(async () =>
        expect(asleep.map((a) => a.name).sort()).toEqual(['wake-deleted', 'wake-verified']),
      );
      // (Their first pass delivered what earlier tests published: groups start at the stream's start.)
      const [verifiedBefore, deletedBefore] = [verified.length, deleted.length];
      reads.length = 0;
      asleep.length = 0;
      const published = event('USER_EMAIL_VERIFIED');
      await bus.publish(published);
      // The publish wakes its type's loop alone, synchronously once it committed.
      expect(woken).toEqual(['wake-verified']);
      await eventually(async () => expect(asleep).toHaveLength(1));
      // One read found the event and the loop went back to sleep: a batch shorter than the
      // limit is not read again; the other loop read nothing.
      expect(asleep).toEqual([{ name: 'wake-verified', reads: 1 }]);
      expect(reads).toEqual([['USER_EMAIL_VERIFIED']]);
      expect(verified.slice(verifiedBefore)).toEqual([published.id]);
      expect(deleted).toHaveLength(deletedBefore);
    } finally {
      spy.mockRestore();
      sleeps.mockRestore();
    }
  });

  it('broadcasts every event published after subscribing to every instance', async () => {
    const [a, b, publisher] = [await open(), await open(), await open()];
    const old = event('SESSION_REVOKED');
    await publisher.publish(old);
    const heard: Record<'a' | 'b', string[]> = { a: [], b: [] };
    await a.broadcast(['SESSION_REVOKED'], async (e) => void heard.a.push(e.id));
    await b.broadcast(['SESSION_REVOKED'], async (e) => void heard.b.push(e.id));
    const fresh = event('SESSION_REVOKED');
    await publisher.publish(fresh);
    await eventually(async () => {
      expect(heard.a).toEqual([fresh.id]);
      expect(heard.b).toEqual([fresh.id]);
    });
  });
});
