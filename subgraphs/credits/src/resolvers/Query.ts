import type { QueryResolvers } from '../generated/resolvers-types';

export const Query: QueryResolvers = {
  creditPackages: (_, __, ctx) => ctx.packages,
  creditBalance: (_, args, ctx) => ctx.ledger.balance(args.userId),
  creditTransactions: (_, args, ctx) =>
    ctx.ledger.transactions(args.userId, args.first, args.after),
};
