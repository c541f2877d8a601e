import type { OrgsContext } from '../context';

type Page = { first?: number | null; after?: string | null };

export const Query = {
  organization: (_: unknown, args: { id: string }, ctx: OrgsContext) => ctx.organizations.visible(ctx.viewer, args.id, ctx.loaders),
  myOrganizations: (_: unknown, args: Page, ctx: OrgsContext) => ctx.organizations.mine(ctx.viewer, args.first, args.after),
  organizationMembership: (_: unknown, args: { organizationId: string; userId: string }, ctx: OrgsContext) =>
    ctx.memberships.membership(ctx.viewer, args.organizationId, args.userId),
  accessLog: (_: unknown, args: Page & { organizationId: string; action?: string | null }, ctx: OrgsContext) =>
    ctx.audit.accessLog(ctx.viewer, args.organizationId, ctx.loaders, args.first, args.after, args.action),
  verifyAuditChain: async (_: unknown, args: { organizationId?: string | null }, ctx: OrgsContext) =>
    (await ctx.audit.verify(args.organizationId)).every((report) => report.valid),
  auditChainReports: (_: unknown, args: { organizationId?: string | null }, ctx: OrgsContext) => ctx.audit.verify(args.organizationId),
};
