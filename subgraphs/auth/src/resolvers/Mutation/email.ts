import { requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';

/** Address verification and password reset: the flows that go through a mailed link. */
export const emailMutations = {
  requestEmailVerification: (_: unknown, __: unknown, ctx: AuthContext) =>
    ctx.emailVerification.request(requireUser(ctx.viewer).userId),

  verifyEmail: (_: unknown, args: { token: string }, ctx: AuthContext) => ctx.emailVerification.verify(args.token, ctx.client),

  requestPasswordReset: (_: unknown, args: { email: string }, ctx: AuthContext) => ctx.passwordReset.request(args.email, ctx.client),

  resetPassword: (_: unknown, args: { token: string; newPassword: string }, ctx: AuthContext) =>
    ctx.passwordReset.reset(args.token, args.newPassword, ctx.client),
};
