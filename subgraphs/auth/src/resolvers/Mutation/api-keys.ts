import { requireUser } from '@bastion/platform';
import type { MutationResolvers } from '../../generated/resolvers-types';

export const apiKeyMutations: MutationResolvers = {
  createApiKey: (_, { input }, ctx) =>
    ctx.apiKeys.create(
      requireUser(ctx.viewer),
      {
        name: input.name,
        capabilities: input.capabilities,
        organizationId: input.organizationId ?? null,
        creditCeiling: input.creditCeiling ?? null,
        ceilingPeriod: input.ceilingPeriod ?? null,
        expiresAt: input.expiresAt ?? null,
      },
      ctx.client,
    ),
  revokeApiKey: (_, args, ctx) => ctx.apiKeys.revoke(requireUser(ctx.viewer), args.id, ctx.client),
  recordApiKeyUse: (_, args, ctx) => ctx.apiKeys.recordUse(args.keyIds, new Date()),
};
