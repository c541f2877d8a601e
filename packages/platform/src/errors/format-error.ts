import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError } from './app-error';
import { APOLLO_REQUEST_CODES, ERROR_CODES, PROTOCOL_CODES, isErrorCode } from './codes';
import type { Logger } from '../logging/logger';
import { requestIdOfError } from './error-request-id';

const PASSABLE_CODES = new Set<string>([...Object.keys(ERROR_CODES), ...PROTOCOL_CODES]);
const REQUEST_CODES = new Set<string>(APOLLO_REQUEST_CODES);
/** Apollo's automatic persisted queries refuse a text whose sha256 is not the hash sent, with no code. */
const APQ_HASH_MISMATCH = 'provided sha does not match query';

export interface FormatErrorOptions {
  logger: Logger;
  /** Whether errors from another server (the gateway reading subgraph errors) may keep a registered code. */
  trustUpstreamCodes?: boolean;
}

/**
 * Apollo `formatError`: an AppError or an Apollo request error keeps its code and message;
 * anything else becomes INTERNAL_SERVER_ERROR with the request id, and is logged with its cause
 * under the same id. The id is the one `requestIdPlugin` (or `handleGraphQL`, for a context that
 * failed) tagged the error with, so the server must have that plugin. Only `code` and the
 * allow-listed extensions reach a client: no stack, SQL, host or secret.
 */
export function createFormatError({ logger, trustUpstreamCodes = false }: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    // This request's own id first (requestIdPlugin tags each error with it): at the gateway it is
    // also the id the subgraph logged under.
    const requestId = requestIdOfError(error) ?? formatted.extensions?.requestId;
    // Apollo gives its own uncoded errors INTERNAL_SERVER_ERROR; this one comes before execution
    // (no path) and wraps nothing.
    if (
      (code === undefined || code === 'INTERNAL_SERVER_ERROR') &&
      formatted.message === APQ_HASH_MISMATCH &&
      !formatted.path &&
      !(original as { originalError?: unknown } | undefined)?.originalError
    ) {
      // The client's mistake (a wrong hash): coded, not logged as a failure of ours.
      return {
        message: formatted.message,
        extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH' },
      };
    }
    if (typeof code === 'string' && REQUEST_CODES.has(code)) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', reason: code },
      };
    }
    const isExpected =
      original instanceof AppError ||
      (typeof code === 'string' && (PROTOCOL_CODES as readonly string[]).includes(code)) ||
      (trustUpstreamCodes && typeof code === 'string' && PASSABLE_CODES.has(code));
    if (!isExpected || code === 'INTERNAL_SERVER_ERROR') {
      logger.error({ err: original, path: formatted.path, requestId }, 'unexpected error');
      return {
        message: ERROR_CODES.INTERNAL_SERVER_ERROR.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
      };
    }
    return {
      message: formatted.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: pickSafeExtensions(formatted.extensions ?? {}),
    };
  };
}

const SAFE_EXTENSION_KEYS = [
  'code',
  'reason',
  'retryAfter',
  'fieldErrors',
  'requestId',
  'required',
  'available',
  // INSUFFICIENT_CREDITS reason KEY_CEILING: the API key's ceiling, its period and when it starts over.
  'ceiling',
  'ceilingPeriod',
  'resetsAt',
  // What a failed generation was charged (the minimum once Gemini had the request).
  'creditsCharged',
  // MFA_REQUIRED: the second step's token, the factor kinds it takes and its lifetime (seconds).
  'mfaToken',
  'factors',
  'expiresIn',
  // STEP_UP_REQUIRED: how recent the sign-in must be (seconds) and the methods that satisfy it.
  'maxAge',
  'methods',
  // SSO_REQUIRED: the organization whose single sign-on the user must use (ssoAuthorizationUrl).
  'organizationSlug',
];

function pickSafeExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const key of SAFE_EXTENSION_KEYS)
    if (extensions[key] !== undefined) safe[key] = extensions[key];
  return safe;
}

export { isErrorCode };
