import { invalidToken, requireUser } from '@bastion/platform';
import type { AuthContext } from '../../context';
import type { RegisterInput } from '../../accounts/account.service';
import type { AuthPayload } from '../../sessions/session.service';

/** The caller has just proven who they are: they may read their own user in the payload. */
export function proven(ctx: AuthContext, payload: AuthPayload): AuthPayload {
  ctx.provenUserIds.add(payload.user.id);
  return payload;
}

/** Register, password sign-in and the refresh-token session lifecycle. */
export const sessionMutations = {
  register: async (_: unknown, args: { input: RegisterInput }, ctx: AuthContext) =>
    proven(ctx, await ctx.accounts.register(args.input, ctx.client)),

  login: async (_: unknown, args: { email: string; password: string }, ctx: AuthContext) =>
    proven(ctx, await ctx.accounts.login(args.email, args.password, ctx.client)),

  refreshToken: async (_: unknown, args: { refreshToken?: string | null }, ctx: AuthContext) => {
    if (!args.refreshToken) throw invalidToken('No refresh token was given.');
    return proven(ctx, await ctx.sessions.refresh(args.refreshToken, ctx.client));
  },

  logout: (_: unknown, args: { refreshToken?: string | null }, ctx: AuthContext) => {
    if (!args.refreshToken) throw invalidToken('No refresh token was given.');
    return ctx.sessions.logout(args.refreshToken);
  },

  logoutAll: async (_: unknown, __: unknown, ctx: AuthContext) => {
    const viewer = requireUser(ctx.viewer);
    await ctx.sessions.logoutAll(viewer.userId, ctx.client);
    return true;
  },

  revokeSession: (_: unknown, args: { id: string }, ctx: AuthContext) => ctx.sessions.revokeOwn(requireUser(ctx.viewer).userId, args.id),

  switchOrganization: async (_: unknown, args: { organizationId?: string | null }, ctx: AuthContext) =>
    proven(ctx, await ctx.organizations.switchTo(requireUser(ctx.viewer), args.organizationId ?? null, ctx.client)),
};
