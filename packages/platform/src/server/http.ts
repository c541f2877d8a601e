import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  HeaderMap,
  type ApolloServer,
  type BaseContext,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import { parseJsonBody } from './json-body';
import { RequestDrain } from './request-drain';
import { AppError } from '../errors/app-error';
import { ERROR_CODES, type ErrorCode } from '../errors/codes';
import type { Logger } from '../logging/logger';
import { tagErrorWithRequestId } from '../errors/error-request-id';
import { requestIdOf } from '../logging/request-context';
import { HttpError } from './http-error';

export { HttpError };

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The client went away before its request was read or answered: nothing to answer, no fault of ours. */
export class ClientAbortError extends Error {
  constructor() {
    super('the client closed the connection before the request was read');
  }
}

/** Whether `error` only says the client left (a reset or closed socket), not that the server failed. */
export function isClientAbort(req: IncomingMessage, error: unknown): boolean {
  if (error instanceof ClientAbortError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE')
    return req.destroyed || req.socket?.destroyed === true;
  return false;
}

/** Reads the whole body, refusing more than `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new HttpError(413, 'BAD_USER_INPUT', `Request body exceeds ${limit} bytes.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'BAD_USER_INPUT', `Request body exceeds ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error) => reject(isClientAbort(req, error) ? new ClientAbortError() : error));
    // A socket closed mid-body may end with neither 'end' nor 'error': settle rather than hang.
    req.on('close', () => {
      if (!req.complete) reject(new ClientAbortError());
    });
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A response in GraphQL's error shape for failures before execution (body, credentials). */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message?: string,
  extensions: Record<string, unknown> = {},
): void {
  sendJson(res, status, {
    errors: [
      { message: message ?? ERROR_CODES[code].message, extensions: { ...extensions, code } },
    ],
  });
}

export function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export interface GraphQLRequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  rawBody: Buffer;
  requestId: string;
}

/**
 * Runs one GraphQL HTTP request through Apollo Server: parses the JSON body itself (so a
 * malformed body is a coded 400, and the raw body is available), then hands over.
 */
export async function handleGraphQL<C extends BaseContext>(
  apollo: ApolloServer<C>,
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    bodyLimitBytes: number;
    requestId: string;
    context: (info: GraphQLRequestInfo) => Promise<C>;
    /** Runs after execution, before headers go out (e.g. to add Set-Cookie or a page's CSP). */
    beforeSend?: (response: HTTPGraphQLResponse) => void;
    /** Sees the parsed body (or GET parameters) before Apollo does; throws an HttpError or AppError to refuse. */
    checkRequest?: (request: { body: unknown; search: URLSearchParams }) => void | Promise<void>;
  },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let rawBody: Buffer = Buffer.alloc(0);
  let body: unknown;
  if (req.method === 'POST') {
    rawBody = await readBody(req, options.bodyLimitBytes);
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json') || type.includes('application/graphql-response+json')) {
      body = parseJsonBody(rawBody);
    } else {
      body = rawBody.toString('utf8');
    }
  }
  await options.checkRequest?.({ body, search: url.searchParams });
  const info: GraphQLRequestInfo = { req, res, body, rawBody, requestId: options.requestId };
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers: toHeaderMap(req),
      search: url.search,
      body,
    },
    // A context that fails is formatted outside Apollo's request pipeline (no didEncounterErrors):
    // its error is tagged here.
    context: () =>
      options.context(info).catch((error: unknown) => {
        tagErrorWithRequestId(error, options.requestId);
        throw error;
      }),
  });
  options.beforeSend?.(response);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.setHeader('x-request-id', options.requestId);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A request handler; a returned promise says when its work is over (the drain waits for it). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Wraps a handler so a thrown HttpError is a coded response and anything else a masked 500. Every
 * response carries the request id (`x-request-id`), and the handler is given it (for its GraphQL
 * context), so a masked error and its log line name the same id.
 */
export function guarded(
  logger: Logger,
  handler: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>,
): RequestListener {
  return (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    return handler(req, res, requestId).catch((error: unknown) => {
      if (isClientAbort(req, error)) {
        // Routine on the internet (a closed tab, a slow client cut off): one line, no stack.
        logger.debug({ url: req.url, requestId }, 'client aborted the request');
        if (!res.headersSent) res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendGraphQLError(res, error.status, error.code, error.message, error.extensions);
      } else if (error instanceof AppError) {
        sendGraphQLError(
          res,
          ERROR_CODES[error.code].httpStatus,
          error.code,
          error.message,
          error.extensions,
        );
      } else {
        logger.error({ err: error, url: req.url, requestId }, 'unexpected error');
        sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', undefined, { requestId });
      }
    });
  };
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets requests in flight finish (at most `timeoutMs`, default
   * 10 s, then cuts what is left) and closes idle keep-alive connections.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Asks long responses (streams) to end themselves now, as close() does shortly before its deadline. */
  wrapUp(): void;
  /** Runs in-process work (not HTTP) counted as one of this listener's requests (RequestDrain.run). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Requests whose response or handler has not finished. */
  readonly inFlight: number;
  /** Resolves once nothing is in flight and no request arrived for `quietMs`, or after `timeoutMs`. */
  whenIdle(timeoutMs: number, quietMs?: number): Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Listens on host:port, over TLS 1.3 only when certificate files are given. */
export async function listen(
  listener: RequestListener,
  options: { host: string; port: number; tls?: TlsFiles; keepAliveTimeoutMs?: number },
): Promise<Listening> {
  const drain = new RequestDrain();
  const tracked = drain.track(listener);
  const server: Server = options.tls
    ? createHttpsServer(
        {
          // TLS_CERT_FILE / TLS_KEY_FILE from the operator's config, read at start.
          // eslint-disable-next-line security/detect-non-literal-fs-filename
          cert: readFileSync(options.tls.certFile),
          // eslint-disable-next-line security/detect-non-literal-fs-filename
          key: readFileSync(options.tls.keyFile),
          minVersion: 'TLSv1.3',
        },
        tracked,
      )
    : createHttpServer(tracked);
  // Longer than any client's idle timeout, so a pooled socket is never reset under a request.
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `${scheme}://${host}:${port}`,
    close: (timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) =>
      (closing ??= drain.close(server, timeoutMs)),
    wrapUp: () => drain.wrapUp(),
    run: (work) => drain.run(work),
    get inFlight() {
      return drain.inFlight;
    },
    whenIdle: (timeoutMs, quietMs) => drain.whenIdle(timeoutMs, quietMs),
  };
}
