import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Standard Webhooks' secret format: the prefix, then base64 of the key's bytes. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 24;

/** A new signing secret: `whsec_` + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/**
 * Endpoint signing secrets at rest, sealed with AES-256-GCM under a key derived from
 * WEBHOOKS_ENCRYPTION_KEY (HKDF-SHA256), so a copy of the database alone signs nothing. The
 * endpoint id is the associated data: a sealed secret copied onto another endpoint does not open.
 */
export class EndpointSecrets {
  /** The key version written into every sealed value; a rotation of the key adds a version. */
  static readonly CURRENT_VERSION = 1;

  private readonly keys: Map<number, Buffer>;

  constructor(secret: string | Buffer) {
    const root = Buffer.from(secret);
    if (root.length < 32) throw new Error('WEBHOOKS_ENCRYPTION_KEY must be at least 32 bytes');
    this.keys = new Map([
      [
        EndpointSecrets.CURRENT_VERSION,
        Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'bastion webhooks secret v1', 32)),
      ],
    ]);
  }

  /** `version (1 byte) | IV (12) | ciphertext | tag (16)`. */
  seal(plain: string, endpointId: string): Buffer {
    const version = EndpointSecrets.CURRENT_VERSION;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(version)!, iv);
    cipher.setAAD(Buffer.from(endpointId));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([version]), iv, body, cipher.getAuthTag()]);
  }

  /** The `whsec_...` secret; throws when the value was altered, is another endpoint's or under an unknown key. */
  open(sealed: Buffer, endpointId: string): string {
    const key = this.keys.get(sealed[0]);
    if (!key || sealed.length < 1 + 12 + 16) throw new Error('unknown webhooks key version');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(endpointId));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([
      decipher.update(sealed.subarray(13, sealed.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }
}
