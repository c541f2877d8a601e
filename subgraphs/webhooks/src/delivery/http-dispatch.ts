import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  hostOf,
  resolveAllowed,
  systemLookup,
  WebhookUrlError,
  type HostLookup,
  type ResolvedAddress,
} from './url-guard';

/** The most of a response body read and recorded; the connection is dropped after it. */
export const MAX_RESPONSE_BODY_BYTES = 1024;

export interface DispatchOptions {
  /** Whole attempt: resolution, connection, request and reading the answer. */
  timeoutMs: number;
  allowPrivate: boolean;
  lookup?: HostLookup;
  /** Cuts the attempt short (the service stopping): the result's error is `aborted`. */
  signal?: AbortSignal;
}

export interface DispatchRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one attempt gave: a status when the receiver answered, else an error. */
export interface DispatchResult {
  status?: number;
  retryAfter?: string;
  durationMs: number;
  /** `timeout`, `refused address`, `connection refused`, `connection reset`, `aborted`, ... */
  error?: string;
  /** The first MAX_RESPONSE_BODY_BYTES of the body. */
  body?: string;
}

/**
 * One POST of a delivery. The host is resolved once, every address it resolves to is checked
 * (url-guard) before any connection, and the socket dials one of exactly those addresses (the
 * `lookup` option answers them), so a second, different DNS answer cannot slip in between the check
 * and the dial. Redirects are not followed (a 3xx is the caller's failure), one fresh connection per
 * attempt, at most `timeoutMs` in all and at most 1 KB of body read.
 */
export async function dispatchWebhook(
  request: DispatchRequest,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const deadline = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const stopped = () => (options.signal?.aborted ? new DispatchAborted() : new DispatchTimeout());

  let url: URL;
  try {
    url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlError('SCHEME');
  } catch {
    return { durationMs: elapsed(), error: 'invalid url' };
  }

  let addresses: ResolvedAddress[];
  try {
    addresses = await raceDeadline(
      resolveAllowed(hostOf(url), options.lookup ?? systemLookup, options),
      deadline,
      stopped,
    );
  } catch (error) {
    return { durationMs: elapsed(), error: describeError(error) };
  }

  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === 6 ? 6 : lookupOptions.family === 4 ? 4 : 0;
    const usable = addresses.filter((a) => family === 0 || a.family === family);
    if (usable.length === 0) {
      callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '', 4);
    } else if (lookupOptions.all) {
      (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, usable);
    } else {
      callback(null, usable[0]!.address, usable[0]!.family);
    }
  };

  return new Promise<DispatchResult>((resolve) => {
    let settled = false;
    let status: number | undefined;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let received = 0;

    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      req.destroy();
      const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES).toString('utf8');
      if (status !== undefined) {
        // The receiver answered: its status decides, whatever happened to the rest of the body.
        resolve({ status, retryAfter, durationMs: elapsed(), body });
      } else {
        resolve({ durationMs: elapsed(), error: describeError(error) });
      }
    };
    const onDeadline = () => finish(stopped());

    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      lookup: pinned,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(request.body),
        'user-agent': 'Bastion-Webhooks/1',
      },
    });
    deadline.addEventListener('abort', onDeadline);
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      status = res.statusCode;
      const header = res.headers['retry-after'];
      retryAfter = Array.isArray(header) ? header[0] : header;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= MAX_RESPONSE_BODY_BYTES) finish();
      });
      res.on('end', () => finish());
      res.on('error', (error) => finish(error));
      res.on('close', () => finish());
    });
    req.end(request.body);
  });
}

class DispatchTimeout extends Error {
  constructor() {
    super('timeout');
  }
}

class DispatchAborted extends Error {
  constructor() {
    super('aborted');
  }
}

function raceDeadline<T>(work: Promise<T>, deadline: AbortSignal, reason: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    if (deadline.aborted) return onAbort();
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

/** A short, stable error for the attempt log (never a stack, never the URL). */
export function describeError(error: unknown): string {
  if (error instanceof DispatchTimeout) return 'timeout';
  if (error instanceof DispatchAborted) return 'aborted';
  if (error instanceof WebhookUrlError) {
    return error.reason === 'REFUSED_ADDRESS' ? 'refused address' : 'unresolvable host';
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unresolvable host';
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'network unreachable';
    default:
      break;
  }
  if (typeof code === 'string' && code.startsWith('HPE_')) return 'invalid response';
  if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return `tls error (${code})`;
  if (error instanceof Error && error.message === 'socket hang up') return 'connection reset';
  return typeof code === 'string' ? `error (${code})` : 'error';
}
