import { MAX_ATTEMPTS, nextAttemptDelay, parseRetryAfter, retryDelayMs } from './schedule';

const s = 1000;
const min = 60 * s;
const h = 60 * min;
// The schedule, written out by hand: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const SCHEDULE = [5 * s, 5 * min, 30 * min, 2 * h, 5 * h, 10 * h, 10 * h];

describe('retry schedule', () => {
  it('has 8 attempts in all', () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect(retryDelayMs(8)).toBeNull();
    expect(retryDelayMs(9)).toBeNull();
  });

  it.each(SCHEDULE.map((delay, i) => [i + 1, delay]))(
    'after attempt %i waits %i ms, +-20%',
    (attempt, delay) => {
      expect(retryDelayMs(attempt, () => 0.5)).toBe(delay);
      expect(retryDelayMs(attempt, () => 0)).toBe(Math.round(delay * 0.8));
      expect(retryDelayMs(attempt, () => 0.999999)).toBeLessThanOrEqual(delay * 1.2);
      expect(retryDelayMs(attempt, () => 0.999999)).toBeGreaterThan(delay * 1.199);
      for (let i = 0; i < 50; i += 1) {
        const jittered = retryDelayMs(attempt)!;
        expect(jittered).toBeGreaterThanOrEqual(delay * 0.8);
        expect(jittered).toBeLessThanOrEqual(delay * 1.2);
      }
    },
  );

  it('spreads the 8 attempts over 27 h 35 min 5 s without jitter', () => {
    let total = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1)
      total += retryDelayMs(attempt, () => 0.5)!;
    expect(total).toBe(27 * h + 35 * min + 5 * s);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-12-07T12:00:00Z');

  it.each([
    ['120', 120 * s],
    [' 0 ', 0],
    ['Mon, 07 Dec 2026 13:00:00 GMT', h],
    ['Mon, 07 Dec 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p -> %p ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  const half = () => 0.5;
  it('429 and 503 wait the longer of the schedule and Retry-After', () => {
    expect(nextAttemptDelay({ attempt: 1, status: 429, retryAfter: '60', now }, half)).toBe(60 * s);
    expect(nextAttemptDelay({ attempt: 1, status: 503, retryAfter: '1', now }, half)).toBe(5 * s);
    expect(nextAttemptDelay({ attempt: 3, status: 503, retryAfter: '60', now }, half)).toBe(
      30 * min,
    );
  });

  it('caps Retry-After at 24 hours', () => {
    expect(nextAttemptDelay({ attempt: 1, status: 429, retryAfter: '999999', now }, half)).toBe(
      24 * h,
    );
    expect(
      nextAttemptDelay(
        { attempt: 1, status: 503, retryAfter: 'Fri, 01 Jan 2027 00:00:00 GMT', now },
        half,
      ),
    ).toBe(24 * h);
  });

  it('is ignored on other statuses, and never revives the last attempt', () => {
    expect(nextAttemptDelay({ attempt: 1, status: 500, retryAfter: '600', now }, half)).toBe(5 * s);
    expect(nextAttemptDelay({ attempt: 8, status: 429, retryAfter: '60', now }, half)).toBeNull();
    expect(nextAttemptDelay({ attempt: 2, now }, half)).toBe(5 * min);
  });
});
