import { AppError } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';

/**
 * Support impersonation (docs/security.md "Support impersonation"). The tier admits services with
 * `users:impersonate` only; the check here keeps a loosened tier from letting a user through.
 */
export const impersonationMutations: MutationResolvers = {
  startImpersonation: async (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    const payload = await ctx.impersonation.start(
      ctx.viewer.name,
      args.userId,
      args.reason,
      args.minutes,
      ctx.client,
    );
    // Support reads the user it now acts as; the refresh token goes in the body, never a cookie
    // (the caller is a service, not the user's browser).
    ctx.provenUserIds.add(payload.user.id);
    return payload;
  },
  endImpersonation: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.impersonation.end(ctx.viewer.name, args.sessionId, ctx.client);
  },
};
