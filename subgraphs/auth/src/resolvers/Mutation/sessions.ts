import { REFRESH_COOKIE_NAME, invalidToken, requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { AuthPayload } from '../../sessions/session.service';
import type { MutationResolvers } from '../../generated/resolvers-types';

/** AuthPayload as clients get it: without the refresh token when the cookie carries it. */
export type IssuedAuthPayload = Omit<AuthPayload, 'refreshToken'> & { refreshToken: string | null };

/**
 * Hands new tokens to the caller, who has just proven who they are: they may read their own user
 * in the payload. With REFRESH_COOKIE the refresh token goes out only as an HttpOnly cookie that
 * scripts cannot read, and the body's refreshToken is null.
 */
export function proven(ctx: AuthContext, payload: AuthPayload): IssuedAuthPayload {
  ctx.provenUserIds.add(payload.user.id);
  if (!ctx.config.REFRESH_COOKIE) return payload;
  ctx.setCookie(
    `${REFRESH_COOKIE_NAME}=${payload.refreshToken}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${ctx.config.REFRESH_TOKEN_TTL}`,
  );
  return { ...payload, refreshToken: null };
}

function clearRefreshCookie(ctx: AuthContext): void {
  if (ctx.config.REFRESH_COOKIE)
    ctx.setCookie(`${REFRESH_COOKIE_NAME}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`);
}

/** The refresh token from the argument, else from the cookie (the gateway forwards it to auth only). */
function presentedRefreshToken(ctx: AuthContext, argument?: string | null): string {
  const token = argument ?? (ctx.config.REFRESH_COOKIE ? ctx.client.refreshCookie : null);
  if (!token) throw invalidToken('No refresh token was given.');
  return token;
}

/** Register, password sign-in and the refresh-token session lifecycle. */
export const sessionMutations: MutationResolvers = {
  register: async (_, args, ctx) =>
    proven(ctx, await ctx.accounts.register(args.input, ctx.client)),

  login: async (_, args, ctx) =>
    proven(ctx, await ctx.accounts.login(args.email, args.password, ctx.client)),

  refreshToken: async (_, args, ctx) =>
    proven(
      ctx,
      await ctx.sessions.refresh(presentedRefreshToken(ctx, args.refreshToken), ctx.client),
    ),

  logout: async (_, args, ctx) => {
    const result = await ctx.sessions.logout(
      presentedRefreshToken(ctx, args.refreshToken),
      ctx.client,
    );
    clearRefreshCookie(ctx);
    return result;
  },

  logoutAll: async (_, __, ctx) => {
    const viewer = requireUser(ctx.viewer);
    await ctx.sessions.logoutAll(viewer.userId, ctx.client);
    clearRefreshCookie(ctx);
    return true;
  },

  revokeSession: (_, args, ctx) =>
    ctx.sessions.revokeOwn(requireUser(ctx.viewer).userId, args.id, ctx.client),

  switchOrganization: async (_, args, ctx) =>
    proven(
      ctx,
      await ctx.organizations.switchTo(
        requireUser(ctx.viewer),
        args.organizationId ?? null,
        ctx.client,
      ),
    ),
};
