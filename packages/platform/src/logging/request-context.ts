import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A caller's id is kept only when it cannot forge a log line, a header or markup: 1-64 of these. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request id of an incoming request: the caller's `x-request-id` when it is a plain token
 * (the gateway forwards its own, so a subgraph logs under the same id), else a new UUID. It goes
 * with the request explicitly (handler argument, GraphQL context), never through
 * AsyncLocalStorage (docs/performance.md "The request id without AsyncLocalStorage").
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
