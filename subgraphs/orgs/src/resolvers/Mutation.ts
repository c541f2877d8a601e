import type { OrgsContext } from '../context';

export const Mutation = {
  createOrganization: (_: unknown, args: { name: string }, ctx: OrgsContext) => ctx.organizations.create(ctx.viewer, args.name),
};
