import { AppError } from '@bastion/platform';
import type { AuthContext } from '../../context';

export const serviceTokenMutations = {
  issueServiceToken: (_: unknown, args: { name: string; scopes: string[] }, ctx: AuthContext) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.serviceTokens.issue(ctx.viewer, args.name, args.scopes, ctx.client);
  },
  revokeServiceToken: (_: unknown, args: { name: string }, ctx: AuthContext) => {
    if (ctx.viewer.kind !== 'service') throw new AppError('FORBIDDEN');
    return ctx.serviceTokens.revoke(ctx.viewer, args.name, ctx.client);
  },
};
