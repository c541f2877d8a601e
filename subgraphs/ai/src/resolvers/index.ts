import { AppError, DateTimeScalar } from '@bastion/platform';
import type { AiContext } from '../context';
import { prepareRequest } from '../generations/generate-input';

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    aiModels: (_: unknown, __: unknown, ctx: AiContext) => ctx.models.models,
    aiPromptTemplates: (_: unknown, __: unknown, ctx: AiContext) => ctx.templates.templates,
  },
  Mutation: {
    generateText: (_: unknown, args: { input: unknown }, ctx: AiContext) => {
      // The tier (VERIFIED) already refused anyone but a verified user.
      if (ctx.viewer.kind !== 'user') throw new AppError('UNAUTHENTICATED');
      return ctx.generations.generate(ctx.viewer.userId, prepareRequest(args.input, ctx, ctx.maxPromptChars));
    },
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    generations: (user: { id: string }, args: { first?: number; after?: string }, ctx: AiContext) =>
      ctx.repository.list(user.id, args.first, args.after),
  },
};
