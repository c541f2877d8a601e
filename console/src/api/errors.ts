import type { CombinedError } from '@urql/core';
import {
  ERROR_MESSAGES,
  NETWORK_MESSAGE,
  REASON_MESSAGES,
  UNKNOWN_MESSAGE,
  waitWords,
} from './error-messages';

/** What the console knows about a failed operation: its code, words for it, and per-field words. */
export interface ApiProblem {
  /** The contract's code (extensions.code), or 'NETWORK'. */
  code: string;
  /** Words to show; never the server's stack or the raw error. */
  message: string;
  /** BAD_USER_INPUT's extensions.fieldErrors: the API's words per argument name. */
  fieldErrors: Record<string, string>;
  /** The error's extensions (mfaToken, retryAfter, reason…), for pages that branch on them. */
  extensions: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The first GraphQL error of a urql result as an ApiProblem; null when there is none. */
export function problemOf(
  error: CombinedError | undefined | null,
  overrides: Record<string, string> = {},
): ApiProblem | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (!first) {
    return { code: 'NETWORK', message: NETWORK_MESSAGE, fieldErrors: {}, extensions: {} };
  }
  const extensions = isRecord(first.extensions) ? first.extensions : {};
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
  const reason = typeof extensions.reason === 'string' ? extensions.reason : undefined;
  const fieldErrors: Record<string, string> = {};
  if (isRecord(extensions.fieldErrors))
    for (const [name, words] of Object.entries(extensions.fieldErrors))
      if (typeof words === 'string') fieldErrors[name] = words;
  let message =
    overrides[code] ??
    (reason ? REASON_MESSAGES[reason] : undefined) ??
    ERROR_MESSAGES[code] ??
    UNKNOWN_MESSAGE;
  if (code === 'RATE_LIMITED' && typeof extensions.retryAfter === 'number')
    message = `Too many attempts. Try again in ${waitWords(extensions.retryAfter)}.`;
  return { code, message, fieldErrors, extensions };
}

/** Words for any failure (a urql CombinedError, a thrown value): never its text or stack. */
export function describeError(error: unknown, overrides: Record<string, string> = {}): string {
  if (isRecord(error) && Array.isArray(error.graphQLErrors))
    return problemOf(error as unknown as CombinedError, overrides)?.message ?? UNKNOWN_MESSAGE;
  return UNKNOWN_MESSAGE;
}
