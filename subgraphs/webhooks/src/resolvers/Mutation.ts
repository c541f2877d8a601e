import type { MutationResolvers } from '../generated/resolvers-types';
import { actorOf } from './actor';

export const Mutation: MutationResolvers = {
  createWebhookEndpoint: (_, args, ctx) =>
    ctx.endpoints.create(actorOf(ctx), args.organizationId, args.input),
  updateWebhookEndpoint: (_, args, ctx) => ctx.endpoints.update(actorOf(ctx), args.id, args.input),
  deleteWebhookEndpoint: (_, args, ctx) => ctx.endpoints.delete(actorOf(ctx), args.id),
  rotateWebhookSecret: (_, args, ctx) => ctx.endpoints.rotateSecret(actorOf(ctx), args.id),
  sendTestWebhook: (_, args, ctx) => ctx.deliveries.sendTest(actorOf(ctx), args.id),
  replayWebhookDelivery: (_, args, ctx) => ctx.deliveries.replay(actorOf(ctx), args.id),
  replayWebhookDeliveries: (_, args, ctx) =>
    ctx.deliveries.replaySince(actorOf(ctx), args.endpointId, args.since),
};
