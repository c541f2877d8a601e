import type { OrgsContext } from '../context';
import type { MembershipEntity, OrganizationEntity } from '../organizations/organization.entity';

type Page = { first?: number | null; after?: string | null };

export const Organization = {
  // Reached through _entities too: a non-member resolves to NOT_FOUND, not to the organization.
  __resolveReference: (ref: { id: string }, ctx: OrgsContext) => ctx.organizations.visible(ctx.viewer, ref.id, ctx.loaders),
  members: (org: OrganizationEntity, args: Page, ctx: OrgsContext) => ctx.memberships.members(ctx.viewer, org.id, ctx.loaders, args.first, args.after),
  myRole: (org: OrganizationEntity, _: unknown, ctx: OrgsContext) =>
    ctx.viewer.kind === 'user' ? ctx.loaders.roleOf(org.id, ctx.viewer.userId) : null,
  invitations: (org: OrganizationEntity, args: Page, ctx: OrgsContext) => ctx.invitations.open(ctx.viewer, org.id, ctx.loaders, args.first, args.after),
};

export const Membership = {
  user: (membership: MembershipEntity) => ({ __typename: 'User', id: membership.userId }),
  organization: (membership: MembershipEntity, _: unknown, ctx: OrgsContext) => ctx.organizations.visible(ctx.viewer, membership.organizationId, ctx.loaders),
};

export const User = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  memberships: (user: { id: string }, args: Page, ctx: OrgsContext) => ctx.memberships.membershipsOf(ctx.viewer, user.id, args.first, args.after),
  securityEvents: (user: { id: string }, args: Page, ctx: OrgsContext) => ctx.audit.securityEvents(ctx.viewer, user.id, args.first, args.after),
};
