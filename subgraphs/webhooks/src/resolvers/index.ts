import { DateTimeScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Organization } from './Organization';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Organization,
};
