import { DateTimeScalar, JSONScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { CreditAccount, User } from './User';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  User,
  CreditAccount,
  UserDataExport: {
    __resolveReference: (ref) => ({ id: ref.id }),
    credits: (ref, _, ctx) => ctx.dataExport(ref.id),
  },
};
