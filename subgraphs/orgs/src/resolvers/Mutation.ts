import type { Role } from '@bastion/platform';
import type { OrgsContext } from '../context';

/** Runs a mutation, then lets the relay publish what it left in the outbox at once. */
async function published<T>(ctx: OrgsContext, work: Promise<T>): Promise<T> {
  const result = await work;
  ctx.kickRelay();
  return result;
}

type Member = { organizationId: string; userId: string };

export const Mutation = {
  createOrganization: (_: unknown, args: { name: string }, ctx: OrgsContext) =>
    published(ctx, ctx.organizations.create(ctx.viewer, args.name, ctx.client)),
  updateOrganization: (_: unknown, args: { id: string; name: string }, ctx: OrgsContext) =>
    published(ctx, ctx.organizations.update(ctx.viewer, args.id, args.name, ctx.client)),
  deleteOrganization: (_: unknown, args: { id: string }, ctx: OrgsContext) =>
    published(ctx, ctx.organizations.delete(ctx.viewer, args.id, ctx.client)),
  inviteMember: (_: unknown, args: { organizationId: string; email: string; role: Role }, ctx: OrgsContext) =>
    published(ctx, ctx.invitations.invite(ctx.viewer, args.organizationId, args.email, args.role, ctx.client)),
  revokeInvitation: (_: unknown, args: { id: string }, ctx: OrgsContext) =>
    published(ctx, ctx.invitations.revoke(ctx.viewer, args.id, ctx.client)),
  acceptInvitation: (_: unknown, args: { token: string }, ctx: OrgsContext) =>
    published(ctx, ctx.invitations.accept(ctx.viewer, args.token, ctx.client)),
  changeMemberRole: (_: unknown, args: Member & { role: Role }, ctx: OrgsContext) =>
    published(ctx, ctx.memberships.changeRole(ctx.viewer, args.organizationId, args.userId, args.role, ctx.client)),
  removeMember: (_: unknown, args: Member, ctx: OrgsContext) =>
    published(ctx, ctx.memberships.remove(ctx.viewer, args.organizationId, args.userId, ctx.client)),
};
