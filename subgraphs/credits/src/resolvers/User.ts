import type { CreditsContext } from '../context';
import type { CreditAccountEntity } from '../accounts/ledger.entity';

export const User = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  credits: (user: { id: string }, _: unknown, ctx: CreditsContext) => ctx.ledger.account(user.id),
};

export const CreditAccount = {
  transactions: (account: CreditAccountEntity, args: { first?: number; after?: string }, ctx: CreditsContext) =>
    ctx.ledger.transactions(account.userId, args.first, args.after),
  holds: (account: CreditAccountEntity, _: unknown, ctx: CreditsContext) => ctx.holds.active(account.userId),
  /** Balance minus the holds still running (an expired hold counts as freed even before the sweep). */
  paymentMethods: (account: CreditAccountEntity, _: unknown, ctx: CreditsContext) => ctx.checkout.paymentMethods(account.userId),
  available: async (account: CreditAccountEntity, _: unknown, ctx: CreditsContext) =>
    Math.max(0, account.balance - (await ctx.holds.runningTotal(account.userId))),
};
