import { availableParallelism } from 'node:os';

/**
 * Hashes at once: every core this process may run on but one, which stays with the event loop
 * (at least one hash); ARGON2_MAX_CONCURRENT sets another number. availableParallelism honours
 * CPU affinity, so a process pinned to one core hashes one at a time and a concurrent request
 * still gets about half the core (bench/REPORT.md: with two hashes on one core it kept about a
 * third); the hash rate of a core is the same.
 */
export const DEFAULT_MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

/**
 * Hashes waiting for a slot (ARGON2_MAX_QUEUE): at the default argon2id settings one core verifies
 * 32-43 a second (bench/REPORT.md, raw argon2id), so 32 in line is about a second of wait; past it
 * a check is refused at once instead of making every sign-in slower.
 */
export const DEFAULT_MAX_QUEUED_HASHES = 32;

/** What a HashSlots holds right now. */
export interface HashSlotStats {
  running: number;
  waiting: number;
}

/**
 * At most `maxRunning` jobs at once and at most `maxWaiting` in line; beyond that `run` refuses
 * at once (`refuse` builds the error, given the seconds the line needs to drain). A finished job
 * hands its slot straight to the oldest waiter: a slot is never free while someone waits, so a
 * newcomer can never take it first, and waiters start in the order they came.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Moving average of a job's duration, for the retry estimate. */
  private averageMs = 0;

  constructor(
    private readonly maxRunning: number,
    private readonly maxWaiting: number,
    private readonly refuse: (retryAfterSeconds: number) => Error,
  ) {}

  stats(): HashSlotStats {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) this.running += 1;
    else if (this.waiting.length >= this.maxWaiting) throw this.refuse(this.drainSeconds());
    // Woken by a finishing job that keeps `running` as it is: its slot is now ours.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.averageMs = this.averageMs * 0.8 + (Date.now() - started) * 0.2;
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Seconds until everyone in line has started, by the recent pace; at least 1. */
  private drainSeconds(): number {
    const ahead = this.waiting.length + this.running;
    return Math.max(1, Math.ceil((ahead * this.averageMs) / this.maxRunning / 1000));
  }
}
