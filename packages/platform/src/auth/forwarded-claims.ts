import { createHmac, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './keys';
import { ANONYMOUS, ROLES, type ApiKeyGrant, type Role, type Viewer } from './viewer';
import type { ReplayGuard } from './replay-guard';

/** The header that carries the gateway's signed claims to a subgraph. */
export const CLAIMS_HEADER = 'x-bastion-claims';
/** Claims live long enough to cross one hop, not to be collected and reused. */
export const CLAIMS_TTL_SECONDS = 30;
/** The drift allowed between the gateway's clock and a subgraph's (hosts of one deployment keep NTP time). */
const CLAIMS_CLOCK_SKEW_SECONDS = 5;
const ISSUER = 'bastion-gateway';

export interface OperationDigestInput {
  query?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** Binds claims to one operation: a captured header cannot be replayed with another query or variables. */
export function operationDigest(op: OperationDigestInput): string {
  return sha256Hex(canonicalJson([op.operationName ?? null, op.query ?? '', op.variables ?? {}]));
}

/**
 * The operation a POST /ai/stream request's claims are bound to: its path and its parsed JSON
 * body, so a captured claims header cannot be replayed with another prompt, model or key.
 */
export function streamOperation(body: Record<string, unknown>): OperationDigestInput {
  return { query: 'POST /ai/stream', operationName: null, variables: body };
}

/**
 * The operation a data export download's claims are bound to (GET /exports/<id> on the gateway,
 * forwarded to auth): its export and link token, so a captured header opens no other export.
 */
export function exportDownloadOperation(exportId: string, token: string): OperationDigestInput {
  return { query: 'GET /exports', operationName: null, variables: { exportId, token } };
}

/** Where the request came from, as the gateway saw it (after its TRUST_PROXY rules). */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  /** The browser's refresh-token cookie; forwarded to the auth subgraph only. */
  refreshCookie?: string | null;
  /**
   * When no refresh cookie came: the request's `Host` and the page's `Origin` (auth only), so auth
   * can say a cookie bound to another host name was not sent, instead of "no token".
   */
  cookieHosts?: { host: string | null; origin: string | null } | null;
  /**
   * The request asked for cookie mode (REFRESH_COOKIE_HEADER): auth sets the refresh cookie and
   * reads it, as with REFRESH_COOKIE=true, for this request only. Forwarded to auth only.
   */
  refreshCookieMode?: boolean;
}

/** The HttpOnly cookie that carries the refresh token when REFRESH_COOKIE is on. */
export const REFRESH_COOKIE_NAME = '__Host-bastion_refresh';
/**
 * The header a same-origin page (the web console) sends to ask for cookie mode per request
 * (docs/security.md "The web console"). CORS never admits it (gateway/src/cors.ts), so a page on
 * another origin cannot send it: the browser's preflight refuses the request.
 */
export const REFRESH_COOKIE_HEADER = 'x-bastion-refresh-cookie';
/** The only subgraph that ever sees the refresh cookie. */
const REFRESH_COOKIE_AUDIENCE = 'auth';

export const UNKNOWN_CLIENT: ClientInfo = Object.freeze({ ip: null, userAgent: null });

interface ClaimsPayload {
  k: 'u' | 's' | 'a';
  ip?: string | null;
  ua?: string | null;
  rc?: string | null;
  rh?: string | null;
  ro?: string | null;
  /** Cookie mode asked for by the request (ClientInfo.refreshCookieMode); auth only. */
  cm?: true;
  sub?: string;
  sid?: string;
  ev?: boolean;
  org?: string | null;
  role?: Role | null;
  tid?: string;
  iat0?: number;
  amr?: string[];
  at?: number;
  mfe?: boolean;
  /** A personal API key's grant: id, capabilities, ceiling, period. */
  apk?: { id: string; cap: string[]; cc: number | null; cp: 'DAY' | 'MONTH' | null };
  /** The impersonating actor's `sub` (RFC 8693 `act`). */
  act?: string;
  svc?: string;
  scp?: string[];
  op: string;
}

// HS256 on node:crypto's HMAC, synchronously: jose goes through WebCrypto, whose per-call job
// cost was ~65 µs per sign and per verify here (bench/REPORT.md), against ~5 µs. The checks are
// those jose's jwtVerify made with the options this file passed it (see checkJwt); tests sign with jose too.
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const hs256 = (signingInput: string, key: KeyObject) =>
  createHmac('sha256', key).update(signingInput).digest();

/**
 * Signs the viewer for one subgraph request as a JWT (HS256 with that subgraph's own claims key,
 * ClaimsKeys.keyFor), addressed to that subgraph, bound to the operation, alive CLAIMS_TTL_SECONDS, with a fresh jti.
 */
export async function signForwardedClaims(
  viewer: Viewer,
  client: ClientInfo,
  audience: string,
  op: OperationDigestInput,
  key: KeyObject,
): Promise<string> {
  const common = {
    op: operationDigest(op),
    ip: client.ip,
    ua: client.userAgent?.slice(0, 512) ?? null,
    ...(audience === REFRESH_COOKIE_AUDIENCE && client.refreshCookie
      ? { rc: client.refreshCookie }
      : {}),
    ...(audience === REFRESH_COOKIE_AUDIENCE && !client.refreshCookie && client.cookieHosts
      ? {
          rh: client.cookieHosts.host?.slice(0, 255) ?? null,
          ro: client.cookieHosts.origin?.slice(0, 255) ?? null,
        }
      : {}),
    ...(audience === REFRESH_COOKIE_AUDIENCE && client.refreshCookieMode
      ? { cm: true as const }
      : {}),
  };
  let payload: ClaimsPayload;
  if (viewer.kind === 'user') {
    payload = {
      k: 'u',
      sub: viewer.userId,
      sid: viewer.sessionId,
      ev: viewer.emailVerified,
      org: viewer.organizationId,
      role: viewer.role,
      tid: viewer.tokenId,
      iat0: viewer.issuedAt,
      amr: viewer.amr,
      at: viewer.authTime,
      mfe: viewer.mfaEnrolled,
      ...(viewer.apiKey
        ? {
            apk: {
              id: viewer.apiKey.id,
              cap: viewer.apiKey.capabilities,
              cc: viewer.apiKey.creditCeiling,
              cp: viewer.apiKey.ceilingPeriod,
            },
          }
        : {}),
      ...(viewer.actor ? { act: viewer.actor.sub } : {}),
      ...common,
    };
  } else if (viewer.kind === 'service') {
    payload = { k: 's', svc: viewer.name, scp: viewer.scopes, ...common };
  } else {
    payload = { k: 'a', ...common };
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    ...payload,
    iss: ISSUER,
    aud: audience,
    iat: now,
    exp: now + CLAIMS_TTL_SECONDS,
    jti: randomUUID(),
  };
  const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${hs256(signingInput, key).toString('base64url')}`;
}

type VerifiedPayload = ClaimsPayload & { exp: number; iat: number; jti: string };

/**
 * The signature and registered claims of a compact JWT: HS256 only (the header may name nothing
 * else: no "none", no algorithm confusion, no crit extensions), from the gateway, for this
 * subgraph, exp/iat/jti present, iat not in the future beyond the skew nor older than one hop.
 */
function checkJwt(
  token: string,
  audience: string,
  key: KeyObject,
): VerifiedPayload | ClaimsRejection {
  const parts = token.split('.');
  if (parts.length !== 3) return 'signature';
  const [headerPart, payloadPart, signaturePart] = parts;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
  } catch {
    return 'signature';
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return 'signature';
  const h = header as Record<string, unknown>;
  if (
    h.alg !== 'HS256' ||
    Object.keys(h).some((name) => name !== 'alg' && name !== 'typ' && name !== 'kid')
  )
    return 'signature';
  const expected = hs256(`${headerPart}.${payloadPart}`, key);
  const presented = Buffer.from(signaturePart, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return 'signature';
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return 'malformed';
  const p = payload as Record<string, unknown>;
  if (typeof p.exp !== 'number' || typeof p.iat !== 'number' || p.jti === undefined)
    return 'malformed';
  if (p.iss !== ISSUER) return 'malformed';
  if (!(Array.isArray(p.aud) ? p.aud.includes(audience) : p.aud === audience)) return 'audience';
  const now = Math.floor(Date.now() / 1000);
  const age = now - p.iat;
  if (age - CLAIMS_CLOCK_SKEW_SECONDS > CLAIMS_TTL_SECONDS) return 'expired';
  if (age < -CLAIMS_CLOCK_SKEW_SECONDS) return 'malformed';
  if (p.exp <= now - CLAIMS_CLOCK_SKEW_SECONDS) return 'expired';
  return p as unknown as VerifiedPayload;
}

export type ClaimsRejection =
  'malformed' | 'signature' | 'expired' | 'audience' | 'operation' | 'replayed';

/**
 * Verifies forwarded claims. Any failure yields the anonymous viewer: a subgraph never trusts a
 * caller for where it comes from, and an unverifiable identity is no identity.
 */
export async function verifyForwardedClaims(
  header: string | undefined,
  expected: {
    audience: string;
    operation: OperationDigestInput;
    key: KeyObject;
    replayGuard: ReplayGuard;
  },
): Promise<{ viewer: Viewer; client: ClientInfo; rejection?: ClaimsRejection }> {
  const refused = (rejection?: ClaimsRejection) => ({
    viewer: ANONYMOUS,
    client: UNKNOWN_CLIENT,
    rejection,
  });
  if (!header) return refused();
  const checked = checkJwt(header, expected.audience, expected.key);
  if (typeof checked === 'string') return refused(checked);
  const payload = checked;
  // A key holder cannot mint long-lived claims: the lifetime is the gateway's, never more.
  if (typeof payload.jti !== 'string' || payload.exp - payload.iat > CLAIMS_TTL_SECONDS)
    return refused('malformed');
  if (payload.op !== operationDigest(expected.operation)) return refused('operation');
  // Remembered for as long as the claims are accepted (exp plus the skew), so no replay slips in after.
  if (!(await expected.replayGuard.claim(payload.jti, payload.exp + CLAIMS_CLOCK_SKEW_SECONDS)))
    return refused('replayed');
  const client: ClientInfo = {
    ip: typeof payload.ip === 'string' ? payload.ip : null,
    userAgent: typeof payload.ua === 'string' ? payload.ua : null,
    refreshCookie: typeof payload.rc === 'string' ? payload.rc : null,
    ...(payload.cm === true ? { refreshCookieMode: true } : {}),
    ...(typeof payload.rh === 'string' || typeof payload.ro === 'string'
      ? {
          cookieHosts: {
            host: typeof payload.rh === 'string' ? payload.rh : null,
            origin: typeof payload.ro === 'string' ? payload.ro : null,
          },
        }
      : {}),
  };
  if (payload.k === 'a') return { viewer: ANONYMOUS, client };
  if (payload.k === 'u' && typeof payload.sub === 'string' && typeof payload.sid === 'string') {
    // A key's or an actor's claims that do not read back must not turn into a full user's.
    const grant = 'apk' in payload ? readKeyGrant(payload.apk) : undefined;
    if (grant === null) return refused('malformed');
    if (payload.act !== undefined && typeof payload.act !== 'string') return refused('malformed');
    return {
      viewer: {
        kind: 'user',
        userId: payload.sub,
        sessionId: payload.sid,
        emailVerified: payload.ev === true,
        organizationId: payload.org ?? null,
        role: payload.role && ROLES.includes(payload.role) ? payload.role : null,
        tokenId: payload.tid ?? '',
        issuedAt: payload.iat0 ?? 0,
        amr: Array.isArray(payload.amr) ? payload.amr.filter((m) => typeof m === 'string') : [],
        authTime: typeof payload.at === 'number' ? payload.at : 0,
        mfaEnrolled: payload.mfe === true,
        ...(grant ? { apiKey: grant } : {}),
        ...(typeof payload.act === 'string' ? { actor: { sub: payload.act } } : {}),
      },
      client,
    };
  }
  if (payload.k === 's' && typeof payload.svc === 'string' && Array.isArray(payload.scp)) {
    return {
      viewer: {
        kind: 'service',
        name: payload.svc,
        scopes: payload.scp.filter((s) => typeof s === 'string'),
      },
      client,
    };
  }
  return refused('malformed');
}

function readKeyGrant(raw: unknown): ApiKeyGrant | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const k = raw as Record<string, unknown>;
  if (typeof k.id !== 'string' || !Array.isArray(k.cap)) return null;
  if (!k.cap.every((c) => typeof c === 'string')) return null;
  if (k.cc !== null && !(typeof k.cc === 'number' && Number.isSafeInteger(k.cc) && k.cc >= 0))
    return null;
  if (k.cp !== null && k.cp !== 'DAY' && k.cp !== 'MONTH') return null;
  return {
    id: k.id,
    capabilities: k.cap as string[],
    creditCeiling: k.cc,
    ceilingPeriod: k.cp,
  };
}
