import type { GraphQLFormattedError } from 'graphql';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js words it "more that N tokens" in 16.x; accept the corrected spelling too.
export const TOKEN_LIMIT_MESSAGE = /contains more tha[nt] \d+ tokens/;

/**
 * Gives the refusals Apollo itself raises the same `reason` the gateway's own checks use: a
 * token flood that reaches Apollo's parser is MAX_TOKENS, and disabled introspection says so
 * without naming the server library or its settings.
 */
export function withLimitReasons(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    const extensions = formatted.extensions ?? {};
    if (extensions.code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT_MESSAGE.test(formatted.message)) {
      return { ...result, message: 'The document has too many tokens.', extensions: { ...result.extensions, reason: 'MAX_TOKENS' } };
    }
    if (extensions.validationErrorCode === 'INTROSPECTION_DISABLED') {
      return { ...result, message: 'Introspection is disabled.', extensions: { ...result.extensions, reason: 'INTROSPECTION_DISABLED' } };
    }
    return result;
  };
}
