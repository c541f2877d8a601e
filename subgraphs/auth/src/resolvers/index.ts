import { DateTimeScalar, JSONScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { SsoConnection, SsoDomain } from './Sso';
import { Session, User, UserDataExport } from './User';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  User,
  Session,
  UserDataExport,
  SsoDomain,
  SsoConnection,
};
