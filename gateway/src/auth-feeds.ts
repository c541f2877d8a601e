/** What the gateway learns from auth over the bus: revocations and issued service tokens. */
import {
  type EventBus,
  type MemoryIssuedTokenStore,
  type MemoryRevocationList,
  type Subscription,
} from '@bastion/platform';

export interface AuthFeedTargets {
  memory: MemoryRevocationList;
  issued: MemoryIssuedTokenStore;
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
  const { memory, issued } = targets;
  return bus.broadcast(
    [
      'SESSION_REVOKED',
      'USER_TOKENS_REVOKED',
      'ORGANIZATION_TOKENS_REVOKED',
      'SERVICE_TOKEN_ISSUED',
      'SERVICE_TOKEN_REVOKED',
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
      }
    },
    { onGap: targets.onGap },
  );
}
