/**
 * The time every row the webhooks service writes is stamped with (never SQL now()): the system's
 * clock plus an offset that starts at 0 and that only tests move, so a retry due in five hours is
 * reached by moving the clock, not by waiting.
 */
export interface Clock {
  now(): Date;
  /** Moves this clock forward (tests). */
  advance(ms: number): void;
}

export function createClock(): Clock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('a clock only moves forward');
      offsetMs += ms;
    },
  };
}
