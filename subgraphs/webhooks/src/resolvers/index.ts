import { DateTimeScalar, JSONScalar } from '@bastion/platform';
import type { Resolvers } from '../generated/resolvers-types';
import { Mutation } from './Mutation';
import { Organization } from './Organization';
import { Query } from './Query';
import { WebhookDelivery, WebhookEndpoint } from './Webhook';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Organization,
  WebhookEndpoint,
  WebhookDelivery,
  UserDataExport: {
    __resolveReference: (ref) => ({ id: ref.id }),
    webhooks: (ref, _, ctx) => ctx.dataExport(ref.id),
  },
};
