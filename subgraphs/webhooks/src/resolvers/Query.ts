import type { QueryResolvers } from '../generated/resolvers-types';

export const Query: QueryResolvers = {
  webhookEventTypes: (_, __, ctx) => ctx.eventTypes,
};
