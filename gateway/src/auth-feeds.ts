/** What the gateway learns from auth over the bus: revocations, issued service tokens, API keys. */
import {
  type EventBus,
  type MemoryApiKeyStore,
  type MemoryIssuedTokenStore,
  type MemoryRevocationList,
  type Subscription,
} from '@bastion/platform';

export interface AuthFeedTargets {
  memory: MemoryRevocationList;
  issued: MemoryIssuedTokenStore;
  apiKeys: MemoryApiKeyStore;
  /** Called when broadcasts may have been missed: the cache reloads from auth. */
  onGap: () => void;
}

/**
 * Feeds this replica's copy from auth's events. A broadcast, so every gateway replica hears every
 * event, its payload read against the event catalog; applying one twice is harmless.
 */
export async function subscribeToAuthFeeds(
  bus: EventBus,
  targets: AuthFeedTargets,
): Promise<Subscription> {
  const { memory, issued, apiKeys } = targets;
  return bus.broadcast(
    [
      'SESSION_REVOKED',
      'USER_TOKENS_REVOKED',
      'ORGANIZATION_TOKENS_REVOKED',
      'SERVICE_TOKEN_ISSUED',
      'SERVICE_TOKEN_REVOKED',
      'API_KEY_CREATED',
      'API_KEY_REVOKED',
    ],
    async (event) => {
      switch (event.type) {
        case 'SESSION_REVOKED':
          return memory.revokeSession(event.data.sessionId);
        case 'USER_TOKENS_REVOKED':
          return memory.revokeUserTokens(event.data.userId, event.data.validAfter);
        case 'ORGANIZATION_TOKENS_REVOKED': {
          const { organizationId, userId, role, changedAt } = event.data;
          return memory.revokeOrganizationTokens({
            organizationId,
            userId,
            role,
            changedAtMs: Date.parse(changedAt),
          });
        }
        case 'SERVICE_TOKEN_ISSUED': {
          const { name, scopes, sha256 } = event.data;
          return issued.add({ name, scopes, sha256 });
        }
        case 'SERVICE_TOKEN_REVOKED':
          await memory.revokeServiceTokens(event.data.sha256s);
          return issued.remove(event.data.sha256s);
        case 'API_KEY_CREATED': {
          const { keyId, ...rest } = event.data;
          // Only verified users create keys (and no flow unverifies an address).
          return apiKeys.add({ id: keyId, ...rest, emailVerified: true });
        }
        case 'API_KEY_REVOKED':
          // Revoked hashes are never live again: the set of revoked credentials keeps them.
          await memory.revokeServiceTokens([event.data.sha256]);
          return apiKeys.remove([event.data.sha256]);
      }
    },
    { onGap: targets.onGap },
  );
}
