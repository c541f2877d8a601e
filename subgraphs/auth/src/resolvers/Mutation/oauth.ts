import { requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { FlowCallback } from '../../oauth/oauth-flows';
import { proven } from './sessions';

/** Sign-in with and linking of OpenID Connect providers (google, oidc). */
export const oauthMutations = {
  oauthLogin: async (_: unknown, args: FlowCallback, ctx: AuthContext) => proven(ctx, await ctx.oauth.login(args, ctx.client)),

  linkOAuthAccount: (_: unknown, args: FlowCallback, ctx: AuthContext) => ctx.oauth.link(requireUser(ctx.viewer).userId, args, ctx.client),

  unlinkOAuthAccount: (_: unknown, args: { provider: string }, ctx: AuthContext) =>
    ctx.oauth.unlink(requireUser(ctx.viewer).userId, args.provider, ctx.client),
};
