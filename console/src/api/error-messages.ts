/**
 * The API's error codes (packages/platform/src/errors/codes.ts; docs/api.md "Error codes") in words a
 * person reads. The console shows these, never the raw error: no stack, no error object, no token.
 * A page may pass its own words for a code (`describeError(error, { NOT_FOUND: '…' })`).
 */
export const ERROR_MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in to continue.',
  FORBIDDEN: 'You are not allowed to do this.',
  EMAIL_NOT_VERIFIED: 'Verify your email address first: open the link we mailed you.',
  MFA_REQUIRED: 'Enter a code from your second factor to finish signing in.',
  STEP_UP_REQUIRED: 'For your security, confirm it is you before doing this.',
  BAD_USER_INPUT: 'Some of what you entered is not valid.',
  INVALID_CREDENTIALS: 'The email, password or code is not right.',
  INVALID_TOKEN: 'This link or code is not valid any more. Ask for a new one.',
  NOT_FOUND: 'We could not find it. It may have been removed.',
  CONFLICT: 'This conflicts with something that already exists.',
  INSUFFICIENT_CREDITS: 'There are not enough credits for this.',
  RATE_LIMITED: 'Too many attempts. Wait a little and try again.',
  PAYMENT_REQUIRED: 'This needs a purchase first.',
  UPSTREAM_UNAVAILABLE: 'A service is not answering right now. Try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Try again in a moment.',
};

/** Words for some `extensions.reason` values, which say more than their code. */
export const REASON_MESSAGES: Record<string, string> = {
  API_KEY_LIMIT: 'You have reached the limit of live API keys. Revoke one first.',
  EXPORT_RUNNING: 'An export is already running.',
  KEY_CEILING: "This key's credit ceiling is reached for now.",
  GRAPHQL_VALIDATION_FAILED: 'The console sent a request the API did not accept.',
};

export const NETWORK_MESSAGE = 'Cannot reach the server. Check your connection and try again.';
export const UNKNOWN_MESSAGE = 'Something went wrong. Try again in a moment.';

/** `seconds` as "a minute", "5 minutes", "30 seconds". */
export function waitWords(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}
