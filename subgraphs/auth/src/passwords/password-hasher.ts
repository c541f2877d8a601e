import argon2 from 'argon2';
import { AppError } from '@bastion/platform';
import {
  DEFAULT_MAX_CONCURRENT_HASHES,
  DEFAULT_MAX_QUEUED_HASHES,
  HashSlots,
  type HashSlotStats,
} from './hash-slots';

export interface Argon2Settings {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
  /** Application-wide secret mixed into every hash: a stolen database alone cannot be cracked. */
  pepper?: string;
}

/** argon2 itself failed (a corrupt stored hash, an internal error): a platform fault, not a wrong password. */
export class PasswordHashingError extends Error {
  constructor(cause: unknown) {
    super('argon2 could not check the password', { cause });
    this.name = 'PasswordHashingError';
  }
}

const busy = (retryAfter: number) =>
  new AppError('RATE_LIMITED', {
    message: `Too many password checks are waiting; try again in ${retryAfter} seconds.`,
    extensions: { retryAfter },
  });

/**
 * argon2id behind a small interface. Hashes are memory-hard and saturate a core each, so at most
 * `maxConcurrent` run at once and at most `maxQueued` wait, first come first served; a check that
 * finds the line full gets RATE_LIMITED with retryAfter at once, so a flood of wrong guesses (from
 * any number of addresses) cannot make every other sign-in wait without bound.
 */
export class PasswordHasher {
  private readonly slots: HashSlots;
  private readonly secret: Buffer | undefined;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly settings: Argon2Settings,
    limits: { maxConcurrent?: number; maxQueued?: number } = {},
  ) {
    this.secret = settings.pepper ? Buffer.from(settings.pepper) : undefined;
    this.slots = new HashSlots(
      limits.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_HASHES,
      limits.maxQueued ?? DEFAULT_MAX_QUEUED_HASHES,
      busy,
    );
  }

  /** Hashes running and waiting now (tests, metrics). */
  stats(): HashSlotStats {
    return this.slots.stats();
  }

  async hash(password: string): Promise<string> {
    return this.slots.run(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.settings.memoryKib,
        timeCost: this.settings.timeCost,
        parallelism: this.settings.parallelism,
        secret: this.secret,
      }),
    );
  }

  /**
   * True when `password` matches. RATE_LIMITED when the line is full; PasswordHashingError when
   * argon2 fails, which callers must not count as a wrong password (it reaches clients as
   * INTERNAL_SERVER_ERROR).
   */
  async verify(hash: string, password: string): Promise<boolean> {
    return this.slots.run(async () => {
      try {
        return await argon2.verify(hash, password, { secret: this.secret });
      } catch (error) {
        throw new PasswordHashingError(error);
      }
    });
  }

  /** Spends the same work as a real verification, for unknown emails: timing reveals nothing. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password for timing equalisation').catch(
      (error: unknown) => {
        // A refused or failed first hash must not stay cached: the next call makes it again.
        this.dummyHash = undefined;
        throw error;
      },
    );
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
}
