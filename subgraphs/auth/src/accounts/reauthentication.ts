import type { DataSource } from 'typeorm';
import { AppError } from '@bastion/platform';
import type { AuthLimits } from '../limits/auth-limits';
import type { PasswordHasher } from '../passwords/password-hasher';
import { UserEntity } from '../users/user.entity';

/**
 * The password asked again before a sensitive change (password, email, deletion), so a stolen
 * access token alone cannot take the account over. Each try counts like a login: the same
 * per-email lockout stops guessing through these mutations too.
 */
export class Reauthentication {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly limits: AuthLimits,
  ) {}

  /** The user, once `password` is theirs; INVALID_CREDENTIALS otherwise (also for password-less accounts). */
  async confirm(userId: string, password: string): Promise<UserEntity> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
    // Counted before the password work, like a login, so concurrent guesses cannot slip past the limit.
    if (user) await this.limits.beginLogin(user.email);
    const isValid =
      password.length <= 1024 && user?.passwordHash
        ? await this.hasher.verify(user.passwordHash, password)
        : await this.hasher.verifyAgainstDummy(password.slice(0, 1024));
    if (!user || !isValid) throw new AppError('INVALID_CREDENTIALS', { message: 'The password is not correct.' });
    await this.limits.loginSucceeded(user.email);
    return user;
  }
}
