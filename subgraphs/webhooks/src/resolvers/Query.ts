import type { QueryResolvers } from '../generated/resolvers-types';
import { actorOf } from './actor';

export const Query: QueryResolvers = {
  webhookEventTypes: (_, __, ctx) => ctx.eventTypes,
  webhookEndpoint: (_, args, ctx) => ctx.endpoints.get(actorOf(ctx).actorId, args.id),
};
