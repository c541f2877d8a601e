import { DateTimeScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { SsoConnection, SsoDomain } from './Sso';
import { Session, User } from './User';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  User,
  Session,
  SsoDomain,
  SsoConnection,
};
