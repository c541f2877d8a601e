import { AppError, DateTimeScalar, JSONScalar } from '@bastion/platform';
import { prepareRequest } from '../generations/generate-input';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    aiModels: (_, __, ctx) => ctx.models.models,
    aiPromptTemplates: (_, __, ctx) => ctx.templates.templates,
  },
  Mutation: {
    generateText: (_, args, ctx) => {
      // The tier (VERIFIED) already refused anyone but a verified user.
      if (ctx.viewer.kind !== 'user') throw new AppError('UNAUTHENTICATED');
      return ctx.generations.generate(
        { userId: ctx.viewer.userId, organizationId: ctx.viewer.organizationId },
        prepareRequest(args.input, ctx, ctx.maxPromptChars),
        // Through a personal API key its credit ceiling holds too (credits enforces it).
        ctx.viewer.apiKey ?? null,
      );
    },
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    generations: (user, args, ctx) => ctx.repository.list(user.id, args.first, args.after),
  },
  UserDataExport: {
    __resolveReference: (ref) => ({ id: ref.id }),
    ai: async (ref, _, ctx) => ({ generations: await ctx.repository.exportOf(ref.id) }),
  },
};
