import { Client, fetchExchange, stringifyDocument } from '@urql/core';
import { graphql } from '../generated';
import { currentLocation, navigate } from '../router';
import { clearSession, getSession, setSession, type AuthPayloadLike } from './session';

/**
 * The console's one GraphQL client, on the public API only (same origin: /graphql). Every request
 * carries the in-memory access token; an UNAUTHENTICATED answer (expired or revoked token) is
 * followed by one refresh through the HttpOnly cookie (COOKIE_MODE_HEADERS) and one retry; when the refresh fails too,
 * the session ends and the person goes to sign in, then back to the page they were on.
 */
export const GRAPHQL_PATH = '/graphql';

/**
 * Asks the API for cookie mode on every request, whatever REFRESH_COOKIE says: sign-ins set the
 * HttpOnly refresh cookie and return no refresh token, and refreshToken/logout read the cookie, so
 * a reload keeps the session. Only a page of the gateway's own origin can send this header (CORS
 * never admits it): docs/security.md "The web console".
 */
export const COOKIE_MODE_HEADERS = { 'x-bastion-refresh-cookie': '1' } as const;

const RefreshSession = graphql(`
  mutation RefreshSession($refreshToken: String) {
    refreshToken(refreshToken: $refreshToken) {
      ...SessionFields
    }
  }
`);

/** The AuthPayload fields every sign-in operation selects: `...SessionFields` (api/session.ts). */
export const SessionFields = graphql(`
  fragment SessionFields on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      id
      email
      displayName
      emailVerified
    }
  }
`);

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: unknown } }[];
}

async function bodyOf(response: Response): Promise<GraphQLBody | null> {
  try {
    return (await response.clone().json()) as GraphQLBody;
  } catch {
    return null;
  }
}

function withToken(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(COOKIE_MODE_HEADERS)) headers.set(name, value);
  if (token) headers.set('authorization', `Bearer ${token}`);
  else headers.delete('authorization');
  return { ...init, headers, credentials: 'same-origin' };
}

let refreshing: Promise<boolean> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Trades the refresh token (the HttpOnly cookie, or the in-memory one without cookie mode) for a
 * new access token. One refresh at a time: concurrent callers share it. False when it was refused.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch(GRAPHQL_PATH, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          ...COOKIE_MODE_HEADERS,
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
        },
        body: JSON.stringify({
          query: stringifyDocument(RefreshSession),
          operationName: 'RefreshSession',
          variables: { refreshToken: getSession()?.refreshToken ?? null },
        }),
      });
      const body = await bodyOf(response);
      const payload = body?.data?.refreshToken as AuthPayloadLike | undefined;
      if (!payload?.accessToken) return false;
      startSession(payload);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Keeps the session and renews its access token a minute before it expires. */
export function startSession(payload: AuthPayloadLike): void {
  const session = setSession(payload);
  clearTimeout(refreshTimer);
  const delay = Math.max(10_000, session.expiresAt - Date.now() - 60_000);
  refreshTimer = setTimeout(() => void refreshSession(), delay);
}

/** Forgets the session here (the API's sign-out is `logout`, api/auth-operations.ts). */
export function endSession(): void {
  clearTimeout(refreshTimer);
  clearSession();
}

/** The session ended under the person's feet: to sign in, then back to this page. */
function sessionExpired(): void {
  endSession();
  const here = currentLocation();
  if (!here.startsWith('/sign-in'))
    navigate(`/sign-in?next=${encodeURIComponent(here)}&expired=1`, { replace: true });
}

/** fetch for urql: the token on each request, one refresh and retry on UNAUTHENTICATED. */
async function authenticatedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const token = getSession()?.accessToken ?? null;
  const response = await fetch(input, withToken(init, token));
  if (response.status !== 401 || !token) return response;
  const body = await bodyOf(response);
  if (body?.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') return response;
  if (await refreshSession())
    return fetch(input, withToken(init, getSession()?.accessToken ?? null));
  sessionExpired();
  return response;
}

export const client = new Client({
  url: GRAPHQL_PATH,
  exchanges: [fetchExchange],
  fetch: authenticatedFetch,
  // Pages ask again when shown; a mutation's answer is what it returned, nothing is cached across people.
  requestPolicy: 'cache-and-network',
  preferGetMethod: false,
});

/**
 * On start: a session from the HttpOnly cookie, when one is there. Resolves once known either way.
 */
export async function restoreSession(): Promise<void> {
  await refreshSession();
}
