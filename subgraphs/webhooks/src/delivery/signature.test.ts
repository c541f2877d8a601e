import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateSigningSecret as generateWebhookSecret } from '../secrets/endpoint-secrets';
import { signWebhook, webhookHeaders } from './signature';

// The verifier is the standardwebhooks library, an independent implementation of the scheme.
describe('webhook signatures', () => {
  const body = JSON.stringify({
    type: 'member.invited',
    timestamp: '2026-12-07T12:00:00.000Z',
    data: { organizationId: 'o1', email: 'zoë@example.com' },
  });
  const id = '3f1c2a6e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';

  it('makes whsec_ secrets of 24 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('is verified by standardwebhooks, body parsed back', () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders([secret], id, new Date(), body);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('matches the library signature byte for byte (whole-second timestamp)', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-12-07T12:34:56.789Z');
    expect(signWebhook(secret, id, Math.floor(at.getTime() / 1000), body)).toBe(
      new Webhook(secret).sign(id, at, body),
    );
  });

  it('signs with both secrets during a rotation; either verifies', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = webhookHeaders([current, previous], id, new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
  });

  it('is refused for another secret, another id or a changed body', () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders([secret], id, new Date(), body);
    const verify = (s: string, b: string, h: Record<string, string>) => () =>
      new Webhook(s).verify(b, h);
    expect(verify(generateWebhookSecret(), body, headers)).toThrow(WebhookVerificationError);
    expect(verify(secret, body.replace('o1', 'o2'), headers)).toThrow(WebhookVerificationError);
    expect(verify(secret, body, { ...headers, 'webhook-id': 'other' })).toThrow(
      WebhookVerificationError,
    );
  });
});
