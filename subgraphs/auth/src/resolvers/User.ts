import type {
  SessionResolvers,
  UserDataExportResolvers,
  UserResolvers,
} from '../generated/resolvers-types';

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.users.byId(ref.id),
  emailVerified: (user) => user.emailVerifiedAt !== null,
  linkedProviders: (user, _, ctx) => ctx.oauth.linkedProviders(user.id),
  mfaFactors: (user, _, ctx) => ctx.mfa.confirmed(user.id),
  recoveryCodesRemaining: (user, _, ctx) => ctx.mfa.recoveryCodesRemaining(user.id),
  dataExports: (user, _, ctx) =>
    ctx.dataExports.list(user.id, !(ctx.viewer.kind === 'user' && ctx.viewer.actor)),
  apiKeys: (user, _, ctx) => ctx.apiKeys.list(user.id),
};

/** Auth's part of a user's data export (the other services resolve theirs through the gateway). */
export const UserDataExport: UserDataExportResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  auth: (ref, _, ctx) => ctx.dataExports.authPart(ref.id),
};

export const Session: SessionResolvers = {
  current: (session, _, ctx) => ctx.viewer.kind === 'user' && ctx.viewer.sessionId === session.id,
};
