import type { AuthContext } from '../context';
import type { SessionEntity } from '../sessions/session.entity';
import type { UserEntity } from '../users/user.entity';

export const User = {
  __resolveReference: (ref: { id: string }, ctx: AuthContext) => ctx.users.byId(ref.id),
  emailVerified: (user: UserEntity) => user.emailVerifiedAt !== null,
  linkedProviders: (user: UserEntity, _: unknown, ctx: AuthContext) => ctx.oauth.linkedProviders(user.id),
};

export const Session = {
  current: (session: SessionEntity, _: unknown, ctx: AuthContext) => ctx.viewer.kind === 'user' && ctx.viewer.sessionId === session.id,
};
