import { DateTimeScalar, JSONScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Membership, Organization, User } from './Organization';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Organization,
  Membership,
  User,
  UserDataExport: {
    __resolveReference: (ref) => ({ id: ref.id }),
    orgs: (ref, _, ctx) => ctx.dataExport.of(ref.id),
  },
};
