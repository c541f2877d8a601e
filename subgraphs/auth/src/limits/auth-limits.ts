import { AppError, type ClientInfo, type RateLimiter } from '@bastion/platform';

export type AttemptKind = 'login' | 'register' | 'password-reset' | 'email-verification' | 'oauth';

export interface AuthLimitSettings {
  /** Attempts of login, register and reset per client address per window. */
  perIpAttempts: number;
  /** Failed logins for one email before every login for it is refused until the window passes. */
  failuresPerEmail: number;
  windowSeconds: number;
}

const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMITED', { message: `Too many attempts; try again in ${retryAfter} seconds.`, extensions: { retryAfter } });

/**
 * Brute-force limits for auth. Every attempt counts on its own, however it arrives (aliases,
 * batches), because each resolver call passes through here.
 */
export class AuthLimits {
  constructor(private readonly limiter: RateLimiter, private readonly settings: AuthLimitSettings) {}

  /**
   * Counts one attempt from the client's address; RATE_LIMITED past the limit. Every kind shares
   * one counter per address (the contract's limit is on login, register and reset together);
   * `kind` names the caller for readers.
   */
  async countAttempt(_kind: AttemptKind, client: ClientInfo): Promise<void> {
    const state = await this.limiter.hit(`ip:${client.ip ?? 'unknown'}`, this.settings.windowSeconds);
    if (state.count > this.settings.perIpAttempts) throw rateLimited(state.retryAfter);
  }

  /**
   * Counts a login attempt for an email before any password work, and refuses it once the
   * window holds `failuresPerEmail`. Counting first (not after a failure) keeps concurrent
   * attempts from slipping past the limit; a success takes its count back.
   */
  async beginLogin(email: string): Promise<void> {
    const state = await this.limiter.hit(`login:${email}`, this.settings.windowSeconds);
    if (state.count > this.settings.failuresPerEmail) {
      await this.limiter.undo(`login:${email}`);
      throw rateLimited(state.retryAfter);
    }
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.limiter.undo(`login:${email}`);
  }

  /** A per-key limit for mail-sending requests (verification, reset), so nobody can mail-bomb an address. */
  async countMailRequest(key: string, limit: number): Promise<void> {
    const state = await this.limiter.hit(`mail:${key}`, this.settings.windowSeconds);
    if (state.count > limit) throw rateLimited(state.retryAfter);
  }
}
