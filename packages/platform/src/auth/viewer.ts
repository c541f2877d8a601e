import { AppError } from '../errors/app-error';

export const ROLES = ['ADMIN', 'EDITOR', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  'users:read',
  'credits:read',
  'credits:write',
  'orgs:read',
  'tokens:admin',
  'audit:read',
  'mfa:reset',
  'orgs:provision',
  'sso:admin',
  'users:impersonate',
  'users:export',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface UserViewer {
  kind: 'user';
  userId: string;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
  emailVerified: boolean;
  organizationId: string | null;
  role: Role | null;
  /** The access token's `jti` and `iat`, for revocation checks. */
  tokenId: string;
  issuedAt: number;
  /**
   * How the session's user authenticated (RFC 8176 values: `pwd`, `otp`, `hwk`, `swk`, `mfa`, ...;
   * plus `fed` for a federated sign-in and `rcv` for a recovery code). `mfa` means a second
   * factor was used. Empty for tokens issued before these claims existed.
   */
  amr: string[];
  /** When the user last authenticated for this session (seconds since the epoch; 0 if unknown). */
  authTime: number;
  /** Whether the user had a second factor enrolled when the token was issued. */
  mfaEnrolled: boolean;
  /**
   * Set when the request authenticated with a personal API key (`bk_...`) instead of a session:
   * the tier rule lets it reach only fields naming a capability it holds, and the credits ledger
   * holds its spending to the ceiling. `sessionId`, `tokenId` and `issuedAt` are then the key's.
   */
  apiKey?: ApiKeyGrant;
  /**
   * Set on an impersonation session's tokens (RFC 8693 `act`): `sub` names the support service
   * acting as the user. Such a viewer is read-only (IMPERSONATION_READ_ONLY on every mutation).
   */
  actor?: { sub: string };
}

/** What a personal API key grants, as forwarded to subgraphs. */
export interface ApiKeyGrant {
  id: string;
  capabilities: string[];
  /** Credits the key may spend per period; null for no ceiling of its own. */
  creditCeiling: number | null;
  ceilingPeriod: 'DAY' | 'MONTH' | null;
}

/** The methods a session's sign-in used included a second factor. */
export function usedMultiFactor(viewer: Pick<UserViewer, 'amr'>): boolean {
  return viewer.amr.includes('mfa');
}

export interface ServiceViewer {
  kind: 'service';
  /** A display name: issued tokens may share one, so it identifies no token. */
  name: string;
  scopes: string[];
  /**
   * The credential's own id, set by the gateway: `configured:<name>` for a SERVICE_TOKENS entry
   * (entries sharing a name are one service's rotation), `issued:<sha256>` for an issued token.
   * Per-caller limits key on it; it is not forwarded to subgraphs.
   */
  tokenId?: string;
}

export interface AnonymousViewer {
  kind: 'anonymous';
}

/** Who is calling, as the gateway established it. Subgraphs only ever see this, never a raw token. */
export type Viewer = UserViewer | ServiceViewer | AnonymousViewer;

export const ANONYMOUS: AnonymousViewer = Object.freeze({ kind: 'anonymous' });

export function isUser(viewer: Viewer): viewer is UserViewer {
  return viewer.kind === 'user';
}

export function isService(viewer: Viewer): viewer is ServiceViewer {
  return viewer.kind === 'service';
}

/**
 * The user behind a request, for resolvers of AUTHENTICATED/VERIFIED fields (the tier already
 * guarantees one; this narrows the type and guards against a tier being loosened by mistake).
 */
export function requireUser(viewer: Viewer): UserViewer {
  if (viewer.kind !== 'user') throw new AppError('UNAUTHENTICATED');
  return viewer;
}

export function hasScopes(viewer: Viewer, scopes: readonly string[]): boolean {
  return viewer.kind === 'service' && scopes.every((s) => viewer.scopes.includes(s));
}
