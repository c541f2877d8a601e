import { AppError } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';

export const serviceTokenMutations: MutationResolvers = {
  issueServiceToken: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.serviceTokens.issue(ctx.viewer, args.name, args.scopes, ctx.client);
  },
  revokeServiceToken: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.serviceTokens.revoke(ctx.viewer, args.name, ctx.client);
  },
};
