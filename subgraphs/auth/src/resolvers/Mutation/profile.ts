import { requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { UpdateProfileInput } from '../../profile/profile.service';

/** A signed-in user's changes to their own account. */
export const profileMutations = {
  updateProfile: (_: unknown, args: { input: UpdateProfileInput }, ctx: AuthContext) =>
    ctx.profile.update(requireUser(ctx.viewer).userId, args.input, ctx.client),

  changePassword: (_: unknown, args: { currentPassword: string; newPassword: string }, ctx: AuthContext) =>
    ctx.profile.changePassword(requireUser(ctx.viewer), args.currentPassword, args.newPassword, ctx.client),

  changeEmail: (_: unknown, args: { newEmail: string; password: string }, ctx: AuthContext) =>
    ctx.profile.changeEmail(requireUser(ctx.viewer), args.newEmail, args.password, ctx.client),

  deleteAccount: (_: unknown, args: { password: string }, ctx: AuthContext) =>
    ctx.accountDeletion.delete(requireUser(ctx.viewer), args.password, ctx.client),
};
