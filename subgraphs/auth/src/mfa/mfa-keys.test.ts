import { MfaKeys } from './mfa-keys';
import { newRecoveryCode, normalizeRecoveryCode } from './recovery-codes';

const KEY = 'an-mfa-encryption-key-of-at-least-32-bytes';
const USER = 'c0a80101-0000-4000-8000-000000000001';
const OTHER = 'c0a80101-0000-4000-8000-000000000002';

describe('MfaKeys', () => {
  const keys = new MfaKeys(KEY);
  const secret = Buffer.from('12345678901234567890');

  it('seals with the key version first, a fresh IV each time, and opens for the same user only', () => {
    const a = keys.seal(secret, USER);
    const b = keys.seal(secret, USER);
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + secret.length + 16);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(secret)).toBe(false);
    expect(keys.open(a, USER)).toEqual(secret);
    expect(() => keys.open(a, OTHER)).toThrow();
  });

  it('refuses a tampered value, an unknown key version and another key', () => {
    const sealed = keys.seal(secret, USER);
    const flipped = Buffer.from(sealed);
    flipped[20] ^= 1;
    expect(() => keys.open(flipped, USER)).toThrow();
    const version = Buffer.from(sealed);
    version[0] = 9;
    expect(() => keys.open(version, USER)).toThrow('unknown MFA key version');
    expect(() => new MfaKeys(`${KEY}-other`).open(sealed, USER)).toThrow();
    expect(() => new MfaKeys('short')).toThrow();
  });

  it('hashes recovery codes with a key and the user: not a plain SHA-256, not portable between users', () => {
    const code = normalizeRecoveryCode('ABCDE-12345');
    expect(keys.hashRecoveryCode(USER, code)).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.hashRecoveryCode(USER, code)).not.toBe(keys.hashRecoveryCode(OTHER, code));
    expect(keys.hashRecoveryCode(USER, code)).not.toBe(
      new MfaKeys(`${KEY}-other`).hashRecoveryCode(USER, code),
    );
  });
});

describe('recovery codes', () => {
  it('look like xxxxx-xxxxx in an unambiguous alphabet and do not repeat', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('are read whatever the case, spaces or dashes', () => {
    expect(normalizeRecoveryCode(' AbCdE - 12345 ')).toBe('abcde12345');
  });
});
