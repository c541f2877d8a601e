import type { KeyObject } from 'node:crypto';
import {
  UNKNOWN_CLIENT,
  signForwardedClaims,
  type ApiKeyEntry,
  type OrganizationTokenCutoff,
  type Role,
  type ServiceTokenEntry,
  type ServiceViewer,
} from '@bastion/platform';

/** Auth's revocations and live issued service tokens, as the gateway caches them. */
export interface RevocationState {
  revokedSessionIds: string[];
  /** Epoch seconds before which each user's access tokens are void. */
  userCutoffs: { userId: string; validAfter: number }[];
  /** Stale organization claims: role changes, removals and deleted organizations. */
  organizationCutoffs: OrganizationTokenCutoff[];
  serviceTokens: ServiceTokenEntry[];
  /** Live, unexpired personal API keys (hashes). */
  apiKeys: ApiKeyEntry[];
}

const QUERY = `query GatewayRevocationState { tokenRevocationState {
  revokedSessionIds userCutoffs { userId validAfter } organizationCutoffs { organizationId userId role changedAt }
  serviceTokens { name scopes sha256 }
  apiKeys { id userId sha256 capabilities organizationId creditCeiling ceilingPeriod expiresAt emailVerified } } }`;

interface StateResponse {
  revokedSessionIds: string[];
  userCutoffs: { userId: string; validAfter: string }[];
  organizationCutoffs: {
    organizationId: string;
    userId: string | null;
    role: Role | null;
    changedAt: string;
  }[];
  serviceTokens: ServiceTokenEntry[];
  apiKeys: ApiKeyEntry[];
}

/** The gateway asks as itself: a service with exactly the scope the field needs. */
const GATEWAY_VIEWER: ServiceViewer = {
  kind: 'service',
  name: 'gateway',
  scopes: ['tokens:admin'],
};

/**
 * Reads the state straight from the auth subgraph, with claims the gateway signs itself: it must
 * work before the gateway serves anything, and needs no configured service token.
 */
export async function fetchRevocationState(
  authUrl: string,
  claimsKey: KeyObject,
  timeoutMs = 5000,
): Promise<RevocationState> {
  const claims = await signForwardedClaims(
    GATEWAY_VIEWER,
    UNKNOWN_CLIENT,
    'auth',
    { query: QUERY, operationName: 'GatewayRevocationState', variables: {} },
    claimsKey,
  );
  const response = await fetch(authUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bastion-claims': claims },
    body: JSON.stringify({ query: QUERY, operationName: 'GatewayRevocationState', variables: {} }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as {
    data?: { tokenRevocationState?: StateResponse };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const state = body.data?.tokenRevocationState;
  if (!response.ok || !state) {
    const reason =
      body.errors?.map((e) => e.extensions?.code ?? e.message).join(', ') ??
      `HTTP ${response.status}`;
    throw new Error(`auth refused the revocation state: ${reason}`);
  }
  return {
    revokedSessionIds: state.revokedSessionIds,
    userCutoffs: state.userCutoffs.map((c) => ({
      userId: c.userId,
      validAfter: Math.floor(Date.parse(c.validAfter) / 1000),
    })),
    organizationCutoffs: state.organizationCutoffs.map((c) => ({
      organizationId: c.organizationId,
      userId: c.userId,
      role: c.role,
      changedAtMs: Date.parse(c.changedAt),
    })),
    serviceTokens: state.serviceTokens,
    apiKeys: state.apiKeys,
  };
}
