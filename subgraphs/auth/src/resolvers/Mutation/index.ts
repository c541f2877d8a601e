import { sessionMutations } from './sessions';

/** Mutation resolvers, one file per area; each area's fields are listed in schema.graphql. */
export const Mutation = {
  ...sessionMutations,
};
