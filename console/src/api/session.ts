import { useEffect, useState } from 'preact/hooks';

/**
 * The signed-in session, in memory only: the access token lives in this module and nowhere else
 * (no localStorage, no sessionStorage, no cookie a script can read). A reload restores the session
 * through the refresh token in the API's HttpOnly cookie, which the console asks for on every
 * request (COOKIE_MODE_HEADERS in api/client.ts), so it works with REFRESH_COOKIE off too. Should
 * an API still return the refresh token in the payload, it is kept here, in memory only.
 */
export interface SessionUser {
  id: string;
  email: string;
  displayName?: string | null;
  emailVerified: boolean;
}

/** What the console reads from the access token's claims (it is a JWT; the console never shows it). */
export interface SessionClaims {
  /** The organization the session is switched into (switchOrganization), if any. */
  org?: string;
  role?: string;
  emailVerified?: boolean;
  /** Seconds since the epoch. */
  expiresAt?: number;
}

export interface Session {
  accessToken: string;
  /** Only when the API returned it in the payload (no HttpOnly cookie). */
  refreshToken: string | null;
  /** Milliseconds since the epoch, from expiresIn. */
  expiresAt: number;
  user: SessionUser;
  claims: SessionClaims;
}

/** The fields every operation returning AuthPayload selects (see SESSION_FIELDS in api/auth-operations.ts). */
export interface AuthPayloadLike {
  accessToken: string;
  refreshToken?: string | null;
  expiresIn: number;
  user: SessionUser;
}

let current: Session | null = null;
const listeners = new Set<(session: Session | null) => void>();

function claimsOf(token: string): SessionClaims {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as Record<string, unknown>;
    return {
      org: typeof claims.org === 'string' ? claims.org : undefined,
      role: typeof claims.role === 'string' ? claims.role : undefined,
      emailVerified: typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined,
      expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return {};
  }
}

export function getSession(): Session | null {
  return current;
}

/** Starts or renews the session from an AuthPayload (login, register, refreshToken, verifyMfa…). */
export function setSession(payload: AuthPayloadLike): Session {
  current = {
    accessToken: payload.accessToken,
    // Rotated on every use: the payload's is the only one that still works.
    refreshToken: payload.refreshToken ?? null,
    expiresAt: Date.now() + payload.expiresIn * 1000,
    user: { ...payload.user },
    claims: claimsOf(payload.accessToken),
  };
  for (const listener of listeners) listener(current);
  return current;
}

/** Updates the user shown (after updateProfile) without touching the tokens. */
export function updateSessionUser(user: Partial<SessionUser>): void {
  if (!current) return;
  current = { ...current, user: { ...current.user, ...user } };
  for (const listener of listeners) listener(current);
}

export function clearSession(): void {
  current = null;
  for (const listener of listeners) listener(null);
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The session, re-rendering the component when it changes. */
export function useSession(): Session | null {
  const [session, setState] = useState(current);
  useEffect(() => onSessionChange(setState), []);
  return session;
}
