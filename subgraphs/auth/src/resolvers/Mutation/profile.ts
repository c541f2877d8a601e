import { requireUser } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';

/** A signed-in user's changes to their own account. */
export const profileMutations: MutationResolvers = {
  updateProfile: (_, args, ctx) =>
    ctx.profile.update(requireUser(ctx.viewer).userId, args.input, ctx.client),

  changePassword: (_, args, ctx) =>
    ctx.profile.changePassword(
      requireUser(ctx.viewer),
      args.currentPassword,
      args.newPassword,
      ctx.client,
    ),

  changeEmail: (_, args, ctx) =>
    ctx.profile.changeEmail(requireUser(ctx.viewer), args.newEmail, args.password, ctx.client),

  deleteAccount: (_, args, ctx) =>
    ctx.accountDeletion.delete(requireUser(ctx.viewer), args.password, ctx.client),

  requestDataExport: (_, __, ctx) =>
    ctx.dataExports.request(requireUser(ctx.viewer).userId, ctx.client),
};
