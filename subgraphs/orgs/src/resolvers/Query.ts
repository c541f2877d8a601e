import type { QueryResolvers } from '../generated/resolvers-types';

export const Query: QueryResolvers = {
  organization: (_, args, ctx) => ctx.organizations.visible(ctx.viewer, args.id, ctx.loaders),
  myOrganizations: (_, args, ctx) => ctx.organizations.mine(ctx.viewer, args.first, args.after),
  organizationMembership: (_, args, ctx) =>
    ctx.memberships.membership(ctx.viewer, args.organizationId, args.userId),
  organizationAdminIds: (_, args, ctx) => ctx.memberships.adminIds(ctx.viewer, args.organizationId),
  accessLog: (_, args, ctx) =>
    ctx.audit.accessLog(
      ctx.viewer,
      args.organizationId,
      ctx.loaders,
      args.first,
      args.after,
      args.action,
    ),
  organizationAuditLog: (_, args, ctx) =>
    ctx.audit.organizationLog(ctx.viewer, args.organizationId, args.first, args.after, args.action),
  auditChainCheck: (_, args, ctx) =>
    ctx.audit.checkForAdmins(ctx.viewer, args.organizationId, ctx.loaders),
  verifyAuditChain: async (_, args, ctx) =>
    (await ctx.audit.verify(args.organizationId)).every((report) => report.valid),
  auditChainReports: (_, args, ctx) => ctx.audit.verify(args.organizationId),
  ssoOrganization: (_, args, ctx) =>
    ctx.sso.organization(ctx.viewer, { id: args.id, slug: args.slug }),
};
