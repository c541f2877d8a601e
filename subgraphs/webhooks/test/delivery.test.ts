import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { schemaOf, type EventEnvelope } from '@bastion/platform';
import { webhookEventHandler } from '../src/delivery/consumer';
import { startDispatcher } from '../src/delivery/dispatcher';
import type { HostLookup } from '../src/delivery/url-guard';
import { generateSigningSecret } from '../src/secrets/endpoint-secrets';
import {
  advance,
  answerWith,
  attemptsOf,
  deliveryRow,
  disabledRecords,
  endpointRow,
  insertDelivery,
  insertEndpoint,
  schema,
  settle,
  startReceiver,
  webhooksOf,
  type Receiver,
} from './delivery-setup';

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const TIMEOUT_MS = 2000;

let platform: TestPlatform;
const receivers: Receiver[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({
    WEBHOOKS_ALLOW_PRIVATE: 'true',
    WEBHOOKS_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOKS_ENDPOINT_CONCURRENCY: '2',
  });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await platform?.stop();
}, PLATFORM_SETUP_MS);

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

/**
 * Milliseconds between an attempt's start and the retry it scheduled (the delay counts from the
 * attempt's end: allow for the attempt's own duration).
 */
async function waitAfterLastAttempt(deliveryId: string): Promise<number> {
  const row = await deliveryRow(platform, deliveryId);
  const attempts = await attemptsOf(platform, deliveryId);
  return new Date(row.next_attempt_at!).getTime() - new Date(attempts.at(-1)!.at).getTime();
}

describe('webhook delivery through the service', () => {
  it('turns a bus event into one delivery per enabled, subscribing endpoint, verified by standardwebhooks', async () => {
    const organizationId = randomUUID();
    const secret = generateSigningSecret();
    const subscribed = await receiver([], answerWith(204));
    const other = await receiver([], answerWith(204));
    const a = await insertEndpoint(platform, { url: subscribed.url, organizationId });
    subscribed.secrets.push(a.secret);
    await insertEndpoint(platform, {
      url: other.url,
      organizationId,
      eventTypes: ['member.removed'],
    });
    await insertEndpoint(platform, { url: other.url, organizationId, enabled: false });
    await insertEndpoint(platform, { url: other.url }); // another organization's
    void secret;

    const event = {
      id: randomUUID(),
      type: 'AUDIT_RECORDED',
      occurredAt: new Date().toISOString(),
      source: 'orgs',
      data: {
        organizationId,
        actorId: randomUUID(),
        action: 'member.invited',
        targetType: 'invitation',
        targetId: randomUUID(),
        ip: null,
        userAgent: null,
        metadata: { email: 'new@example.com', role: 'EDITOR' },
        at: new Date().toISOString(),
      },
    };
    await platform.deps.bus.publish(event);
    await platform.deps.bus.publish(event);
    await eventually(async () => expect(subscribed.hooks).toHaveLength(1));
    const [hook] = subscribed.hooks;
    expect(hook!.verifyError).toBeUndefined();
    expect(hook!.id).toBe(event.id);
    expect(hook!.verified).toEqual({
      type: 'member.invited',
      timestamp: event.occurredAt,
      data: {
        organizationId,
        invitationId: event.data.targetId,
        email: 'new@example.com',
        role: 'EDITOR',
        actorId: event.data.actorId,
      },
    });
    expect(hook!.body.startsWith('{"type":"member.invited","timestamp":')).toBe(true);
    await settle(platform);
    const rows = await webhooksOf(platform).dataSource.query(
      `SELECT endpoint_id, status FROM ${schema(platform)}.deliveries WHERE event_id = $1`,
      [event.id],
    );
    expect(rows).toEqual([{ endpoint_id: a.id, status: 'SUCCEEDED' }]);
    expect(other.connections).toBe(0);
  });

  it('the consumer queues once per event and endpoint; after ORGANIZATION_DELETED nothing new', async () => {
    const webhooks = webhooksOf(platform);
    const organizationId = randomUUID();
    // No URL is dialled here: the test's own dispatcher never runs, it only counts kicks.
    const endpoint = await insertEndpoint(platform, {
      url: 'http://127.0.0.1:9/unused',
      organizationId,
      eventTypes: ['member.invited', 'organization.deleted'],
    });
    await webhooks.dataSource.query(
      `UPDATE ${schema(platform)}.endpoints SET enabled = false WHERE id = $1`,
      [endpoint.id],
    );
    const kicks: number[] = [];
    const handle = webhookEventHandler(webhooks.dataSource, webhooks.services.clock, (n) =>
      kicks.push(n),
    );
    const invited = (id: string): EventEnvelope<'AUDIT_RECORDED'> => ({
      id,
      type: 'AUDIT_RECORDED',
      occurredAt: new Date().toISOString(),
      source: 'orgs',
      data: {
        organizationId,
        actorId: null,
        action: 'member.invited',
        targetType: 'invitation',
        targetId: randomUUID(),
        ip: null,
        userAgent: null,
        metadata: { email: 'a@example.com', role: 'VIEWER' },
        at: new Date().toISOString(),
      },
    });
    const deliveriesOf = async () =>
      (
        await webhooks.dataSource.query(
          `SELECT event_id, event_type FROM ${schema(platform)}.deliveries WHERE endpoint_id = $1 ORDER BY created_at, event_type`,
          [endpoint.id],
        )
      ).map((row: { event_id: string; event_type: string }) => [row.event_id, row.event_type]);

    // Disabled: nothing queued. Enabled: one delivery, however often the event is handed over.
    const first = invited(randomUUID());
    await handle(first);
    expect(await deliveriesOf()).toEqual([]);
    await webhooks.dataSource.query(
      `UPDATE ${schema(platform)}.endpoints SET enabled = true WHERE id = $1`,
      [endpoint.id],
    );
    const second = invited(randomUUID());
    await handle(second);
    await handle(second);
    expect(await deliveriesOf()).toEqual([[second.id, 'member.invited']]);
    expect(kicks).toEqual([1]);

    const deleted: EventEnvelope<'ORGANIZATION_DELETED'> = {
      id: randomUUID(),
      type: 'ORGANIZATION_DELETED',
      occurredAt: new Date().toISOString(),
      source: 'orgs',
      data: {
        organizationId,
        name: 'Gone Inc',
        memberIds: [],
        actorId: null,
        reason: 'deleted',
        ip: null,
        userAgent: null,
        at: new Date().toISOString(),
      },
    };
    await handle(deleted);
    await handle(invited(randomUUID()));
    expect(await deliveriesOf()).toEqual([
      [second.id, 'member.invited'],
      [deleted.id, 'organization.deleted'],
    ]);
    // The endpoint's deliveries are set aside (its URL is not a receiver).
    await webhooks.dataSource.query(
      `UPDATE ${schema(platform)}.deliveries SET status = 'FAILED' WHERE endpoint_id = $1`,
      [endpoint.id],
    );
  });

  it('retries a receiver that fails 3 times on the schedule, as the clock moves, with one webhook-id', async () => {
    let calls = 0;
    const r = await receiver([], (_hook, _req, res) => {
      calls += 1;
      res.writeHead(calls <= 3 ? 500 : 204).end(calls <= 3 ? 'try later' : '');
    });
    const endpoint = await insertEndpoint(platform, { url: r.url });
    r.secrets.push(endpoint.secret);
    const delivery = await insertDelivery(platform, endpoint);

    await settle(platform);
    expect(r.hooks).toHaveLength(1);
    expect(await deliveryRow(platform, delivery.id)).toMatchObject({
      status: 'PENDING',
      attempt_count: 1,
    });
    expect((await endpointRow(platform, endpoint.id)).failing_since).not.toBeNull();
    // The schedule, +-20%: 5 s, then 5 min, then 30 min.
    for (const [delay, sent] of [
      [5 * s, 2],
      [5 * min, 3],
      [30 * min, 4],
    ] as const) {
      const waiting = await waitAfterLastAttempt(delivery.id);
      expect(waiting).toBeGreaterThanOrEqual(delay * 0.8);
      expect(waiting).toBeLessThanOrEqual(delay * 1.2 + 1000);
      await advance(platform, delay * 1.2);
      expect(r.hooks).toHaveLength(sent);
    }

    expect(await deliveryRow(platform, delivery.id)).toMatchObject({
      status: 'SUCCEEDED',
      attempt_count: 4,
      next_attempt_at: null,
    });
    const attempts = await attemptsOf(platform, delivery.id);
    expect(attempts.map((a) => [a.response_status, a.response_body])).toEqual([
      [500, 'try later'],
      [500, 'try later'],
      [500, 'try later'],
      [204, ''],
    ]);
    expect(new Set(r.hooks.map((hook) => hook.id))).toEqual(new Set([delivery.eventId]));
    expect(new Set(r.hooks.map((hook) => hook.body)).size).toBe(1);
    expect(r.hooks.every((hook) => hook.verifyError === undefined)).toBe(true);
    expect((await endpointRow(platform, endpoint.id)).failing_since).toBeNull();
  });

  it('fails a delivery for good after 8 attempts, recording at most 1 KB of each answer', async () => {
    const r = await receiver([], answerWith(500, {}, 'x'.repeat(5000)));
    const endpoint = await insertEndpoint(platform, { url: r.url });
    r.secrets.push(endpoint.secret);
    const delivery = await insertDelivery(platform, endpoint);
    await settle(platform);
    for (let attempt = 2; attempt <= 8; attempt += 1) await advance(platform, 12 * h);
    expect(await deliveryRow(platform, delivery.id)).toMatchObject({
      status: 'FAILED',
      attempt_count: 8,
      next_attempt_at: null,
    });
    await advance(platform, 12 * h);
    const attempts = await attemptsOf(platform, delivery.id);
    expect(attempts).toHaveLength(8);
    expect(r.hooks).toHaveLength(8);
    for (const a of attempts) expect(a.response_body).toBe('x'.repeat(1024));
  });

  it('410 Gone disables the endpoint and fails the delivery; its queued deliveries wait for it to be enabled', async () => {
    let status = 410;
    const r = await receiver([], (_hook, _req, res) => res.writeHead(status).end());
    const endpoint = await insertEndpoint(platform, { url: r.url });
    r.secrets.push(endpoint.secret);
    const first = await insertDelivery(platform, endpoint);
    await settle(platform);
    expect(await deliveryRow(platform, first.id)).toMatchObject({
      status: 'FAILED',
      attempt_count: 1,
    });
    expect(await endpointRow(platform, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'GONE',
    });
    expect(await disabledRecords(platform, endpoint.id)).toEqual({
      audit: [
        expect.objectContaining({
          organizationId: endpoint.organizationId,
          actorId: null,
          action: 'webhook.endpoint_disabled',
          metadata: expect.objectContaining({ reason: 'GONE', enabled: false }),
        }),
      ],
      changed: [
        expect.objectContaining({
          organizationId: endpoint.organizationId,
          endpointId: endpoint.id,
          change: 'disabled',
          reason: 'GONE',
          actorId: null,
        }),
      ],
    });

    const queued = await insertDelivery(platform, endpoint);
    await advance(platform, h);
    expect(r.hooks).toHaveLength(1);
    expect(await deliveryRow(platform, queued.id)).toMatchObject({
      status: 'PENDING',
      attempt_count: 0,
    });

    status = 204;
    await webhooksOf(platform).dataSource.query(
      `UPDATE ${schema(platform)}.endpoints SET enabled = true, disabled_reason = NULL WHERE id = $1`,
      [endpoint.id],
    );
    await settle(platform);
    expect(await deliveryRow(platform, queued.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(r.hooks).toHaveLength(2);
  });

  it('429 and 503 with Retry-After wait at least that long, at most a day', async () => {
    const clock = webhooksOf(platform).services.clock;
    const inAnHour = () => new Date(clock.now().getTime() + h).toUTCString();
    const cases: [number, () => string, number, number][] = [
      [429, () => '120', 120 * s, 120 * s],
      [503, inAnHour, h - 2 * s, h],
      [429, () => '9999999', 24 * h, 24 * h],
      // Shorter than the schedule's 5 s (+-20%): the schedule wins.
      [503, () => '1', 4 * s, 6 * s],
    ];
    for (const [status, header, low, high] of cases) {
      const r = await receiver([], (_hook, _req, res) =>
        res.writeHead(status, { 'retry-after': header() }).end(),
      );
      const endpoint = await insertEndpoint(platform, { url: r.url });
      r.secrets.push(endpoint.secret);
      const delivery = await insertDelivery(platform, endpoint);
      await settle(platform);
      const attempts = await attemptsOf(platform, delivery.id);
      expect(attempts.map((a) => a.response_status)).toEqual([status]);
      const waiting = await waitAfterLastAttempt(delivery.id);
      expect(waiting).toBeGreaterThanOrEqual(low);
      expect(waiting).toBeLessThanOrEqual(high + 1000);
    }
  });

  it('a slow endpoint never delays another endpoint; each is held to its own concurrency', async () => {
    const held: ServerResponse[] = [];
    const slow = await receiver([], (_hook, _req, res) => held.push(res));
    const fast = await receiver([], answerWith(204));
    const slowEndpoint = await insertEndpoint(platform, { url: slow.url });
    const fastEndpoint = await insertEndpoint(platform, { url: fast.url });
    slow.secrets.push(slowEndpoint.secret);
    fast.secrets.push(fastEndpoint.secret);
    // The slow endpoint's deliveries are older: a queue in arrival order would serve them first.
    const slowDeliveries: { id: string }[] = [];
    for (let i = 0; i < 5; i += 1)
      slowDeliveries.push(await insertDelivery(platform, slowEndpoint));
    const fastDeliveries: { id: string }[] = [];
    for (let i = 0; i < 3; i += 1)
      fastDeliveries.push(await insertDelivery(platform, fastEndpoint));

    webhooksOf(platform).services.dispatcher.kick();
    await eventually(async () => {
      for (const d of fastDeliveries) {
        expect(await deliveryRow(platform, d.id)).toMatchObject({ status: 'SUCCEEDED' });
      }
    });
    // While the fast endpoint got everything, the slow one has answered nothing yet.
    expect(held.length).toBeGreaterThan(0);
    expect(slow.open).toBe(held.length);
    expect(slow.maxOpen).toBeLessThanOrEqual(2);
    for (const d of slowDeliveries) expect(await attemptsOf(platform, d.id)).toHaveLength(0);

    slow.answer = answerWith(204);
    for (const res of held.splice(0)) res.writeHead(204).end();
    await settle(platform);
    for (const d of slowDeliveries) {
      expect(await deliveryRow(platform, d.id)).toMatchObject({ status: 'SUCCEEDED' });
    }
    expect(slow.hooks).toHaveLength(5);
    expect(slow.maxOpen).toBe(2);
  });

  it('a huge body, a receiver that never answers and a reset connection each cost one bounded attempt', async () => {
    const huge = await receiver([], (_hook, _req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'y');
      let sent = 0;
      const pump = () => {
        while (sent < 1024 && res.write(chunk)) sent += 1;
        if (sent < 1024) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const silent = await receiver([], () => undefined);
    const reset = await receiver([], (_hook, req) => req.socket.resetAndDestroy());
    const targets: { id: string }[] = [];
    for (const r of [huge, silent, reset]) {
      const endpoint = await insertEndpoint(platform, { url: r.url });
      r.secrets.push(endpoint.secret);
      targets.push(await insertDelivery(platform, endpoint));
    }
    await settle(platform);
    const [hugeAttempts, silentAttempts, resetAttempts] = await Promise.all(
      targets.map((d) => attemptsOf(platform, d.id)),
    );
    expect(hugeAttempts).toEqual([
      expect.objectContaining({
        response_status: 200,
        response_body: 'y'.repeat(1024),
        error: null,
      }),
    ]);
    expect(silentAttempts).toEqual([
      expect.objectContaining({ response_status: null, error: 'timeout' }),
    ]);
    expect(silentAttempts[0]!.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(silentAttempts[0]!.duration_ms).toBeLessThan(TIMEOUT_MS + 2000);
    expect(resetAttempts).toEqual([
      expect.objectContaining({ response_status: null, error: 'connection reset' }),
    ]);
    expect(await deliveryRow(platform, targets[0]!.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await deliveryRow(platform, targets[1]!.id)).toMatchObject({
      status: 'PENDING',
      attempt_count: 1,
    });
    expect(await deliveryRow(platform, targets[2]!.id)).toMatchObject({
      status: 'PENDING',
      attempt_count: 1,
    });
  });

  it('refuses names that resolve to private, metadata or mixed addresses before any connection (stubbed resolver)', async () => {
    const r = await receiver([], answerWith(204));
    const names: Record<string, string[]> = {
      'private.hooks.test': ['10.0.0.8'],
      'metadata.hooks.test': ['169.254.169.254'],
      'mixed.hooks.test': ['127.0.0.1', '192.168.0.1'],
      'mapped.hooks.test': ['::ffff:172.16.0.1'],
      'loopback.hooks.test': ['127.0.0.1'],
    };
    const lookup = jest.fn<ReturnType<HostLookup>, Parameters<HostLookup>>(async (host) =>
      (names[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
    const { hosts } = webhooksOf(platform).services;
    const system = hosts.lookup;
    hosts.lookup = lookup;
    try {
      const refused: { id: string }[] = [];
      for (const host of Object.keys(names).filter((n) => !n.startsWith('loopback'))) {
        const endpoint = await insertEndpoint(platform, { url: `http://${host}:${r.port}/hook` });
        refused.push(await insertDelivery(platform, endpoint));
      }
      await settle(platform);
      for (const d of refused) {
        expect(await attemptsOf(platform, d.id)).toEqual([
          expect.objectContaining({ response_status: null, error: 'refused address' }),
        ]);
      }
      expect(r.connections).toBe(0);
      // The same receiver behind a name that resolves to loopback only (allowed in tests) is reached.
      const allowed = await insertEndpoint(platform, {
        url: `http://loopback.hooks.test:${r.port}/hook`,
      });
      r.secrets.push(allowed.secret);
      const d = await insertDelivery(platform, allowed);
      await settle(platform);
      expect(await deliveryRow(platform, d.id)).toMatchObject({ status: 'SUCCEEDED' });
      expect(r.connections).toBe(1);
      expect(lookup.mock.calls.map(([host]) => host).sort()).toEqual(Object.keys(names).sort());
    } finally {
      hosts.lookup = system;
    }
  });

  it('signs with the old secret too for the 24 h after a rotation, then with the new one only', async () => {
    const clock = webhooksOf(platform).services.clock;
    const old = generateSigningSecret();
    const r = await receiver([], answerWith(204));
    const endpoint = await insertEndpoint(platform, {
      url: r.url,
      previousSecret: { secret: old, expiresAt: new Date(clock.now().getTime() + 24 * h) },
    });
    // Each secret must verify alone (the receiver checks each of its secrets).
    r.secrets.push(endpoint.secret, old);
    await insertDelivery(platform, endpoint);
    await settle(platform);
    expect(r.hooks).toHaveLength(1);
    expect(r.hooks[0]!.verifyError).toBeUndefined();
    expect(r.hooks[0]!.signature.split(' ')).toHaveLength(2);

    clock.advance(24 * h + s);
    r.secrets.splice(0, r.secrets.length, endpoint.secret);
    await insertDelivery(platform, endpoint);
    await settle(platform);
    expect(r.hooks).toHaveLength(2);
    expect(r.hooks[1]!.verifyError).toBeUndefined();
    expect(r.hooks[1]!.signature.split(' ')).toHaveLength(1);
  });

  it('stopping cuts an attempt short and releases its delivery for the next process, unrecorded', async () => {
    const webhooks = webhooksOf(platform);
    const held: ServerResponse[] = [];
    const r = await receiver([], (_hook, _req, res) => held.push(res));
    const endpoint = await insertEndpoint(platform, { url: r.url });
    r.secrets.push(endpoint.secret);
    // A dispatcher of its own to stop (not the service), an hour ahead of the service's clock: the
    // delivery, due in 30 minutes, is due for it only, so it is the one that sends it.
    const ahead = {
      now: () => new Date(webhooks.services.clock.now().getTime() + h),
      advance: () => undefined,
    };
    const own = startDispatcher(
      { concurrency: 1, endpointConcurrency: 1, timeoutMs: 60_000, allowPrivate: true },
      {
        dataSource: webhooks.dataSource,
        clock: ahead,
        secrets: webhooks.services.secrets,
        logger: platform.deps.logger,
      },
    );
    // Earlier tests' retries (due an hour ahead) out of the way: `own` sends one delivery at a time.
    await webhooks.dataSource.query(
      `UPDATE ${schema(platform)}.deliveries SET status = 'FAILED' WHERE status = 'PENDING'`,
    );
    const delivery = await insertDelivery(platform, endpoint, {
      dueAt: new Date(webhooks.services.clock.now().getTime() + 30 * min),
    });
    own.kick();
    await eventually(async () => expect(held).toHaveLength(1));
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await deliveryRow(platform, delivery.id)).toMatchObject({
      status: 'PENDING',
      attempt_count: 0,
      lease_until: null,
    });
    expect(await attemptsOf(platform, delivery.id)).toEqual([]);
    // The service's dispatcher sends it when due, not after a lapsed lease (an hour and a minute).
    r.answer = answerWith(204);
    await advance(platform, 31 * min);
    expect(await deliveryRow(platform, delivery.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(new Set(r.hooks.map((hook) => hook.id))).toEqual(new Set([delivery.eventId]));
  });

  it('holds a process to WEBHOOKS_CONCURRENCY attempts in flight over all endpoints', async () => {
    const webhooks = webhooksOf(platform);
    const held: ServerResponse[] = [];
    const r = await receiver([], (_hook, _req, res) => held.push(res));
    // As in the stopping case: a dispatcher of its own, an hour ahead, so only it sends these.
    const ahead = {
      now: () => new Date(webhooks.services.clock.now().getTime() + h),
      advance: () => undefined,
    };
    const own = startDispatcher(
      { concurrency: 3, endpointConcurrency: 2, timeoutMs: 60_000, allowPrivate: true },
      {
        dataSource: webhooks.dataSource,
        clock: ahead,
        secrets: webhooks.services.secrets,
        logger: platform.deps.logger,
      },
    );
    try {
      await webhooks.dataSource.query(
        `UPDATE ${schema(platform)}.deliveries SET status = 'FAILED' WHERE status = 'PENDING'`,
      );
      const dueAt = new Date(webhooks.services.clock.now().getTime() + 30 * min);
      for (let i = 0; i < 3; i += 1) {
        const endpoint = await insertEndpoint(platform, { url: r.url });
        r.secrets.push(endpoint.secret);
        for (let j = 0; j < 2; j += 1) await insertDelivery(platform, endpoint, { dueAt });
      }
      own.kick();
      await eventually(async () => expect(held).toHaveLength(3));
      // Three more are due (and each endpoint has room for one more), but the process has none.
      own.kick();
      r.answer = answerWith(204);
      for (const res of held.splice(0)) res.writeHead(204).end();
      await own.idle();
      expect(r.hooks).toHaveLength(6);
      expect(r.maxOpen).toBe(3);
    } finally {
      await own.stop();
    }
  });

  it('two dispatchers on one database never send one delivery twice; a lapsed lease is taken over', async () => {
    const webhooks = webhooksOf(platform);
    const r = await receiver([], (_hook, _req, res) => {
      // Answer a little later so the two dispatchers' work overlaps.
      setTimeout(() => res.writeHead(204).end(), 20);
    });
    const endpoint = await insertEndpoint(platform, { url: r.url });
    r.secrets.push(endpoint.secret);
    const second = startDispatcher(
      { concurrency: 8, endpointConcurrency: 8, timeoutMs: TIMEOUT_MS, allowPrivate: true },
      {
        dataSource: webhooks.dataSource,
        clock: webhooks.services.clock,
        secrets: webhooks.services.secrets,
        logger: platform.deps.logger,
      },
    );
    try {
      const deliveries: { id: string }[] = [];
      for (let i = 0; i < 20; i += 1) deliveries.push(await insertDelivery(platform, endpoint));
      webhooks.services.dispatcher.kick();
      second.kick();
      await Promise.all([webhooks.services.dispatcher.idle(), second.idle()]);
      // A dispatcher's idle() speaks for itself only: one whose claim found every row locked by
      // the other's claim went idle, then its next wake-up took a delivery the other had not got
      // to yet. Every delivery settled is the condition; the counts below then show none was
      // sent twice.
      await eventually(async () => {
        for (const d of deliveries)
          expect(await deliveryRow(platform, d.id)).toMatchObject({ status: 'SUCCEEDED' });
      });
      expect(r.hooks).toHaveLength(20);
      expect(new Set(r.hooks.map((hook) => hook.id)).size).toBe(20);
      for (const d of deliveries) expect(await attemptsOf(platform, d.id)).toHaveLength(1);

      // A delivery held by a process that died: untouched until the lease lapses, then sent once.
      const orphan = await insertDelivery(platform, endpoint);
      const leaseUntil = new Date(webhooks.services.clock.now().getTime() + 60 * s);
      await webhooks.dataSource.query(
        `UPDATE ${schemaOf(webhooks.dataSource)}.deliveries SET lease_until = $1 WHERE id = $2`,
        [leaseUntil, orphan.id],
      );
      await settle(platform);
      expect(await attemptsOf(platform, orphan.id)).toHaveLength(0);
      await advance(platform, 61 * s);
      expect(await deliveryRow(platform, orphan.id)).toMatchObject({
        status: 'SUCCEEDED',
        attempt_count: 1,
        lease_until: null,
      });
      expect(r.hooks).toHaveLength(21);
    } finally {
      await second.stop();
    }
  });
});
