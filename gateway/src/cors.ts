import type { IncomingMessage, ServerResponse } from 'node:http';

/** Parses CORS_ORIGINS: exact origins, comma-separated ("*" is refused: credentials are allowed). */
export function parseOrigins(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((s) => s.trim().replace(/\/$/, '')).filter((s) => s && s !== '*'));
}

const ALLOWED_HEADERS = 'content-type, authorization, x-service-token, apollo-require-preflight, x-apollo-operation-name, x-request-id';

/**
 * CORS for browser frontends on other origins: only listed origins are echoed back, with
 * credentials (the refresh cookie). Answers preflights itself; returns true when it did.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: Set<string>): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'origin');
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
