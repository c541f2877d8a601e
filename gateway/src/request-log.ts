import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@bastion/platform';

/** What a request learns on its way through, for its log line. */
export interface RequestLogFields {
  operationName?: string | null;
  viewerKind?: 'anonymous' | 'user' | 'service';
}

// Probes come every few seconds from orchestrators: logged only at debug.
const PROBES = new Set(['/health', '/ready', '/metrics']);

/**
 * One line per request when its answer is finished (or the client went away): request id,
 * method and path, operation name(s), viewer kind, status and duration. Never the query text,
 * variables or headers: they can hold personal data and credentials.
 */
export function logRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  listener: string,
): RequestLogFields {
  const started = process.hrtime.bigint();
  const fields: RequestLogFields = {};
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  res.once('close', () => {
    const line = {
      requestId,
      listener,
      method: req.method,
      path,
      operationName: fields.operationName ?? null,
      viewer: fields.viewerKind ?? null,
      status: res.statusCode,
      durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    if (PROBES.has(path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
  return fields;
}

/** The operation(s) a GraphQL body names: `operationName`, else the document's first named operation. */
export function operationNameOf(body: unknown, search: URLSearchParams): string | null {
  const one = (request: unknown): string | null => {
    const { operationName, query } = (request ?? {}) as {
      operationName?: unknown;
      query?: unknown;
    };
    if (typeof operationName === 'string' && operationName) return operationName.slice(0, 100);
    const named =
      typeof query === 'string'
        ? /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)
        : null;
    return named ? named[1].slice(0, 100) : null;
  };
  if (Array.isArray(body))
    return body
      .map(one)
      .map((name) => name ?? '(anonymous)')
      .join(',');
  if (body && typeof body === 'object') return one(body);
  return one({ operationName: search.get('operationName'), query: search.get('query') });
}
