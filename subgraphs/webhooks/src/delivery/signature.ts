import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from '../secrets/endpoint-secrets';

/**
 * Standard Webhooks v1 signatures: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
 * where the key is the base64 after the `whsec_` prefix and the timestamp is in whole seconds.
 * During a rotation every live secret signs, space separated, so a receiver holding either one
 * verifies.
 */

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('empty webhook secret');
  return key;
}

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestampSeconds}.`)
    .update(body, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers for one attempt; `secrets` newest first. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  sentAt: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}
