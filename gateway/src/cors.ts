import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@bastion/platform';

/** Parses CORS_ORIGINS: exact origins, comma-separated ("*" is refused: credentials are allowed). */
export function parseOrigins(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/$/, ''))
      .filter((s) => s && s !== '*'),
  );
}

/** Ports dev servers use by default: React/Next, Vite (dev and preview), Angular, Astro, Vue CLI, Django... */
export const DEVELOPMENT_PORTS = [
  3000, 3001, 3002, 4000, 4173, 4200, 4321, 5000, 5173, 5174, 8000, 8080, 8081,
] as const;
/** The loopback host names a browser may show for a local dev server. */
export const DEVELOPMENT_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** Every http and https origin of a loopback host on a development port. */
export function developmentOrigins(): Set<string> {
  const origins = new Set<string>();
  for (const scheme of ['http', 'https']) {
    for (const host of DEVELOPMENT_HOSTS)
      for (const port of DEVELOPMENT_PORTS) origins.add(`${scheme}://${host}:${port}`);
  }
  return origins;
}

/**
 * The origins the public listener admits: CORS_ORIGINS when it is set; unset (or empty), the
 * local dev servers outside production and none in production, where the list must be explicit.
 */
export function corsOrigins(config: { CORS_ORIGINS?: string; NODE_ENV: string }): Set<string> {
  if (config.CORS_ORIGINS !== undefined) return parseOrigins(config.CORS_ORIGINS);
  return config.NODE_ENV === 'production' ? new Set() : developmentOrigins();
}

/**
 * The request headers a listed origin may send. Never x-bastion-refresh-cookie
 * (REFRESH_COOKIE_HEADER): cookie mode per request is for pages of the gateway's own origin only,
 * and leaving it out is what makes the browser refuse it from any other (docs/security.md "The web console").
 */
const ALLOWED_HEADERS =
  'content-type, authorization, x-service-token, apollo-require-preflight, x-apollo-operation-name, x-request-id';

/** How many distinct refused origins are logged; past that, one line says the rest are not. */
export const REFUSED_ORIGINS_LOGGED = 1000;

/**
 * Logs each refused origin once, at warn: a browser frontend on an origin CORS_ORIGINS does not
 * list otherwise fails in the browser only. Bounded, so a flood of made-up origins costs one line
 * per origin up to REFUSED_ORIGINS_LOGGED and then nothing more.
 */
export function refusedOriginLog(
  logger: Pick<Logger, 'warn'>,
  limit = REFUSED_ORIGINS_LOGGED,
): (origin: string) => void {
  const seen = new Set<string>();
  let full = false;
  return (origin) => {
    if (seen.has(origin) || full) return;
    if (seen.size >= limit) {
      full = true;
      logger.warn(
        { limit },
        'CORS: more refused origins than are logged; further refused origins are not logged',
      );
      return;
    }
    seen.add(origin);
    logger.warn(
      { origin },
      'CORS: refused a browser origin that CORS_ORIGINS does not list (logged once per origin)',
    );
  };
}

/** Whether the Origin is the listener's own (same-origin: the browser needs no CORS answer). */
function sameOrigin(req: IncomingMessage, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * CORS for browser frontends on other origins: only listed origins are echoed back, with
 * credentials (the refresh cookie). Answers preflights itself; returns true when it did. A
 * cross-origin request from an origin not listed goes to `onRefused` (refusedOriginLog).
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: Set<string>,
  onRefused?: (origin: string) => void,
): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'origin');
  if (origin && !origins.has(origin) && !sameOrigin(req, origin)) onRefused?.(origin);
  if (origin && origins.has(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-expose-headers', 'x-request-id');
  }
  if (req.method !== 'OPTIONS') return false;
  if (origin && origins.has(origin)) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204);
  res.end();
  return true;
}
