import type { ClaimsRejection, ClientInfo } from './forwarded-claims';
import type { Viewer } from './viewer';

/** The subgraph that alone sees the refresh cookie (as in signed claims). */
const REFRESH_COOKIE_AUDIENCE = 'auth';

/**
 * The caller's claims for one in-process subgraph request (docs/architecture.md "In-process subgraphs").
 * Opaque: what it says is kept by the channel that minted it, out of reach of whoever holds it.
 */
export interface InProcessClaims {
  readonly audience: string;
  readonly requestId: string;
}

/** Checks claims handed to a subgraph in the same process: its viewer and client, or why they are refused. */
export type AcceptInProcessClaims = (
  claims: unknown,
  audience: string,
  request: object,
) => { viewer: Viewer; client: ClientInfo; requestId: string } | { rejection: ClaimsRejection };

export interface ClaimsChannel {
  /** The gateway's half: claims for one request object sent to one subgraph. */
  mint(
    viewer: Viewer,
    client: ClientInfo,
    audience: string,
    request: object,
    requestId: string,
  ): InProcessClaims;
  /** The subgraphs' half. */
  accept: AcceptInProcessClaims;
}

interface Minted {
  viewer: Viewer;
  client: ClientInfo;
  audience: string;
  request: object;
}

/**
 * One gateway's channel to the subgraphs of its own process. Claims are frozen objects branded by
 * membership of a map private to this closure: nothing else can make one (a literal, a copy, a
 * spread, a prototype trick or another channel's claims are not members), and what they say lives
 * in the map, not in the object. Each is accepted once, for the subgraph and the very request
 * object it was minted for, which stands in for the operation digest of signed claims. No key and
 * no signature: only code holding `mint` (the gateway) can speak for a caller.
 */
export function createClaimsChannel(): ClaimsChannel {
  const minted = new WeakMap<object, Minted>();
  return {
    mint(viewer, client, audience, request, requestId) {
      const claims: InProcessClaims = Object.freeze({ audience, requestId });
      minted.set(claims, {
        viewer,
        // What signed claims carry, no more: the refresh cookie (or the hosts that did not send it) and cookie mode to auth only.
        client: {
          ip: client.ip,
          userAgent: client.userAgent?.slice(0, 512) ?? null,
          refreshCookie:
            audience === REFRESH_COOKIE_AUDIENCE ? (client.refreshCookie ?? null) : null,
          ...(audience === REFRESH_COOKIE_AUDIENCE && !client.refreshCookie && client.cookieHosts
            ? {
                cookieHosts: {
                  host: client.cookieHosts.host?.slice(0, 255) ?? null,
                  origin: client.cookieHosts.origin?.slice(0, 255) ?? null,
                },
              }
            : {}),
          ...(audience === REFRESH_COOKIE_AUDIENCE && client.refreshCookieMode
            ? { refreshCookieMode: true }
            : {}),
        },
        audience,
        request,
      });
      return claims;
    },
    accept(claims, audience, request) {
      if (claims === null || typeof claims !== 'object') return { rejection: 'signature' };
      const found = minted.get(claims);
      if (!found) return { rejection: 'signature' };
      if (found.audience !== audience) return { rejection: 'audience' };
      if (found.request !== request) return { rejection: 'operation' };
      // Once: claims that served a request are spent, like a signed claims' jti.
      minted.delete(claims);
      return {
        viewer: found.viewer,
        client: found.client,
        requestId: (claims as InProcessClaims).requestId,
      };
    },
  };
}
