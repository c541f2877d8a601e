import { isUser, pageSize, requireUser } from '@bastion/platform';
import type { AuthContext } from '../context';

export const Query = {
  me: (_: unknown, __: unknown, ctx: AuthContext) => (isUser(ctx.viewer) ? ctx.users.byId(ctx.viewer.userId) : null),
  sessions: (_: unknown, args: { first?: number | null }, ctx: AuthContext) => ctx.sessions.list(requireUser(ctx.viewer).userId, pageSize(args.first)),
  user: (_: unknown, args: { id: string }, ctx: AuthContext) => ctx.users.byId(args.id),
  userByEmail: (_: unknown, args: { email: string }, ctx: AuthContext) => ctx.users.byEmail(args.email),
  tokenRevocationState: (_: unknown, __: unknown, ctx: AuthContext) => ctx.revocationState.current(),
  oauthAuthorizationUrl: (_: unknown, args: { provider: string; redirectUri: string; purpose: 'LOGIN' | 'LINK' }, ctx: AuthContext) =>
    ctx.oauth.authorizationUrl(args.provider, args.redirectUri, args.purpose === 'LINK' ? 'link' : 'login', ctx.viewer, ctx.client),
};
