import { AppError, requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { Actor } from '../../sso/domains';
import type { MutationResolvers } from '../../generated/resolvers-types';
import { proven } from './sessions';

/** The signed-in ADMIN acting (the services check the role; the tier checked step-up). */
const admin = (ctx: AuthContext): Actor => ({
  id: requireUser(ctx.viewer).userId,
  client: ctx.client,
});

/** Enterprise single sign-on: an organization's domains and connections, and ssoLogin. */
export const ssoMutations: MutationResolvers = {
  addSsoDomain: (_, args, ctx) => ctx.sso.domains.add(admin(ctx), args.organizationId, args.domain),

  verifySsoDomain: (_, args, ctx) => ctx.sso.domains.verify(admin(ctx), args.id),

  removeSsoDomain: (_, args, ctx) => ctx.sso.domains.remove(admin(ctx), args.id),

  markSsoDomainVerified: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.sso.domains.markVerifiedByOperator(
      { id: ctx.viewer.name, client: ctx.client },
      args.id,
    );
  },

  createSsoConnection: (_, args, ctx) =>
    ctx.sso.connections.create(admin(ctx), args.organizationId, args.input),

  updateSsoConnection: (_, args, ctx) =>
    ctx.sso.connections.update(admin(ctx), args.id, args.input),

  deleteSsoConnection: (_, args, ctx) => ctx.sso.connections.delete(admin(ctx), args.id),

  // Counted with the other federated sign-ins against the address's limit (RATE_LIMIT_AUTH_PER_IP).
  ssoLogin: async (_, args, ctx) =>
    proven(
      ctx,
      await ctx.limits.attempt('oauth', ctx.client, () =>
        ctx.sso.signIn.login(args.code, ctx.client),
      ),
    ),
};
