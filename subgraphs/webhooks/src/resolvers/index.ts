import { DateTimeScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Organization } from './Organization';
import { Query } from './Query';
import { WebhookDelivery, WebhookEndpoint } from './Webhook';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Organization,
  WebhookEndpoint,
  WebhookDelivery,
};
