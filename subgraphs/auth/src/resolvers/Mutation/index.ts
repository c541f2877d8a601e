import type { MutationResolvers } from '../../generated/resolvers-types';
import { apiKeyMutations } from './api-keys';
import { emailMutations } from './email';
import { impersonationMutations } from './impersonation';
import { mfaMutations } from './mfa';
import { oauthMutations } from './oauth';
import { passkeyMutations } from './passkeys';
import { profileMutations } from './profile';
import { serviceTokenMutations } from './service-tokens';
import { sessionMutations } from './sessions';
import { ssoMutations } from './sso';

/** Mutation resolvers, one file per area; each area's fields are listed in schema.graphql. */
export const Mutation: MutationResolvers = {
  ...sessionMutations,
  ...emailMutations,
  ...profileMutations,
  ...oauthMutations,
  ...serviceTokenMutations,
  ...mfaMutations,
  ...passkeyMutations,
  ...ssoMutations,
  ...impersonationMutations,
  ...apiKeyMutations,
};
