import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_SECRET_BYTES = 20;
/** One step either side: a phone clock a little off, or a code typed as it changed. */
export const TOTP_DRIFT_STEPS = 1;

export interface TotpParameters {
  digits?: number;
  periodSeconds?: number;
}

/** The time step (RFC 6238's T) of a moment. */
export function timeStep(atMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(atMs / 1000 / periodSeconds);
}

/** The code of one time step (RFC 4226's HOTP over T). */
export function totpCode(secret: Buffer, step: number, digits = TOTP_DIGITS): string {
  return HOTP.generate({
    secret: new Secret({ buffer: bufferOf(secret) }),
    algorithm: 'SHA1',
    digits,
    counter: step,
  });
}

/**
 * The time step a code belongs to, within one step of drift, if it is later than `lastStep`
 * (the last step a code was accepted for: a code is good once, and never an older one after a
 * newer); null otherwise. Every candidate is compared in constant time.
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  atMs: number,
  lastStep: number | null,
  { digits = TOTP_DIGITS, periodSeconds = TOTP_PERIOD_SECONDS }: TotpParameters = {},
): number | null {
  const given = Buffer.from(code.replace(/\s/g, ''));
  if (given.length !== digits || !/^[0-9]+$/.test(given.toString())) return null;
  const now = timeStep(atMs, periodSeconds);
  let matched: number | null = null;
  for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step++) {
    const expected = Buffer.from(totpCode(secret, step, digits));
    if (timingSafeEqual(expected, given) && matched === null) matched = step;
  }
  if (matched === null || (lastStep !== null && matched <= lastStep)) return null;
  return matched;
}

/** The base32 secret (for typing) and the otpauth:// URI (for a QR code). */
export function totpProvisioning(
  secret: Buffer,
  issuer: string,
  account: string,
): { secret: string; uri: string } {
  const totp = new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: bufferOf(secret) }),
  });
  return { secret: totp.secret.base32, uri: totp.toString() };
}

function bufferOf(secret: Buffer): ArrayBuffer {
  return secret.buffer.slice(
    secret.byteOffset,
    secret.byteOffset + secret.byteLength,
  ) as ArrayBuffer;
}
