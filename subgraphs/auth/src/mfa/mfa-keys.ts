import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The keys of MFA at rest, derived from MFA_ENCRYPTION_KEY (HKDF-SHA256, one purpose each): the
 * AES-256-GCM key that seals TOTP secrets, and the HMAC key of recovery-code hashes. The secret
 * itself never touches the database, so a copy of the database alone reveals neither.
 */
export class MfaKeys {
  /** The key version written into every sealed value; a rotation adds a version, old ones stay readable. */
  static readonly CURRENT_VERSION = 1;

  private readonly sealing: Map<number, Buffer>;
  private readonly codeHashing: Buffer;

  constructor(secret: string | Buffer) {
    const root = Buffer.from(secret);
    if (root.length < 32) throw new Error('MFA_ENCRYPTION_KEY must be at least 32 bytes');
    this.sealing = new Map([[MfaKeys.CURRENT_VERSION, derive(root, 'bastion mfa totp-secret v1')]]);
    this.codeHashing = derive(root, 'bastion mfa recovery-code v1');
  }

  /**
   * `version (1 byte) | IV (12) | ciphertext | tag (16)`. The user id is the associated data: a
   * sealed secret copied onto another user's row does not open there.
   */
  seal(plain: Buffer, userId: string): Buffer {
    const version = MfaKeys.CURRENT_VERSION;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealing.get(version)!, iv);
    cipher.setAAD(Buffer.from(userId));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([version]), iv, body, cipher.getAuthTag()]);
  }

  /** The plain secret; throws when the value was tampered with, belongs to another user or to an unknown key. */
  open(sealed: Buffer, userId: string): Buffer {
    const key = this.sealing.get(sealed[0]);
    if (!key || sealed.length < 1 + 12 + 16) throw new Error('unknown MFA key version');
    const iv = sealed.subarray(1, 13);
    const tag = sealed.subarray(sealed.length - 16);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(userId));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(sealed.subarray(13, sealed.length - 16)),
      decipher.final(),
    ]);
  }

  /** A recovery code's stored form: keyed, so a leaked table cannot be brute-forced offline. */
  hashRecoveryCode(userId: string, normalizedCode: string): string {
    return createHmac('sha256', this.codeHashing)
      .update(`${userId}:${normalizedCode}`)
      .digest('hex');
  }
}

function derive(root: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), info, 32));
}
