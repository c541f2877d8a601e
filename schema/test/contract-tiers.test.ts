import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { readTiers } from '@bastion/platform';
import { subgraphSdl } from '../src/compose';

/** The tiers docs/api.md "Operations" promises for each root field; the SDL may not drift from them. */
const CONTRACT: Record<string, Record<string, string>> = {
  auth: {
    'Query.me': 'AUTHENTICATED',
    'Query.sessions': 'AUTHENTICATED',
    'Mutation.logoutAll': 'AUTHENTICATED',
    'Mutation.revokeSession': 'AUTHENTICATED',
    'Query.user': 'INTERNAL:users:read',
    'Query.userByEmail': 'INTERNAL:users:read',
    'Mutation.register': 'PUBLIC',
    'Mutation.login': 'PUBLIC',
    'Mutation.refreshToken': 'PUBLIC',
    'Mutation.logout': 'PUBLIC',
    'Mutation.requestEmailVerification': 'AUTHENTICATED',
    'Mutation.verifyEmail': 'PUBLIC',
    'Mutation.requestPasswordReset': 'PUBLIC',
    'Mutation.resetPassword': 'PUBLIC',
    'Mutation.updateProfile': 'VERIFIED',
    'Mutation.changePassword': 'VERIFIED',
    'Mutation.changeEmail': 'VERIFIED',
    'Mutation.deleteAccount': 'VERIFIED',
    'Query.oauthAuthorizationUrl': 'PUBLIC',
    'Mutation.oauthLogin': 'PUBLIC',
    'Mutation.linkOAuthAccount': 'VERIFIED',
    'Mutation.unlinkOAuthAccount': 'VERIFIED',
    'Mutation.switchOrganization': 'AUTHENTICATED',
    'Mutation.issueServiceToken': 'INTERNAL:tokens:admin',
    'Mutation.revokeServiceToken': 'INTERNAL:tokens:admin',
    'Query.tokenRevocationState': 'INTERNAL:tokens:admin',
    'Query.ssoDomains': 'AUTHENTICATED',
    'Query.ssoConnections': 'AUTHENTICATED',
    'Query.ssoAuthorizationUrl': 'PUBLIC',
    'Mutation.addSsoDomain': 'VERIFIED',
    'Mutation.verifySsoDomain': 'VERIFIED',
    'Mutation.removeSsoDomain': 'VERIFIED',
    'Mutation.markSsoDomainVerified': 'INTERNAL:sso:admin',
    'Mutation.createSsoConnection': 'VERIFIED',
    'Mutation.updateSsoConnection': 'VERIFIED',
    'Mutation.deleteSsoConnection': 'VERIFIED',
    'Mutation.ssoLogin': 'PUBLIC',
    // Issue 21: personal API keys.
    'Query.apiKeyCapabilities': 'PUBLIC',
    'Mutation.createApiKey': 'VERIFIED',
    'Mutation.revokeApiKey': 'AUTHENTICATED',
    'Mutation.recordApiKeyUse': 'INTERNAL:tokens:admin',
  },
  orgs: {
    'Query.organization': 'AUTHENTICATED',
    'Query.myOrganizations': 'AUTHENTICATED',
    'Mutation.createOrganization': 'VERIFIED',
    'Query.accessLog': 'AUTHENTICATED',
    'Query.ssoOrganization': 'INTERNAL:orgs:read',
    'Mutation.provisionSsoMember': 'INTERNAL:orgs:provision',
    'Query.verifyAuditChain': 'INTERNAL:orgs:read',
    // Issue 16: a deleted organization's log, for auditors' services only.
    'Query.organizationAuditLog': 'INTERNAL:audit:read',
    'Mutation.inviteMember': 'VERIFIED',
    'Mutation.acceptInvitation': 'VERIFIED',
    'Mutation.changeMemberRole': 'AUTHENTICATED',
    'Mutation.removeMember': 'AUTHENTICATED',
    'Mutation.deleteOrganization': 'AUTHENTICATED',
    'Mutation.updateOrganization': 'AUTHENTICATED',
    'Mutation.revokeInvitation': 'AUTHENTICATED',
  },
  credits: {
    'Query.creditBalance': 'INTERNAL:credits:read',
    'Query.creditTransactions': 'INTERNAL:credits:read',
    'Query.creditPackages': 'PUBLIC',
    'Mutation.addCredits': 'INTERNAL:credits:write',
    'Mutation.useCredits': 'INTERNAL:credits:write',
    'Mutation.holdCredits': 'INTERNAL:credits:write',
    'Mutation.settleHold': 'INTERNAL:credits:write',
    'Mutation.releaseHold': 'INTERNAL:credits:write',
    'Mutation.createCheckoutSession': 'VERIFIED',
  },
  ai: {
    'Query.aiModels': 'PUBLIC',
    'Query.aiPromptTemplates': 'PUBLIC',
    'Mutation.generateText': 'VERIFIED',
    'User.generations': 'AUTHENTICATED',
  },
};

describe.each(Object.keys(CONTRACT))('%s root fields carry the contract tiers', (name) => {
  const tiers = readTiers(buildSubgraphSchema({ typeDefs: parse(subgraphSdl(name)) }));

  it.each(Object.entries(CONTRACT[name]))('%s is %s', (field, expected) => {
    const spec = tiers.get(field);
    expect(spec).toBeDefined();
    const actual = spec!.level === 'INTERNAL' ? `INTERNAL:${spec!.scopes.join(',')}` : spec!.level;
    expect(actual).toBe(expected);
  });
});
