import type { AuthContext } from '../context';
import type { UserEntity } from '../users/user.entity';

export const User = {
  __resolveReference: (ref: { id: string }, ctx: AuthContext) => ctx.users.byId(ref.id),
  emailVerified: (user: UserEntity) => user.emailVerifiedAt !== null,
  linkedProviders: () => [],
};
