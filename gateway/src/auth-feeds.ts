/** What the gateway learns from auth over the bus: revocations and issued service tokens. */
import type { EventBus, IssuedTokenStore, RevocationList, Subscription } from '@bastion/platform';

/**
 * Keeps the gateway's revocation list fed from auth's events, so instances that share no Redis
 * with auth still learn of revocations. Applying one twice is harmless.
 */
export async function subscribeToRevocations(bus: EventBus, revocations: RevocationList): Promise<Subscription> {
  return bus.broadcast(['SESSION_REVOKED', 'USER_TOKENS_REVOKED'], async (event) => {
    const data = event.data as { sessionId?: string; userId?: string; validAfter?: number };
    if (event.type === 'SESSION_REVOKED' && data.sessionId) await revocations.revokeSession(data.sessionId);
    if (event.type === 'USER_TOKENS_REVOKED' && data.userId && typeof data.validAfter === 'number') {
      await revocations.revokeUserTokens(data.userId, data.validAfter);
    }
  });
}

/** Learns service tokens issued by auth, for gateways that share no Redis with it. */
export async function subscribeToIssuedTokens(bus: EventBus, store: IssuedTokenStore): Promise<Subscription> {
  return bus.broadcast(['SERVICE_TOKEN_ISSUED'], async (event) => {
    const data = event.data as { name?: string; scopes?: string[]; sha256?: string };
    if (data.name && Array.isArray(data.scopes) && data.sha256) await store.add({ name: data.name, scopes: data.scopes, sha256: data.sha256 });
  });
}
