import type { DataSource } from 'typeorm';
import { normalizeEmail } from './email';
import { UserEntity } from './user.entity';

/** Reads of users; visibility is enforced by the SDL's owner tier on every User field. */
export class UserService {
  constructor(private readonly dataSource: DataSource) {}

  byId(id: string): Promise<UserEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(UserEntity).findOneBy({ id });
  }

  byEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ email: normalizeEmail(email) });
  }
}
