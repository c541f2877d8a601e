import type { CreditsContext } from '../context';

export const Query = {
  creditPackages: (_: unknown, __: unknown, ctx: CreditsContext) => ctx.packages,
  creditBalance: (_: unknown, args: { userId: string }, ctx: CreditsContext) => ctx.ledger.balance(args.userId),
  creditTransactions: (_: unknown, args: { userId: string; first?: number; after?: string }, ctx: CreditsContext) =>
    ctx.ledger.transactions(args.userId, args.first, args.after),
};
