import { availableParallelism } from 'node:os';
import argon2 from 'argon2';

/**
 * Hashes at once: every core this process may run on but one, which stays with the event loop
 * (at least one hash). availableParallelism honours CPU affinity, so a process pinned to one core
 * hashes one at a time and a concurrent request still gets about half the core (bench/REPORT.md:
 * with two hashes on one core it kept about a third); the hash rate of a core is the same.
 */
export const DEFAULT_MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

export interface Argon2Settings {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
  /** Application-wide secret mixed into every hash: a stolen database alone cannot be cracked. */
  pepper?: string;
}

/**
 * argon2id behind a small interface. Hashes are memory-hard and saturate a core each, so at most
 * `maxConcurrent` run at once and the rest queue, instead of starving every other request.
 */
export class PasswordHasher {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly secret: Buffer | undefined;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly settings: Argon2Settings,
    private readonly maxConcurrent = DEFAULT_MAX_CONCURRENT_HASHES,
  ) {
    this.secret = settings.pepper ? Buffer.from(settings.pepper) : undefined;
  }

  async hash(password: string): Promise<string> {
    return this.limit(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.settings.memoryKib,
        timeCost: this.settings.timeCost,
        parallelism: this.settings.parallelism,
        secret: this.secret,
      }),
    );
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.limit(() => argon2.verify(hash, password, { secret: this.secret }));
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real verification, for unknown emails: timing reveals nothing. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password for timing equalisation');
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when a hash was made with weaker parameters than today's and should be redone. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, {
      memoryCost: this.settings.memoryKib,
      timeCost: this.settings.timeCost,
      parallelism: this.settings.parallelism,
    });
  }

  private async limit<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxConcurrent)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}
