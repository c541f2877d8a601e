import { Secret } from 'otpauth';
import { matchTotp, timeStep, totpCode, totpProvisioning } from './totp';

/**
 * RFC 6238 Appendix B, the SHA-1 rows: seed "12345678901234567890" (20 bytes), 30-second steps,
 * 8 digits. Copied from the RFC, not computed here.
 */
const RFC6238_SHA1: [seconds: number, step: string, code: string][] = [
  [59, '0000000000000001', '94287082'],
  [1111111109, '00000000023523EC', '07081804'],
  [1111111111, '00000000023523ED', '14050471'],
  [1234567890, '000000000273EF07', '89005924'],
  [2000000000, '0000000003F940AA', '69279037'],
  [20000000000, '0000000027BC86AA', '65353130'],
];
const SEED = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it.each(RFC6238_SHA1)('at %i s: step %s, code %s', (seconds, step, code) => {
    expect(timeStep(seconds * 1000)).toBe(parseInt(step, 16));
    expect(totpCode(SEED, timeStep(seconds * 1000), 8)).toBe(code);
    expect(matchTotp(SEED, code, seconds * 1000, null, { digits: 8 })).toBe(parseInt(step, 16));
  });

  it('6 digits at 30 s: the last six of the RFC code (RFC 4226 truncation mod 10^6)', () => {
    for (const [seconds, , code] of RFC6238_SHA1)
      expect(totpCode(SEED, timeStep(seconds * 1000))).toBe(code.slice(2));
  });

  it('accepts one step of drift either side and nothing further', () => {
    const at = 1111111111 * 1000; // step 0x23523ED
    const step = timeStep(at);
    for (const [delta, accepted] of [
      [-2, false],
      [-1, true],
      [0, true],
      [1, true],
      [2, false],
    ] as const) {
      const code = totpCode(SEED, step + delta);
      expect(matchTotp(SEED, code, at, null)).toBe(accepted ? step + delta : null);
    }
  });

  it('refuses the last accepted step and any earlier one: a replayed code fails', () => {
    const at = 1234567890 * 1000;
    const step = timeStep(at);
    const code = totpCode(SEED, step);
    expect(matchTotp(SEED, code, at, step - 1)).toBe(step);
    expect(matchTotp(SEED, code, at, step)).toBeNull();
    expect(matchTotp(SEED, totpCode(SEED, step - 1), at, step)).toBeNull();
    expect(matchTotp(SEED, totpCode(SEED, step + 1), at, step)).toBe(step + 1);
  });

  it('refuses malformed codes', () => {
    const at = 59_000;
    for (const code of ['', '28708', '2870822', 'abcdef', '287 08a', '94287082'])
      expect(matchTotp(SEED, code, at, null)).toBeNull();
    expect(matchTotp(SEED, '287 082', at, null)).toBe(1);
  });

  it('provisions a base32 secret and an otpauth:// URI authenticator apps read', () => {
    const { secret, uri } = totpProvisioning(SEED, 'Bastion', 'ada@example.com');
    // RFC 4648 base32 of the ASCII seed.
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(Buffer.from(Secret.fromBase32(secret).bytes)).toEqual(SEED);
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Bastion:ada@example.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Bastion',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
