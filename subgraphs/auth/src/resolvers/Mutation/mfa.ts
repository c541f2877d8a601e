import { AppError, requireUser } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';
import { proven } from './sessions';

/**
 * Second factors and the second step of sign-in (docs/security.md "Sign-in security"). Passkey
 * registration and passwordless sign-in are the passkeys module's.
 */
export const mfaMutations: MutationResolvers = {
  enrollTotp: (_, args, ctx) => ctx.totp.enroll(requireUser(ctx.viewer).userId, args.name),

  confirmTotp: (_, args, ctx) =>
    ctx.totp.confirm(requireUser(ctx.viewer).userId, args.factorId, args.code, ctx.client),

  removeMfaFactor: (_, args, ctx) =>
    ctx.mfaSettings.removeFactor(requireUser(ctx.viewer).userId, args.id, ctx.client),

  regenerateRecoveryCodes: (_, __, ctx) =>
    ctx.mfaSettings.regenerateRecoveryCodes(requireUser(ctx.viewer).userId, ctx.client),

  mfaPasskeyOptions: (_, args, ctx) => ctx.signIn.mfaPasskeyOptions(args.mfaToken, ctx.client),

  verifyMfa: async (_, args, ctx) =>
    proven(
      ctx,
      await ctx.signIn.verifyMfa(
        args.mfaToken,
        { code: args.code, recoveryCode: args.recoveryCode, passkeyResponse: args.passkeyResponse },
        ctx.client,
      ),
    ),

  stepUpPasskeyOptions: (_, __, ctx) => ctx.signIn.stepUpPasskeyOptions(requireUser(ctx.viewer)),

  // The same session goes on with its refresh token: only a fresh access token comes back.
  stepUp: async (_, args, ctx) => {
    const payload = await ctx.signIn.stepUp(requireUser(ctx.viewer), args, ctx.client);
    ctx.provenUserIds.add(payload.user.id);
    return { ...payload, refreshToken: null };
  },

  resetUserMfa: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.mfaSettings.resetUserMfa(args.userId, args.reason, ctx.viewer.name, ctx.client);
  },
};
