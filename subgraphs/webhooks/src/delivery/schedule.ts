/**
 * When a failed delivery is tried again: after attempt n fails, the n-th delay of the schedule
 * (8 attempts in all), each with +-20% jitter so a receiver that comes back is not hit by every
 * queued delivery in the same second. A 429 or 503 with Retry-After waits at least that long,
 * capped at a day.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay after the 1st, 2nd, ... failed attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

/** The first attempt plus one per delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export const JITTER = 0.2;

export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/** `random` returns [0, 1), like Math.random; tests pass a fixed one. */
export type Random = () => number;

/** The jittered delay after failed attempt `attempt` (1-based), or null when none is left. */
export function retryDelayMs(attempt: number, random: Random = Math.random): number | null {
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110
 * section 10.2.3). Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * SECOND;
  // An HTTP date names its day of the week; a bare number or other text is not one.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export interface FailedAttempt {
  /** 1-based number of the attempt that failed. */
  attempt: number;
  /** The response status, when there was a response. */
  status?: number;
  /** The Retry-After header of that response. */
  retryAfter?: string;
  now: Date;
}

/** Milliseconds until the next attempt, or null: the delivery has FAILED. */
export function nextAttemptDelay(
  failed: FailedAttempt,
  random: Random = Math.random,
): number | null {
  const delay = retryDelayMs(failed.attempt, random);
  if (delay === null) return null;
  if (failed.status !== 429 && failed.status !== 503) return delay;
  const asked = parseRetryAfter(failed.retryAfter, failed.now);
  if (asked === undefined) return delay;
  return Math.min(Math.max(delay, asked), MAX_RETRY_AFTER_MS);
}
