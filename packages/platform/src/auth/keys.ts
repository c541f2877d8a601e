import { createHash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/** Derives an independent HMAC key from a root secret, so one secret never signs two kinds of token. */
export function deriveKey(rootSecret: string, purpose: string): KeyObject {
  const bytes = hkdfSync(
    'sha256',
    Buffer.from(rootSecret),
    Buffer.alloc(0),
    Buffer.from(`bastion:${purpose}`),
    32,
  );
  return createSecretKey(Buffer.from(bytes));
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
