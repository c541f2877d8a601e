import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  startWebhookReceiver,
  type TestPlatform,
  type WebhookReceiver,
} from '@bastion/testing';
import {
  WEBHOOK_TEST_ENV,
  adminOfNewOrganization,
  advanceBy,
  advanceTo,
  engineOf,
  settle,
  type Delivery,
  type WebhooksAdmin,
  type WebhooksEngine,
} from './kit';

/**
 * Replay through GraphQL, as a tenant whose system lost what it had received: one delivery again,
 * then everything since a time. A replay sends the same event (same `webhook-id`, same body) and
 * keeps the earlier attempts in the log; a PENDING delivery's replay changes nothing.
 */
describe('webhooks: replay', () => {
  let platform: TestPlatform;
  let engine: WebhooksEngine;
  let receiver: WebhookReceiver;
  let admin: WebhooksAdmin;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    platform = await startTestPlatform(WEBHOOK_TEST_ENV);
    engine = engineOf(platform);
    receiver = await startWebhookReceiver();
    ({ admin } = await adminOfNewOrganization(platform));
    endpoint = await admin.createEndpoint(receiver.url, ['member.invited']);
    receiver.acceptSecrets(endpoint.secret);
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await receiver?.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  /** Invites `count` addresses and waits until the receiver accepted each invitation's event. */
  const inviteAndDeliver = async (count: number) => {
    const invitations = [];
    for (let i = 0; i < count; i += 1) invitations.push(await admin.invite());
    const ids = new Set(invitations.map((i) => i.id));
    await receiver.waitFor(
      (r) => r.answered === 204 && ids.has(String(r.payload?.data?.invitationId)),
      { count },
    );
    // And the log says so.
    const log = await eventually(async () => {
      const rows = (await admin.deliveries(endpoint.id)).filter((d) =>
        receiver.received.some(
          (r) => r.id === d.eventId && ids.has(String(r.payload?.data?.invitationId)),
        ),
      );
      expect(rows.map((d) => d.status)).toEqual(Array(count).fill('SUCCEEDED'));
      return rows;
    });
    return log;
  };

  it('replays one delivery: the same event again, its first attempt still in the log', async () => {
    const [delivery] = await inviteAndDeliver(1);
    const [first] = receiver.attemptsOf(delivery.eventId);

    const replayed = await admin.replay(delivery.id);
    expect(replayed).toMatchObject({ id: delivery.id, eventId: delivery.eventId });
    const [, again] = await receiver.waitFor((r) => r.id === delivery.eventId, { count: 2 });
    expect(again.body).toBe(first.body);
    expect(again.verified).toBe(true);

    const log = await eventually(async () => {
      const [row] = (await admin.deliveries(endpoint.id)).filter((d) => d.id === delivery.id);
      expect(row.status).toBe('SUCCEEDED');
      expect(row.attempts).toHaveLength(2);
      return row;
    });
    expect(log.attempts.map((a) => a.responseStatus)).toEqual([204, 204]);
  });

  it('replaying a PENDING delivery changes nothing and sends nothing more', async () => {
    // Answered 503 with Retry-After of an hour: the retry waits for that hour (of the clock).
    receiver.replyNext({ status: 503, headers: { 'retry-after': '3600' } });
    const invitation = await admin.invite();
    const [failed] = await receiver.waitFor(
      (r) => r.payload?.data?.invitationId === invitation.id && r.answered === 503,
    );
    const pending = await eventually(async () => {
      const [row] = (await admin.deliveries(endpoint.id)).filter((d) => d.eventId === failed.id);
      expect(row).toMatchObject({ status: 'PENDING', attempts: [{ responseStatus: 503 }] });
      return row;
    });
    const waited = Date.parse(pending.nextAttemptAt!) - Date.parse(pending.attempts[0].at);
    expect(waited).toBeGreaterThanOrEqual(3_600_000 - 1_000);

    const replayed = await admin.replay(pending.id);
    expect(replayed).toMatchObject({ id: pending.id, status: 'PENDING' });
    await settle(engine);
    const [row] = (await admin.deliveries(endpoint.id)).filter((d) => d.id === pending.id);
    expect(row.attempts).toHaveLength(1);
    expect(row.nextAttemptAt).toBe(pending.nextAttemptAt);
    expect(receiver.attemptsOf(failed.id!)).toHaveLength(1);

    // Its retry, when due, succeeds as usual.
    await advanceTo(engine, new Date(pending.nextAttemptAt!));
    await receiver.waitFor((r) => r.id === failed.id && r.answered === 204);
  });

  it('replays every delivery since a time, and none before it', async () => {
    // Settle what came before, then put ten minutes between it and the deliveries to replay.
    await eventually(async () =>
      expect(await admin.deliveries(endpoint.id, { status: 'PENDING' })).toEqual([]),
    );
    await advanceBy(engine, 10 * 60_000);
    const since = engine.clock.now();
    const before = await admin.deliveries(endpoint.id);
    const older = before.map((d) => d.eventId);
    const attemptsBefore = new Map(before.map((d) => [d.id, d.attempts.length]));
    const recent: Delivery[] = await inviteAndDeliver(3);
    const seen = receiver.received.length;

    expect(await admin.replaySince(endpoint.id, since)).toBe(3);
    await eventually(async () => {
      await settle(engine);
      const replayed = receiver.received.slice(seen);
      expect(new Set(replayed.map((r) => r.id))).toEqual(new Set(recent.map((d) => d.eventId)));
    });
    const replayed = receiver.received.slice(seen);
    expect(replayed).toHaveLength(3);
    expect(replayed.every((r) => r.verified && r.answered === 204)).toBe(true);
    expect(replayed.some((r) => older.includes(r.id!))).toBe(false);

    // The replayed ones have a second attempt; the older ones kept theirs.
    const attemptsAfter = new Map(
      (await admin.deliveries(endpoint.id)).map((d) => [d.id, d.attempts.length]),
    );
    for (const delivery of recent) expect(attemptsAfter.get(delivery.id)).toBe(2);
    for (const [id, count] of attemptsBefore)
      expect([id, attemptsAfter.get(id)]).toEqual([id, count]);
    expect(receiver.unverified()).toEqual([]);
  });
});
