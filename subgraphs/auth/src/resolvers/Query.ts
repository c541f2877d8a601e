import { API_KEY_CAPABILITIES, isUser, pageSize, requireUser } from '@bastion/platform';
import type { QueryResolvers } from '../generated/resolvers-types';

export const Query: QueryResolvers = {
  me: (_, __, ctx) => (isUser(ctx.viewer) ? ctx.users.byId(ctx.viewer.userId) : null),
  sessions: (_, args, ctx) =>
    ctx.sessions.list(requireUser(ctx.viewer).userId, pageSize(args.first)),
  user: (_, args, ctx) => ctx.users.byId(args.id),
  users: (_, args, ctx) => ctx.users.byIds(args.ids),
  userByEmail: (_, args, ctx) => ctx.users.byEmail(args.email),
  tokenRevocationState: (_, __, ctx) => ctx.revocationState.current(),
  apiKeyCapabilities: () => [...API_KEY_CAPABILITIES],
  oauthAuthorizationUrl: (_, args, ctx) =>
    ctx.oauth.authorizationUrl(
      args.provider,
      args.redirectUri,
      args.purpose === 'LINK' ? 'link' : 'login',
      ctx.viewer,
      ctx.client,
    ),
  ssoAuthorizationUrl: (_, args, ctx) => ctx.ssoAuthorization.url(args, ctx.client),
  ssoDomains: (_, args, ctx) =>
    ctx.sso.domains.list(requireUser(ctx.viewer).userId, args.organizationId),
  ssoConnections: (_, args, ctx) =>
    ctx.sso.connections.list(requireUser(ctx.viewer).userId, args.organizationId),
};
