import type { OrganizationResolvers } from '../generated/resolvers-types';
import { actorOf } from './actor';

export const Organization: OrganizationResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  webhookEndpoints: (organization, _, ctx) =>
    ctx.endpoints.list(actorOf(ctx).actorId, organization.id),
};
