import type { DataSource } from 'typeorm';
import { AppError, type UserViewer } from '@bastion/platform';
import { SessionEntity } from '../sessions/session.entity';
import type { AuthLimits } from '../limits/auth-limits';
import type { PasswordHasher } from '../passwords/password-hasher';
import { UserEntity } from '../users/user.entity';

/** How recent a provider sign-in must be to stand in for a password the account does not have. */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;

/**
 * The password asked again before a sensitive change (password, email, deletion), so a stolen
 * access token alone cannot take the account over. Each try counts like a login: the same
 * per-email lockout stops guessing through these mutations too. An account that signs in only
 * through a provider has no password: for it, a session opened in the last ten minutes is the
 * proof instead (sign in with the provider again, then confirm).
 */
export class Reauthentication {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly limits: AuthLimits,
  ) {}

  /** The user, once `password` is theirs (or, without a password, the session is fresh); INVALID_CREDENTIALS otherwise. */
  async confirm(
    viewer: Pick<UserViewer, 'userId' | 'sessionId'>,
    password: string,
  ): Promise<UserEntity> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: viewer.userId });
    if (user && !user.passwordHash) return this.confirmByRecentSignIn(user, viewer.sessionId);
    // A slot of the email's login limit, like a login, so concurrent guesses cannot slip past it.
    const attempt = user ? await this.limits.beginLogin(user.email) : undefined;
    try {
      const isValid =
        password.length <= 1024 && user?.passwordHash
          ? await this.hasher.verify(user.passwordHash, password)
          : await this.hasher.verifyAgainstDummy(password.slice(0, 1024));
      if (user && isValid) return user;
      await attempt?.failed();
      throw new AppError('INVALID_CREDENTIALS', { message: 'The password is not correct.' });
    } finally {
      await attempt?.release();
    }
  }

  private async confirmByRecentSignIn(user: UserEntity, sessionId: string): Promise<UserEntity> {
    const session = await this.dataSource
      .getRepository(SessionEntity)
      .findOneBy({ id: sessionId, userId: user.id });
    const ageSeconds = session ? (Date.now() - session.createdAt.getTime()) / 1000 : Infinity;
    if (!session || session.revokedAt || ageSeconds > RECENT_SIGN_IN_SECONDS) {
      throw new AppError('INVALID_CREDENTIALS', {
        message:
          'This account has no password: sign in again with your provider, then confirm within 10 minutes.',
      });
    }
    return user;
  }
}
