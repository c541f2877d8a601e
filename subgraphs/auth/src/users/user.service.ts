import { In, type DataSource } from 'typeorm';
import { badInput } from '@bastion/platform';
import { normalizeEmail } from './email';
import { UserEntity } from './user.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The most ids users(ids:) takes: a page of members in orgs. */
export const USERS_PER_REQUEST = 100;

/** Reads of users; visibility is enforced by the SDL's owner tier on every User field. */
export class UserService {
  constructor(private readonly dataSource: DataSource) {}

  byId(id: string): Promise<UserEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(UserEntity).findOneBy({ id });
  }

  /** One entry per id, in the order asked, null for an unknown (or malformed) id; at most 100 ids. */
  async byIds(ids: readonly string[]): Promise<(UserEntity | null)[]> {
    if (ids.length > USERS_PER_REQUEST)
      throw badInput({ ids: `Ask for at most ${USERS_PER_REQUEST} users at a time.` });
    const valid = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    const found =
      valid.length === 0
        ? []
        : await this.dataSource.getRepository(UserEntity).findBy({ id: In(valid) });
    const byId = new Map(found.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  byEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ email: normalizeEmail(email) });
  }
}
