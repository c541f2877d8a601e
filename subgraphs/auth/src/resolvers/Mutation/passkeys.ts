import { notFound, requireUser } from '@bastion/platform';
import { recordAudit } from '../../audit/audit';
import type { MutationResolvers } from '../../generated/resolvers-types';
import { proven } from './sessions';

/**
 * Passkeys (docs/security.md "Sign-in security"): registering and renaming one, and signing in
 * with one alone. The second step of a sign-in and step-up use them through verifyMfa and stepUp.
 */
export const passkeyMutations: MutationResolvers = {
  passkeyRegistrationOptions: async (_, __, ctx) => {
    const user = await ctx.users.byId(requireUser(ctx.viewer).userId);
    // A token outliving its user (deleted in the meantime) is answered as TOTP enrolment does.
    if (!user) throw notFound('User');
    return ctx.passkeys.registrationOptions(user);
  },

  registerPasskey: (_, args, ctx) =>
    ctx.passkeys.register(requireUser(ctx.viewer).userId, args.response, args.name, ctx.client),

  renamePasskey: (_, args, ctx) =>
    ctx.passkeys.rename(requireUser(ctx.viewer).userId, args.id, args.name),

  // Anyone may ask: each answer stores a challenge, so it counts toward the address's limit.
  passkeyLoginOptions: async (_, __, ctx) => {
    await ctx.limits.countAttempt('login', ctx.client);
    return ctx.passkeys.authenticationOptions('LOGIN', null);
  },

  passkeyLogin: async (_, args, ctx) =>
    proven(
      ctx,
      await ctx.limits.attempt('login', ctx.client, () =>
        ctx.passkeys.signIn(args.response, ctx.client, async (manager, user, passkey) => {
          await ctx.sso.enforcement.assertPasskeyAllowed(manager, user.email);
          await recordAudit(manager, {
            actorId: user.id,
            action: 'user.login',
            targetType: 'user',
            targetId: user.id,
            client: ctx.client,
            metadata: { method: 'passkey', factorId: passkey.factorId },
          });
          // With user verification (required for LOGIN) the passkey alone is two factors: the
          // session opens here, where a password would end in MFA_REQUIRED (signIn.firstFactorPassed).
          return ctx.sessions.start(manager, user, ctx.client, [passkey.method, 'user', 'mfa']);
        }),
      ),
    ),
};
