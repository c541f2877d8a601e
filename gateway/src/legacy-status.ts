import type { HTTPGraphQLResponse } from '@apollo/server';
import { HttpError } from '@bastion/platform';

/**
 * GraphQL over HTTP, "legacy watershed": a client that does not accept
 * `application/graphql-response+json` (it asks for `application/json`, or sends no Accept) reads
 * the status of a well-formed request as "the server answered", so request errors (parse,
 * validation, variable coercion, the gateway's own limits) go out as 200 with the same error
 * body. A client that accepts the newer type gets the 4xx. A request that is not well-formed
 * (bad JSON, no query, a CSRF refusal) stays 4xx for everyone, as do 401, 413 and 429.
 */
export function isLegacyClient(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return !/application\/graphql-response\+json/i.test(value);
}

// Apollo's code for a request that is not well-formed, as formatError passes it on in `reason`.
const MALFORMED_REQUEST = 'BAD_REQUEST';

type ErrorBody = {
  data?: unknown;
  errors?: { extensions?: { code?: unknown; reason?: unknown } }[];
};

/** True when Apollo's 400 is a GraphQL request error (parse, validation, coercion), not a malformed request. */
function isRequestError(response: HTTPGraphQLResponse): boolean {
  if (response.status !== 400 || response.body.kind !== 'complete') return false;
  let body: ErrorBody;
  try {
    body = JSON.parse(response.body.string) as ErrorBody;
  } catch {
    return false;
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  return (
    errors.length > 0 &&
    errors.every(
      (e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions.reason !== MALFORMED_REQUEST,
    )
  );
}

/** Apollo's answer for a legacy client: 200 for a request error, otherwise unchanged. */
export function applyLegacyStatus(response: HTTPGraphQLResponse): void {
  if (isRequestError(response)) response.status = 200;
}

/** The gateway's own pre-execution refusals (limits, cost, trusted documents) for a legacy client: 200. */
export function asLegacyRefusal(error: unknown): unknown {
  if (error instanceof HttpError && error.status === 400 && error.code === 'BAD_USER_INPUT') {
    return new HttpError(200, error.code, error.message, error.extensions);
  }
  return error;
}
