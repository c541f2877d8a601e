import type { CreditAccountResolvers, UserResolvers } from '../generated/resolvers-types';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  credits: (user, _, ctx) => ctx.ledger.account(user.id),
};

export const CreditAccount: CreditAccountResolvers = {
  transactions: (account, args, ctx) =>
    ctx.ledger.transactions(account.userId, args.first, args.after),
  holds: (account, _, ctx) => ctx.holds.active(account.userId),
  /** Balance minus the holds still running (an expired hold counts as freed even before the sweep). */
  paymentMethods: (account, _, ctx) => ctx.checkout.paymentMethods(account.userId),
  available: async (account, _, ctx) =>
    Math.max(0, account.balance - (await ctx.holds.runningTotal(account.userId))),
};
