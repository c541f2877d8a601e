import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { eventually } from './users';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/**
 * The receiver the webhook tests trust: its verdicts must match the Standard Webhooks
 * specification, so the signatures here are computed by hand from the spec's definition
 * (v1 = base64(HMAC-SHA256(base64-decoded secret, "<id>.<timestamp>.<body>"))), not with the
 * library the receiver verifies with.
 */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

interface Sent {
  id: string;
  timestamp: number;
  body: string;
  signatures: string[];
}

function delivery(
  secrets: string[],
  { type = 'member.invited', at = new Date() }: { type?: string; at?: Date } = {},
): Sent {
  const id = randomUUID();
  const timestamp = Math.floor(at.getTime() / 1000);
  const body = JSON.stringify({ type, timestamp: at.toISOString(), data: { n: 1 } });
  return { id, timestamp, body, signatures: secrets.map((s) => signature(s, id, timestamp, body)) };
}

async function post(
  receiver: WebhookReceiver,
  sent: Sent,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(receiver.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': sent.id,
      'webhook-timestamp': String(sent.timestamp),
      'webhook-signature': sent.signatures.join(' '),
      ...init.headers,
    },
    body: sent.body,
    signal: init.signal,
  });
}

describe('webhook receiver (test harness)', () => {
  const receivers: WebhookReceiver[] = [];
  const start = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const receiver = await startWebhookReceiver(...args);
    receivers.push(receiver);
    return receiver;
  };
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
  });

  it('verifies a delivery signed as the spec says and keeps what arrived', async () => {
    const secret = newSecret();
    const receiver = await start({ secrets: [secret] });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hook$/);
    const sent = delivery([secret]);
    expect((await post(receiver, sent)).status).toBe(204);
    const [got] = receiver.received;
    expect(got).toMatchObject({
      method: 'POST',
      path: '/hook',
      id: sent.id,
      timestamp: String(sent.timestamp),
      body: sent.body,
      type: 'member.invited',
      verified: true,
      verifiedWith: [secret],
      answered: 204,
      abandoned: false,
    });
    expect(got.payload?.data).toEqual({ n: 1 });
    expect(got.headers['webhook-signature']).toBe(sent.signatures[0]);
    expect(got.signatures).toEqual([{ signature: sent.signatures[0], secret }]);
    expect(receiver.acceptedIds()).toEqual(new Set([sent.id]));
    expect(receiver.attemptsOf(sent.id)).toHaveLength(1);
  });

  it('refuses a wrong secret, a changed body, a changed id and missing headers', async () => {
    const secret = newSecret();
    const receiver = await start({ secrets: [secret] });
    const other = delivery([newSecret()]);
    const tampered = { ...delivery([secret]), body: '{"type":"member.removed"}' };
    const renamed = { ...delivery([secret]), id: randomUUID() };
    const unsigned = delivery([]);
    for (const sent of [other, tampered, renamed, unsigned]) await post(receiver, sent);
    expect(receiver.received.map((r) => r.verified)).toEqual([false, false, false, false]);
    expect(receiver.unverified()).toHaveLength(4);
    expect(receiver.received[0].verificationErrors).toEqual(['No matching signature found']);
    expect(receiver.received[3].verificationErrors).toEqual(['Missing required headers']);
  });

  it('during a rotation tells which of the accepted secrets verify a delivery', async () => {
    const [old, fresh] = [newSecret(), newSecret()];
    const receiver = await start({ secrets: [old, fresh] });
    await post(receiver, delivery([fresh, old]));
    await post(receiver, delivery([fresh]));
    await post(receiver, delivery([old]));
    expect(receiver.received.map((r) => r.verifiedWith)).toEqual([[old, fresh], [fresh], [old]]);
    expect(receiver.received[0].signatures.map((s) => s.secret)).toEqual([fresh, old]);
    receiver.acceptSecrets(fresh);
    await post(receiver, delivery([old]));
    expect(receiver.received[3].verified).toBe(false);
  });

  it("judges the timestamp against the receiver's clock (simulated time)", async () => {
    const secret = newSecret();
    let offset = 0;
    const receiver = await start({
      secrets: [secret],
      now: () => new Date(Date.now() + offset),
    });
    const hourAhead = delivery([secret], { at: new Date(Date.now() + 3_600_000) });
    await post(receiver, hourAhead);
    offset = 3_600_000;
    await post(receiver, hourAhead);
    await post(receiver, delivery([secret]));
    expect(receiver.received.map((r) => [r.verified, r.verificationErrors])).toEqual([
      [false, ['Message timestamp too new']],
      [true, []],
      [false, ['Message timestamp too old']],
    ]);
  });

  it('fails N times, answers 410 and Retry-After as scripted, then its default', async () => {
    const receiver = await start();
    receiver.failNext(2);
    receiver.replyNext({ status: 410 }, { status: 429, headers: { 'retry-after': '120' } });
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await post(receiver, delivery([]));
      statuses.push(response.status);
      retryAfter.push(response.headers.get('retry-after'));
    }
    expect(statuses).toEqual([500, 500, 410, 429, 204]);
    expect(retryAfter[3]).toBe('120');
    receiver.replyAlways({ status: 503, body: 'x'.repeat(5000) });
    const response = await post(receiver, delivery([]));
    expect([response.status, (await response.text()).length]).toEqual([503, 5000]);
    expect(receiver.accepted()).toHaveLength(1);
  });

  it('answers slowly when told to', async () => {
    const receiver = await start();
    receiver.replyNext({ status: 200, delayMs: 300 });
    const began = Date.now();
    expect((await post(receiver, delivery([]))).status).toBe(200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
  });

  it('goes down (connection refused) and comes back on the same port', async () => {
    const receiver = await start();
    const url = receiver.url;
    await receiver.down();
    expect(receiver.isUp).toBe(false);
    await expect(post(receiver, delivery([]))).rejects.toThrow();
    await receiver.up();
    expect(receiver.url).toBe(url);
    expect((await post(receiver, delivery([]))).status).toBe(204);
    expect(receiver.received).toHaveLength(1);
  });

  it('holds requests open until released, and notices a sender that leaves', async () => {
    const receiver = await start();
    receiver.hold();
    const first = post(receiver, delivery([]));
    const second = post(receiver, delivery([]));
    await receiver.waitHolding(2);
    const leaving = new AbortController();
    const third = post(receiver, delivery([]), { signal: leaving.signal });
    await receiver.waitHolding(3);
    leaving.abort();
    await expect(third).rejects.toThrow();
    await eventually(async () => expect(receiver.received[2].abandoned).toBe(true));
    expect(receiver.holdingCount).toBe(2);
    receiver.release();
    expect([(await first).status, (await second).status]).toEqual([204, 204]);
    expect(receiver.received.map((r) => r.answered)).toEqual([204, 204, undefined]);
  });

  it('drops held requests when it goes down', async () => {
    const receiver = await start();
    receiver.hold();
    const pending = post(receiver, delivery([]));
    await receiver.waitHolding(1);
    await receiver.down();
    await expect(pending).rejects.toThrow();
    await eventually(async () => expect(receiver.received[0].abandoned).toBe(true));
  });
});
