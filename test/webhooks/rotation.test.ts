import {
  PLATFORM_SETUP_MS,
  startTestPlatform,
  startWebhookReceiver,
  type ReceivedWebhook,
  type TestPlatform,
  type WebhookReceiver,
} from '@bastion/testing';
import {
  ROTATION_OVERLAP_MS,
  WEBHOOK_TEST_ENV,
  adminOfNewOrganization,
  advanceTo,
  engineOf,
  type WebhooksAdmin,
  type WebhooksEngine,
} from './kit';

/**
 * A secret rotation as the receiver sees it: from the rotation on, every delivery carries
 * `v1,<new> v1,<old>` so a receiver still holding the old secret keeps verifying for 24 hours
 * (of the webhooks service's clock, moved by the test), and after that only the new one signs.
 * Every verdict is the `standardwebhooks` library's.
 */
describe('webhooks: secret rotation', () => {
  let platform: TestPlatform;
  let engine: WebhooksEngine;
  let receiver: WebhookReceiver;
  let admin: WebhooksAdmin;

  beforeAll(async () => {
    platform = await startTestPlatform(WEBHOOK_TEST_ENV);
    engine = engineOf(platform);
    receiver = await startWebhookReceiver();
    ({ admin } = await adminOfNewOrganization(platform));
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await receiver?.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  /** Sends webhook.ping and returns what the receiver got for it. */
  const ping = async (endpointId: string): Promise<ReceivedWebhook> => {
    const { eventId } = await admin.ping(endpointId);
    const [got] = await receiver.waitFor((r) => r.id === eventId);
    return got;
  };

  it('signs with the new and the old secret for 24 hours, then with the new one only', async () => {
    const endpoint = await admin.createEndpoint(receiver.url, ['member.invited']);
    const old = endpoint.secret;
    receiver.acceptSecrets(old);

    const before = await ping(endpoint.id);
    expect(before.type).toBe('webhook.ping');
    expect(before.payload?.data).toEqual({
      endpointId: endpoint.id,
      organizationId: admin.organizationId,
    });
    expect(before.signatures).toEqual([{ signature: expect.stringMatching(/^v1,/), secret: old }]);

    const rotatedAt = engine.clock.now();
    const fresh = await admin.rotate(endpoint.id);
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(fresh).not.toBe(old);
    receiver.acceptSecrets(fresh, old);

    // A bus event's delivery and a ping, both right after the rotation: both signatures, new first.
    const invitation = await admin.invite();
    const [invited] = await receiver.waitFor(
      (r) => r.type === 'member.invited' && r.payload?.data?.invitationId === invitation.id,
    );
    const justAfter = await ping(endpoint.id);
    for (const got of [invited, justAfter]) {
      expect(got.verifiedWith.sort()).toEqual([fresh, old].sort());
      expect(got.signatures.map((s) => s.secret)).toEqual([fresh, old]);
    }

    // A minute before the overlap ends: the old secret still verifies.
    await advanceTo(engine, new Date(rotatedAt.getTime() + ROTATION_OVERLAP_MS - 60_000));
    const lastHour = await ping(endpoint.id);
    expect(lastHour.signatures.map((s) => s.secret)).toEqual([fresh, old]);

    // A minute after: only the new one signs; a receiver still on the old secret refuses it.
    await advanceTo(engine, new Date(rotatedAt.getTime() + ROTATION_OVERLAP_MS + 60_000));
    const after = await ping(endpoint.id);
    expect(after.signatures.map((s) => s.secret)).toEqual([fresh]);
    expect(after.verifiedWith).toEqual([fresh]);
    expect(after.headers['webhook-signature']).not.toContain(' ');

    expect(receiver.unverified()).toEqual([]);
    // Every request is accounted for: five deliveries, each verified and accepted.
    expect(receiver.received.map((r) => [r.type, r.answered])).toEqual([
      ['webhook.ping', 204],
      ['member.invited', 204],
      ['webhook.ping', 204],
      ['webhook.ping', 204],
      ['webhook.ping', 204],
    ]);
  });
});
