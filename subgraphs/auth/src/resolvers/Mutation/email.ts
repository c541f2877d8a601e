import { requireUser } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';

/** Address verification and password reset: the flows that go through a mailed link. */
export const emailMutations: MutationResolvers = {
  requestEmailVerification: (_, __, ctx) =>
    ctx.emailVerification.request(requireUser(ctx.viewer).userId),

  verifyEmail: (_, args, ctx) => ctx.emailVerification.verify(args.token, ctx.client),

  requestPasswordReset: async (_, args, ctx) => {
    await ctx.sso.enforcement.assertPasswordAllowed(args.email);
    return ctx.passwordReset.request(args.email, ctx.client);
  },

  resetPassword: (_, args, ctx) =>
    ctx.passwordReset.reset(args.token, args.newPassword, ctx.client),
};
