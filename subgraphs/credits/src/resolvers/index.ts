import { DateTimeScalar } from '@bastion/platform';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { CreditAccount, User } from './User';

export const resolvers = { DateTime: DateTimeScalar, Query, Mutation, User, CreditAccount };
