import { unauthenticated } from '@bastion/platform';
import type { CreditsContext } from '../context';
import type { TransactionType } from '../accounts/ledger.entity';

interface EntryArgs {
  userId: string;
  amount: number;
  description?: string | null;
  idempotencyKey: string;
}

export const Mutation = {
  addCredits: (_: unknown, args: EntryArgs & { type: TransactionType }, ctx: CreditsContext) => ctx.ledger.add(args),
  useCredits: (_: unknown, args: EntryArgs, ctx: CreditsContext) => ctx.ledger.use(args),
  holdCredits: (_: unknown, args: { userId: string; amount: number; idempotencyKey: string; expiresInSeconds?: number | null }, ctx: CreditsContext) =>
    ctx.holds.hold(args),
  settleHold: (_: unknown, args: { holdId: string; amount: number }, ctx: CreditsContext) => ctx.holds.settle(args.holdId, args.amount),
  releaseHold: (_: unknown, args: { holdId: string }, ctx: CreditsContext) => ctx.holds.release(args.holdId),
  /** For the signed-in, verified user only: the session is always bought for the caller. */
  createCheckoutSession: (_: unknown, args: { packageId: string; successUrl: string; cancelUrl: string }, ctx: CreditsContext) => {
    if (ctx.viewer.kind !== 'user') throw unauthenticated();
    return ctx.checkout.create(ctx.viewer.userId, args.packageId, args.successUrl, args.cancelUrl);
  },
};
