import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, badInput, conflict, enqueueEvent, type ClientInfo, type OutboxRelay } from '@bastion/platform';
import { PasswordHasher } from '../passwords/password-hasher';
import { assertAcceptablePassword } from '../passwords/password-policy';
import { isUniqueViolation, SessionService, type AuthPayload } from '../sessions/session.service';
import { assertEmail, normalizeEmail } from '../users/email';
import { UserEntity } from '../users/user.entity';

export interface RegisterInput {
  email: string;
  password: string;
  displayName?: string | null;
}

const DISPLAY_NAME_MAX = 100;

/** Registration and password sign-in. */
export class AccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
  ) {}

  /** Creates the user, announces USER_CREATED and opens a session: one transaction. */
  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    const email = assertEmail(input.email);
    assertAcceptablePassword(input.password);
    const displayName = input.displayName?.trim() || null;
    if (displayName && displayName.length > DISPLAY_NAME_MAX) throw badInput({ displayName: `Use at most ${DISPLAY_NAME_MAX} characters.` });
    const passwordHash = await this.hasher.hash(input.password);
    let payload: AuthPayload;
    try {
      payload = await this.dataSource.transaction(async (manager) => {
        const now = new Date();
        const user = manager.create(UserEntity, {
          id: randomUUID(), email, passwordHash, displayName, emailVerifiedAt: null, createdAt: now, updatedAt: now,
        });
        await manager.insert(UserEntity, user);
        await enqueueEvent(manager, 'USER_CREATED', { userId: user.id, email, displayName });
        return this.sessions.start(manager, user, client);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('An account with this email already exists.');
      throw error;
    }
    this.relay.kick();
    return payload;
  }

  /**
   * Password sign-in. Unknown email, password-less account and wrong password are the same
   * INVALID_CREDENTIALS after the same argon2 work, so neither message nor timing tells them apart.
   */
  async login(emailInput: string, password: string, client: ClientInfo): Promise<AuthPayload> {
    const email = normalizeEmail(emailInput);
    if (password.length > 1024) throw new AppError('INVALID_CREDENTIALS');
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ email });
    const isValid = user?.passwordHash ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyAgainstDummy(password);
    if (!user || !isValid) throw new AppError('INVALID_CREDENTIALS');
    if (user.passwordHash && this.hasher.needsRehash(user.passwordHash)) {
      await this.dataSource.getRepository(UserEntity).update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
    }
    return this.dataSource.transaction((manager) => this.sessions.start(manager, user, client));
  }
}
