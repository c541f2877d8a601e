import {
  AppError,
  type ClientInfo,
  type FailureLimiter,
  type RateLimiter,
} from '@bastion/platform';

export type AttemptKind = 'login' | 'register' | 'password-reset' | 'email-verification' | 'oauth';

export interface AuthLimitSettings {
  /** Attempts of login, register and reset per client address per window. */
  perIpAttempts: number;
  /** Failed logins for one email before every login for it is refused until the window passes. */
  failuresPerEmail: number;
  windowSeconds: number;
  /** How long a login waits for a slot while the other attempts for its email are in flight. */
  maxWaitMs?: number;
  pollIntervalMs?: number;
}

/** One password check in flight for an email: it ends as a real failure or is released. */
export interface LoginAttempt {
  /** The password check said "wrong": count it (and free the slot). */
  failed(): Promise<void>;
  /** Success, or an error that says nothing about the password: free the slot, count nothing. */
  release(): Promise<void>;
}

const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMITED', {
    message: `Too many attempts; try again in ${retryAfter} seconds.`,
    extensions: { retryAfter },
  });

/** Errors of the platform, not of the caller: such an attempt proves nothing and costs the caller nothing. */
export function isInfrastructureError(error: unknown): boolean {
  return (
    !(error instanceof AppError) ||
    error.code === 'INTERNAL_SERVER_ERROR' ||
    error.code === 'UPSTREAM_UNAVAILABLE'
  );
}

/**
 * Brute-force limits for auth. Every attempt counts on its own, however it arrives (aliases,
 * batches), because each resolver call passes through here.
 */
export class AuthLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly failures: FailureLimiter,
    private readonly settings: AuthLimitSettings,
  ) {}

  /**
   * Counts one attempt from the client's address; RATE_LIMITED past the limit. Every kind shares
   * one counter per address (the contract's limit is on login, register and reset together);
   * `kind` names the caller for readers.
   */
  async countAttempt(_kind: AttemptKind, client: ClientInfo): Promise<void> {
    const state = await this.limiter.hit(this.ipKey(client), this.settings.windowSeconds);
    if (state.count > this.settings.perIpAttempts) throw rateLimited(state.retryAfter);
  }

  /** Runs `work` as one counted attempt; an attempt that fails on an infrastructure error is taken back. */
  async attempt<T>(kind: AttemptKind, client: ClientInfo, work: () => Promise<T>): Promise<T> {
    await this.countAttempt(kind, client);
    try {
      return await work();
    } catch (error) {
      if (isInfrastructureError(error))
        await this.limiter.undo(this.ipKey(client)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Takes a slot for one password check of `email`. Failures and checks in flight together stay
   * under `failuresPerEmail`, so concurrent wrong guesses cannot slip past the limit; a check
   * that finds every slot taken waits (bounded) for one, and is refused once the failures alone
   * reach the limit. Only a check that said "wrong" counts: right passwords and outages do not.
   */
  async beginLogin(email: string): Promise<LoginAttempt> {
    const key = `login:${email}`;
    const deadline = Date.now() + (this.settings.maxWaitMs ?? 10_000);
    for (;;) {
      const reservation = await this.failures.reserve(key, this.settings.failuresPerEmail);
      if (reservation.kind === 'refused') throw rateLimited(reservation.retryAfter);
      if (reservation.kind === 'reserved') return this.slot(key, reservation.slot);
      if (Date.now() >= deadline) throw rateLimited(1);
      await new Promise((resolve) =>
        setTimeout(resolve, (this.settings.pollIntervalMs ?? 20) * (0.5 + Math.random())),
      );
    }
  }

  /** A per-key limit for mail-sending requests (verification, reset), so nobody can mail-bomb an address. */
  async countMailRequest(key: string, limit: number): Promise<void> {
    const state = await this.limiter.hit(`mail:${key}`, this.settings.windowSeconds);
    if (state.count > limit) throw rateLimited(state.retryAfter);
  }

  private slot(key: string, slot: string): LoginAttempt {
    let ended = false;
    const end = async (counted: boolean) => {
      if (ended) return;
      ended = true;
      if (counted) await this.failures.fail(key, slot, this.settings.windowSeconds);
      // A slot that cannot be freed now expires by itself; the caller's own error matters more.
      else await this.failures.release(key, slot).catch(() => undefined);
    };
    return { failed: () => end(true), release: () => end(false) };
  }

  private ipKey(client: ClientInfo): string {
    return `ip:${client.ip ?? 'unknown'}`;
  }
}
