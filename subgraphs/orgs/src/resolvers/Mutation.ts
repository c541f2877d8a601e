import type { OrgsContext } from '../context';
import type { MutationResolvers } from '../generated/resolvers-types';

/** Runs a mutation, then lets the relay publish what it left in the outbox at once. */
async function published<T>(ctx: OrgsContext, work: Promise<T>): Promise<T> {
  const result = await work;
  ctx.kickRelay();
  return result;
}

export const Mutation: MutationResolvers = {
  createOrganization: (_, args, ctx) =>
    published(ctx, ctx.organizations.create(ctx.viewer, args.name, ctx.client)),
  updateOrganization: (_, args, ctx) =>
    published(ctx, ctx.organizations.update(ctx.viewer, args.id, args.name, ctx.client)),
  setOrganizationRequireMfa: (_, args, ctx) =>
    published(
      ctx,
      ctx.organizations.setRequireMfa(ctx.viewer, args.organizationId, args.required, ctx.client),
    ),
  deleteOrganization: (_, args, ctx) =>
    published(ctx, ctx.organizations.delete(ctx.viewer, args.id, ctx.client)),
  inviteMember: (_, args, ctx) =>
    published(
      ctx,
      ctx.invitations.invite(ctx.viewer, args.organizationId, args.email, args.role, ctx.client),
    ),
  revokeInvitation: (_, args, ctx) =>
    published(ctx, ctx.invitations.revoke(ctx.viewer, args.id, ctx.client)),
  acceptInvitation: (_, args, ctx) =>
    published(ctx, ctx.invitations.accept(ctx.viewer, args.token, ctx.client)),
  changeMemberRole: (_, args, ctx) =>
    published(
      ctx,
      ctx.memberships.changeRole(
        ctx.viewer,
        args.organizationId,
        args.userId,
        args.role,
        ctx.client,
      ),
    ),
  removeMember: (_, args, ctx) =>
    published(
      ctx,
      ctx.memberships.remove(ctx.viewer, args.organizationId, args.userId, ctx.client),
    ),
  provisionSsoMember: (_, args, ctx) =>
    published(
      ctx,
      ctx.sso.provision(
        ctx.viewer,
        args.organizationId,
        args.userId,
        args.role ?? null,
        args.connectionId,
        ctx.client,
      ),
    ),
};
