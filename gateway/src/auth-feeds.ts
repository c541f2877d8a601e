/** What the gateway learns from auth over the bus: revocations and issued service tokens. */
import {
  ROLES,
  type EventBus,
  type MemoryIssuedTokenStore,
  type MemoryRevocationList,
  type Role,
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
 * event; applying one twice is harmless.
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
      const data = event.data as {
        sessionId?: string;
        userId?: string;
        validAfter?: number;
        name?: string;
        scopes?: string[];
        sha256?: string;
        sha256s?: string[];
      };
      if (event.type === 'SESSION_REVOKED' && data.sessionId)
        await memory.revokeSession(data.sessionId);
      if (
        event.type === 'USER_TOKENS_REVOKED' &&
        data.userId &&
        typeof data.validAfter === 'number'
      ) {
        await memory.revokeUserTokens(data.userId, data.validAfter);
      }
      if (event.type === 'ORGANIZATION_TOKENS_REVOKED') {
        const cutoff = organizationCutoff(event.data);
        if (cutoff) await memory.revokeOrganizationTokens(cutoff);
      }
      if (
        event.type === 'SERVICE_TOKEN_ISSUED' &&
        data.name &&
        Array.isArray(data.scopes) &&
        data.sha256
      ) {
        await issued.add({ name: data.name, scopes: data.scopes, sha256: data.sha256 });
      }
      if (event.type === 'SERVICE_TOKEN_REVOKED' && Array.isArray(data.sha256s)) {
        await memory.revokeServiceTokens(data.sha256s);
        await issued.remove(data.sha256s);
      }
    },
    { onGap: targets.onGap },
  );
}

/** ORGANIZATION_TOKENS_REVOKED's payload, or null when it is not one this gateway understands. */
function organizationCutoff(data: Record<string, unknown>) {
  const { organizationId, userId, role, changedAt } = data;
  const changedAtMs = typeof changedAt === 'string' ? Date.parse(changedAt) : NaN;
  if (typeof organizationId !== 'string' || Number.isNaN(changedAtMs)) return null;
  if (userId !== null && typeof userId !== 'string') return null;
  if (role !== null && !ROLES.includes(role as Role)) return null;
  return { organizationId, userId, role: role as Role | null, changedAtMs };
}
