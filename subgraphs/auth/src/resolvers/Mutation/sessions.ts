import { REFRESH_COOKIE_NAME, invalidToken, requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { AuthPayload } from '../../sessions/session.service';
import type { MutationResolvers } from '../../generated/resolvers-types';

/** AuthPayload as clients get it: without the refresh token when the cookie carries it. */
export type IssuedAuthPayload = Omit<AuthPayload, 'refreshToken'> & { refreshToken: string | null };

/**
 * Whether the refresh token travels in the HttpOnly cookie for this request: always with
 * REFRESH_COOKIE, else when the request asked for it (the x-bastion-refresh-cookie header, which
 * only a page of the gateway's own origin can send: docs/security.md "The web console").
 */
function cookieMode(ctx: AuthContext): boolean {
  return ctx.config.REFRESH_COOKIE || ctx.client.refreshCookieMode === true;
}

/**
 * Hands new tokens to the caller, who has just proven who they are: they may read their own user
 * in the payload. In cookie mode the refresh token goes out only as an HttpOnly cookie that
 * scripts cannot read, and the body's refreshToken is null.
 */
export function proven(ctx: AuthContext, payload: AuthPayload): IssuedAuthPayload {
  ctx.provenUserIds.add(payload.user.id);
  if (!cookieMode(ctx)) return payload;
  ctx.setCookie(
    `${REFRESH_COOKIE_NAME}=${payload.refreshToken}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${ctx.config.REFRESH_TOKEN_TTL}`,
  );
  return { ...payload, refreshToken: null };
}

function clearRefreshCookie(ctx: AuthContext): void {
  if (cookieMode(ctx))
    ctx.setCookie(`${REFRESH_COOKIE_NAME}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`);
}

/** A URL's host name, or null when it is not one. */
function hostName(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/**
 * Why no refresh cookie came, when the request says: the page and the API on different host names.
 * The cookie is `__Host-` (bound to the host that set it) and SameSite=Strict, so a page on
 * `localhost` calling the API on `127.0.0.1` (or the other way round) never sends it.
 */
export function cookieHostMismatch(
  hosts: { host: string | null; origin: string | null } | null | undefined,
): string | null {
  if (!hosts?.host || !hosts.origin) return null;
  const api = hostName(`http://${hosts.host}`);
  const page = hostName(hosts.origin);
  if (!api || !page || api === page) return null;
  return (
    `No refresh cookie came with this request: the page is on ${page} and the API on ${api}. ` +
    `The refresh cookie (${REFRESH_COOKIE_NAME}) is bound to the host name that set it and sent only from the same site: ` +
    `open the app and call the API with the same host name (docs/configuration.md "Browser frontends").`
  );
}

/** The refresh token from the argument, else in cookie mode from the cookie (the gateway forwards it to auth only). */
function presentedRefreshToken(ctx: AuthContext, argument?: string | null): string {
  const token = argument ?? (cookieMode(ctx) ? ctx.client.refreshCookie : null);
  if (token) return token;
  const mismatch = cookieMode(ctx) ? cookieHostMismatch(ctx.client.cookieHosts) : null;
  throw invalidToken(mismatch ?? 'No refresh token was given.');
}

/** Register, password sign-in and the refresh-token session lifecycle. */
export const sessionMutations: MutationResolvers = {
  register: async (_, args, ctx) =>
    proven(ctx, await ctx.accounts.register(args.input, ctx.client)),

  login: async (_, args, ctx) => {
    await ctx.sso.enforcement.assertPasswordAllowed(args.email);
    return proven(ctx, await ctx.accounts.login(args.email, args.password, ctx.client));
  },

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
