import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  startWebhookReceiver,
  type TestPlatform,
  type TestUser,
  type WebhookReceiver,
} from '@bastion/testing';
import {
  JITTER,
  RETRY_DELAYS_MS,
  WEBHOOK_TEST_ENV,
  adminOfNewOrganization,
  advanceTo,
  drain,
  engineOf,
  type WebhooksAdmin,
  type WebhooksEngine,
} from './kit';

const HOUR = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The "Done when", tried as a new user would through the gateway: an ADMIN registers
 * http://127.0.0.1:<port>/hook, invites a member, and the receiver gets `member.invited` signed so
 * that `standardwebhooks` verifies it with the secret shown at creation. Then the receiver is down
 * for an hour of simulated time (the webhooks service's clock is moved, never slept through),
 * comes back, gets everything, and the delivery log shows every attempt.
 */
describe('webhooks: the journey of a new ADMIN (issue 20 "Done when")', () => {
  let platform: TestPlatform;
  let engine: WebhooksEngine;
  let receiver: WebhookReceiver;
  let user: TestUser;
  let admin: WebhooksAdmin;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    platform = await startTestPlatform(WEBHOOK_TEST_ENV);
    engine = engineOf(platform);
    // Only the webhooks service's clock moves: webhook-timestamp is the real time of sending
    // (dispatcher.ts), so the receiver judges it in real time, as a tenant's receiver would.
    receiver = await startWebhookReceiver();
    ({ user, admin } = await adminOfNewOrganization(platform));
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await receiver?.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  it('an ADMIN registers a local endpoint, invites a member, and the receiver verifies member.invited', async () => {
    endpoint = await admin.createEndpoint(receiver.url, ['member.invited'], 'our CRM');
    // Standard Webhooks: whsec_ and the base64 of 24 random bytes.
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64')).toHaveLength(24);
    receiver.acceptSecrets(endpoint.secret);

    const invitation = await admin.invite();
    const [got] = await receiver.waitFor((r) => r.type === 'member.invited');
    expect(got.verified).toBe(true);
    expect(got.verifiedWith).toEqual([endpoint.secret]);
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hook');
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.id).toMatch(UUID);
    // The body is exactly { type, timestamp, data } with the catalog's documented fields.
    expect(Object.keys(got.payload!).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(got.payload).toEqual({
      type: 'member.invited',
      timestamp: expect.any(String),
      data: {
        organizationId: admin.organizationId,
        invitationId: invitation.id,
        email: invitation.email,
        role: 'VIEWER',
        actorId: user.id,
      },
    });
    expect(new Date(got.payload!.timestamp!).toISOString()).toBe(got.payload!.timestamp);

    // The log through GraphQL: the delivery, its event id as webhook-id, one successful attempt.
    const log = await eventually(async () => {
      const [delivery] = await admin.deliveries(endpoint.id);
      expect(delivery.status).toBe('SUCCEEDED');
      return delivery;
    });
    expect(log).toMatchObject({
      eventId: got.id,
      eventType: 'member.invited',
      status: 'SUCCEEDED',
      nextAttemptAt: null,
      attempts: [{ responseStatus: 204, error: null }],
    });
    expect(log.attempts[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('the receiver down for an hour of simulated time gets everything once it is back, and the log shows each attempt', async () => {
    await receiver.down();
    const before = receiver.received.length;
    const invited = [await admin.invite(), await admin.invite()];
    // Each tried at once and refused (its 5 s retry may come by itself meanwhile).
    const pending = await eventually(async () => {
      const rows = await admin.deliveries(endpoint.id, { status: 'PENDING' });
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row.attempts.length).toBeGreaterThanOrEqual(1);
      return rows;
    });
    const wentDown = new Date(
      Math.min(...pending.flatMap((d) => d.attempts.map((a) => Date.parse(a.at)))),
    );

    // An hour passes: the clock goes from one due retry to the next, as the log announces them.
    await drain(engine, admin, endpoint.id, new Date(wentDown.getTime() + HOUR));
    await advanceTo(engine, new Date(wentDown.getTime() + HOUR));
    expect(receiver.received.length).toBe(before);

    // Back up: the next scheduled retry of each delivers everything.
    await receiver.up();
    await drain(engine, admin, endpoint.id);
    const arrived = receiver.received.slice(before);
    expect(new Set(arrived.map((r) => r.payload?.data?.invitationId))).toEqual(
      new Set(invited.map((i) => i.id)),
    );
    // Once each (nothing is sent twice after it succeeded), every one verified.
    expect(arrived).toHaveLength(2);
    expect(arrived.map((r) => [r.verificationErrors, r.answered])).toEqual([
      [[], 204],
      [[], 204],
    ]);

    const log = await eventually(async () => {
      const rows = (await admin.deliveries(endpoint.id)).filter((d) =>
        arrived.some((r) => r.id === d.eventId),
      );
      expect(rows.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      return rows;
    });
    for (const delivery of log) {
      const attempts = [...delivery.attempts].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      // The schedule (5 s, 5 min, 30 min, then 2 h, each ±20%) fits four attempts in the hour.
      expect(attempts).toHaveLength(5);
      for (const failed of attempts.slice(0, 4)) {
        expect(failed).toMatchObject({ responseStatus: null, error: expect.any(String) });
        expect(failed.durationMs).toBeGreaterThanOrEqual(0);
      }
      expect(attempts[4]).toMatchObject({ responseStatus: 204, error: null });
      expect(delivery.nextAttemptAt).toBeNull();
      attempts.slice(1).forEach((attempt, i) => {
        const gap = Date.parse(attempt.at) - Date.parse(attempts[i].at);
        // No earlier than the delay's low end; later than its high end only by the real time that
        // passed while the test moved the clock.
        const low = RETRY_DELAYS_MS[i] * (1 - JITTER) - 1_000;
        const high = RETRY_DELAYS_MS[i] * (1 + JITTER) + 30_000;
        expect({ retry: i + 1, gap, inSchedule: gap >= low && gap <= high }).toEqual({
          retry: i + 1,
          gap,
          inSchedule: true,
        });
      });
    }
    expect(receiver.unverified()).toEqual([]);
  });
});
