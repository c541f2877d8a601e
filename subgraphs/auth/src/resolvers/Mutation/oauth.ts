import { requireUser } from '@bastion/platform';
import { proven } from './sessions';
import type { MutationResolvers } from '../../generated/resolvers-types';

/** Sign-in with and linking of OpenID Connect providers (google, oidc). */
export const oauthMutations: MutationResolvers = {
  oauthLogin: async (_, args, ctx) => proven(ctx, await ctx.oauth.login(args, ctx.client)),

  linkOAuthAccount: (_, args, ctx) =>
    ctx.oauth.link(requireUser(ctx.viewer).userId, args, ctx.client),

  unlinkOAuthAccount: (_, args, ctx) =>
    ctx.oauth.unlink(requireUser(ctx.viewer).userId, args.provider, ctx.client),
};
