import { DateTimeScalar, JSONScalar } from '@bastion/platform';
import { Mutation } from './Mutation';
import { Membership, Organization, User } from './Organization';
import { Query } from './Query';

export const resolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Query, Mutation, Organization, Membership, User };
