import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals secrets at rest (an OIDC client secret). `context` (the connection id) is bound in as
 * associated data: a sealed value copied onto another row does not open.
 *
 * Provisional: the mfa-core branch builds the AES-256-GCM sealing of MFA secrets (MfaKeys,
 * MFA_ENCRYPTION_KEY); at merge this interface is implemented by it and AesGcmSealer goes.
 */
export interface SecretSealer {
  seal(plain: Buffer, context: string): Buffer;
  open(sealed: Buffer, context: string): Buffer;
}

const VERSION = 1;

/** AES-256-GCM under a key derived (HKDF-SHA256) from `root`: version byte, IV, tag, ciphertext. */
export class AesGcmSealer implements SecretSealer {
  private readonly key: Buffer;

  constructor(root: string | Buffer) {
    if (Buffer.byteLength(root) < 32) throw new Error('the sealing key must be at least 32 bytes');
    this.key = Buffer.from(
      hkdfSync('sha256', root, Buffer.alloc(0), 'bastion sso client-secret v1', 32),
    );
  }

  seal(plain: Buffer, context: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): Buffer {
    if (sealed[0] !== VERSION) throw new Error('unknown sealing version');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  }
}
