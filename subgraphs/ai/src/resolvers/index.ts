import type { AiContext } from '../context';

export const resolvers = {
  Query: {
    aiModels: (_: unknown, __: unknown, ctx: AiContext) => ctx.models.models,
  },
};
