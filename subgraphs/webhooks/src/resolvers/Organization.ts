import type { OrganizationResolvers } from '../generated/resolvers-types';

export const Organization: OrganizationResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
};
