import { randomUUID } from 'node:crypto';
import { EndpointSecrets, generateSigningSecret } from './endpoint-secrets';

const KEY = 'a-webhooks-encryption-key-of-32-bytes-or-more';

describe('endpoint signing secrets', () => {
  it('are whsec_ and base64 of 24 random bytes (Standard Webhooks)', () => {
    const secrets = new Set(Array.from({ length: 20 }, generateSigningSecret));
    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    }
  });

  it('open only with the same key and endpoint id, and not once altered', () => {
    const keys = new EndpointSecrets(KEY);
    const id = randomUUID();
    const secret = generateSigningSecret();
    const sealed = keys.seal(secret, id);
    expect(sealed.toString('latin1')).not.toContain(secret.slice(6));
    expect(keys.open(sealed, id)).toBe(secret);
    // Sealed twice: different bytes (a fresh IV each time), the same secret.
    expect(keys.seal(secret, id).equals(sealed)).toBe(false);
    expect(() => keys.open(sealed, randomUUID())).toThrow();
    expect(() => new EndpointSecrets(`${KEY}-other`).open(sealed, id)).toThrow();
    for (const at of [0, 1, 20, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at] ^= 1;
      expect(() => keys.open(altered, id)).toThrow();
    }
    expect(() => keys.open(sealed.subarray(0, 20), id)).toThrow();
  });

  it('refuse a key under 32 bytes', () => {
    expect(() => new EndpointSecrets('short')).toThrow('at least 32 bytes');
  });
});
