import type { SessionResolvers, UserResolvers } from '../generated/resolvers-types';

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.users.byId(ref.id),
  emailVerified: (user) => user.emailVerifiedAt !== null,
  linkedProviders: (user, _, ctx) => ctx.oauth.linkedProviders(user.id),
  mfaFactors: (user, _, ctx) => ctx.mfa.confirmed(user.id),
  recoveryCodesRemaining: (user, _, ctx) => ctx.mfa.recoveryCodesRemaining(user.id),
  apiKeys: (user, _, ctx) => ctx.apiKeys.list(user.id),
};

export const Session: SessionResolvers = {
  current: (session, _, ctx) => ctx.viewer.kind === 'user' && ctx.viewer.sessionId === session.id,
};
