import { DateTimeScalar } from '@bastion/platform';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Session, User } from './User';

export const resolvers = { DateTime: DateTimeScalar, Query, Mutation, User, Session };
