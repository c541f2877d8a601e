import { unauthenticated } from '@bastion/platform';
import type { MutationResolvers } from '../generated/resolvers-types';

export const Mutation: MutationResolvers = {
  addCredits: (_, args, ctx) => ctx.ledger.add(args),
  useCredits: (_, args, ctx) => ctx.ledger.use(args),
  holdCredits: (_, args, ctx) => ctx.holds.hold(args),
  settleHold: (_, args, ctx) => ctx.holds.settle(args.holdId, args.amount),
  releaseHold: (_, args, ctx) => ctx.holds.release(args.holdId),
  /**
   * For the signed-in, verified user only: the session is always bought for the caller. Their
   * active organization rides along, so the purchase's events name it.
   */
  createCheckoutSession: (_, args, ctx) => {
    if (ctx.viewer.kind !== 'user') throw unauthenticated();
    return ctx.checkout.create(
      { userId: ctx.viewer.userId, organizationId: ctx.viewer.organizationId },
      args.packageId,
      args.successUrl,
      args.cancelUrl,
    );
  },
};
