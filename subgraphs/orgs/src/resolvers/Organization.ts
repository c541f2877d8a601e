import type { OrgsContext } from '../context';
import type { MembershipEntity, OrganizationEntity } from '../organizations/organization.entity';

export const Organization = {
  // Reached through _entities too: a non-member resolves to NOT_FOUND, not to the organization.
  __resolveReference: (ref: { id: string }, ctx: OrgsContext) => ctx.organizations.visible(ctx.viewer, ref.id),
  members: (org: OrganizationEntity, _: unknown, ctx: OrgsContext) => ctx.organizations.members(ctx.viewer, org.id),
  myRole: (org: OrganizationEntity, _: unknown, ctx: OrgsContext) => ctx.organizations.roleOf(ctx.viewer, org.id),
};

export const Membership = {
  user: (membership: MembershipEntity) => ({ __typename: 'User', id: membership.userId }),
  organization: (membership: MembershipEntity, _: unknown, ctx: OrgsContext) => ctx.organizations.byId(membership.organizationId),
};

export const User = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  memberships: (user: { id: string }, _: unknown, ctx: OrgsContext) => ctx.organizations.membershipsOf(user.id),
};
