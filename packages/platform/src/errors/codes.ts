/**
 * The error-code registry. Codes are API: clients branch on them, so a code is never renamed or
 * reused. Each carries the default message a client sees and the HTTP status it maps to when it
 * is the only error of a response.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: {
    message: 'Sign in to continue.',
    httpStatus: 401,
    description: 'No valid credential on the request.',
  },
  FORBIDDEN: {
    message: 'You are not allowed to do this.',
    httpStatus: 403,
    description: 'The caller is known but lacks the tier, scope or role.',
  },
  EMAIL_NOT_VERIFIED: {
    message: 'Verify your email address to continue.',
    httpStatus: 403,
    description: 'The field needs the verified tier.',
  },
  MFA_REQUIRED: {
    message: 'Enter a code from your second factor to finish signing in.',
    httpStatus: 401,
    description:
      'The first factor was right and the account has a second factor: call verifyMfa with extensions.mfaToken.',
  },
  STEP_UP_REQUIRED: {
    message: 'Confirm it is you to continue.',
    httpStatus: 401,
    description:
      'The field needs a recent (and, with a second factor, multi-factor) sign-in: call stepUp; see extensions.maxAge and extensions.methods.',
  },
  BAD_USER_INPUT: {
    message: 'The input is not valid.',
    httpStatus: 400,
    description: 'Arguments failed validation; see extensions.fieldErrors.',
  },
  INVALID_CREDENTIALS: {
    message: 'Email or password is incorrect.',
    httpStatus: 401,
    description: 'Login failed; never says which part was wrong.',
  },
  INVALID_TOKEN: {
    message: 'The token is invalid or has expired.',
    httpStatus: 400,
    description: 'A refresh, verification, reset or invitation token was refused.',
  },
  NOT_FOUND: {
    message: 'Not found.',
    httpStatus: 404,
    description: 'The resource does not exist or is not visible to the caller.',
  },
  CONFLICT: {
    message: 'This conflicts with existing data.',
    httpStatus: 409,
    description: 'A uniqueness or state conflict.',
  },
  INSUFFICIENT_CREDITS: {
    message: 'Not enough credits.',
    httpStatus: 402,
    description: 'The balance cannot cover the amount.',
  },
  RATE_LIMITED: {
    message: 'Too many attempts; try again later.',
    httpStatus: 429,
    description: 'A rate limit was hit; see extensions.retryAfter (seconds).',
  },
  PAYMENT_REQUIRED: {
    message: 'Payment is required.',
    httpStatus: 402,
    description: 'The action needs a purchase first.',
  },
  UPSTREAM_UNAVAILABLE: {
    message: 'An upstream service is unavailable.',
    httpStatus: 503,
    description: 'A provider or subgraph did not answer.',
  },
  INTERNAL_SERVER_ERROR: {
    message: 'Internal server error.',
    httpStatus: 500,
    description: 'Unexpected; logged with the request id.',
  },
} as const satisfies Record<string, { message: string; httpStatus: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/**
 * Codes Apollo Server emits for a malformed request. Clients see them as BAD_USER_INPUT (the
 * contract's code) with the Apollo code kept in `extensions.reason`.
 */
export const APOLLO_REQUEST_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
] as const;

/** Automatic persisted queries are a protocol: clients retry on exactly these codes, so they pass as they are. */
export const PROTOCOL_CODES = [
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
] as const;
