import type {
  MembershipResolvers,
  OrganizationResolvers,
  UserResolvers,
} from '../generated/resolvers-types';

export const Organization: OrganizationResolvers = {
  // Reached through _entities too: a non-member resolves to NOT_FOUND, not to the organization.
  __resolveReference: (ref, ctx) => ctx.organizations.visible(ctx.viewer, ref.id, ctx.loaders),
  members: (org, args, ctx) =>
    ctx.memberships.members(ctx.viewer, org.id, ctx.loaders, args.first, args.after),
  myRole: (org, _, ctx) =>
    ctx.viewer.kind === 'user' ? ctx.loaders.roleOf(org.id, ctx.viewer.userId) : null,
  invitations: (org, args, ctx) =>
    ctx.invitations.open(ctx.viewer, org.id, ctx.loaders, args.first, args.after),
};

export const Membership: MembershipResolvers = {
  user: (membership) => ({ __typename: 'User', id: membership.userId }),
  organization: (membership, _, ctx) =>
    ctx.organizations.visible(ctx.viewer, membership.organizationId, ctx.loaders),
  mfaEnabled: (membership, _, ctx) =>
    ctx.memberships.mfaEnabled(ctx.viewer, membership, ctx.loaders),
};

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  memberships: (user, args, ctx) =>
    ctx.memberships.membershipsOf(ctx.viewer, user.id, args.first, args.after),
  securityEvents: (user, args, ctx) =>
    ctx.audit.securityEvents(ctx.viewer, user.id, args.first, args.after),
};
