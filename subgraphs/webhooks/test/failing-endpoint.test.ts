import {
  PLATFORM_SETUP_MS,
  startSmtpCapture,
  startTestPlatform,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import { addMember, orgWithAdmin } from '../../orgs/test/helpers';
import {
  advance,
  answerWith,
  disabledRecords,
  endpointRow,
  insertDelivery,
  insertEndpoint,
  settle,
  startReceiver,
  type Receiver,
} from './delivery-setup';

const h = 60 * 60 * 1000;

let platform: TestPlatform;
let smtp: SmtpCapture;
let receiver: Receiver | undefined;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  platform = await startTestPlatform({ WEBHOOKS_ALLOW_PRIVATE: 'true', SMTP_URL: smtp.url });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await receiver?.close();
  await platform?.stop();
  await smtp?.close();
}, PLATFORM_SETUP_MS);

describe('an endpoint failing for 5 days', () => {
  it('is disabled (FAILING) at the first failed attempt 5 days after its failures began, and its ADMINs get a mail', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const secondAdmin = await addMember(platform, orgId, 'ADMIN');
    const editor = await addMember(platform, orgId, 'EDITOR');
    receiver = await startReceiver([], answerWith(500));
    const endpoint = await insertEndpoint(platform, { url: receiver.url, organizationId: orgId });
    receiver.secrets.push(endpoint.secret);

    await insertDelivery(platform, endpoint);
    await settle(platform);
    const failingSince = (await endpointRow(platform, endpoint.id)).failing_since;
    expect(failingSince).not.toBeNull();

    // 4 days 23 hours later: still failing, still enabled.
    await advance(platform, 119 * h);
    expect(await endpointRow(platform, endpoint.id)).toMatchObject({
      enabled: true,
      disabled_reason: null,
      failing_since: failingSince,
    });
    expect(receiver.hooks).toHaveLength(2);

    // Past 5 days: the next failed attempt disables it.
    await advance(platform, 2 * h);
    expect(receiver.hooks).toHaveLength(3);
    expect(await endpointRow(platform, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'FAILING',
    });
    expect(await disabledRecords(platform, endpoint.id)).toEqual({
      audit: [
        expect.objectContaining({
          organizationId: orgId,
          action: 'webhook.endpoint_disabled',
          metadata: expect.objectContaining({ reason: 'FAILING' }),
        }),
      ],
      changed: [
        expect.objectContaining({ endpointId: endpoint.id, change: 'disabled', reason: 'FAILING' }),
      ],
    });

    for (const to of [admin.email, secondAdmin.email]) {
      const mail = await smtp.waitFor(to, /webhook endpoint was disabled/);
      expect(mail.text).toContain(receiver.url);
    }
    // Nothing more is sent to it while it is disabled, and only ADMINs were told.
    await advance(platform, 24 * h);
    expect(receiver.hooks).toHaveLength(3);
    const notices = (to: string) =>
      smtp.to(to).filter((mail) => /webhook endpoint was disabled/.test(mail.subject));
    expect(notices(editor.email)).toEqual([]);
    expect(notices(admin.email)).toHaveLength(1);
  });
});
