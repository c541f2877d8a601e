import type { OrgsContext } from '../context';

export const Query = {
  organization: (_: unknown, args: { id: string }, ctx: OrgsContext) => ctx.organizations.visible(ctx.viewer, args.id),
  myOrganizations: (_: unknown, __: unknown, ctx: OrgsContext) => ctx.organizations.mine(ctx.viewer),
  organizationMembership: (_: unknown, args: { organizationId: string; userId: string }, ctx: OrgsContext) =>
    ctx.organizations.membership(args.organizationId, args.userId),
};
