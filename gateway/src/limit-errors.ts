import type { GraphQLFormattedError } from 'graphql';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js words it "more that N tokens" in 16.x; accept the corrected spelling too.
export const TOKEN_LIMIT_MESSAGE = /contains more tha[nt] \d+ tokens/;

// graphql-js's lexer refuses a lone surrogate (raw or as an escape) in a string: the same INVALID_STRING as a variable.
const INVALID_STRING_MESSAGE =
  /Invalid Unicode escape sequence|Invalid character within String: U\+(0000|D[89A-F])/;

/**
 * Gives the refusals Apollo itself raises the same `reason` the gateway's own checks use: a
 * token flood that reaches Apollo's parser is MAX_TOKENS, an unpaired surrogate INVALID_STRING,
 * and disabled introspection says so without naming the server library or its settings.
 */
export function withLimitReasons(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    const extensions = formatted.extensions ?? {};
    if (extensions.code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT_MESSAGE.test(formatted.message)) {
      return {
        ...result,
        message: 'The document has too many tokens.',
        extensions: { ...result.extensions, reason: 'MAX_TOKENS' },
      };
    }
    if (
      extensions.code === 'GRAPHQL_PARSE_FAILED' &&
      INVALID_STRING_MESSAGE.test(formatted.message)
    ) {
      return { ...result, extensions: { ...result.extensions, reason: 'INVALID_STRING' } };
    }
    if (extensions.validationErrorCode === 'INTROSPECTION_DISABLED') {
      return {
        ...result,
        message: 'Introspection is disabled.',
        extensions: { ...result.extensions, reason: 'INTROSPECTION_DISABLED' },
      };
    }
    return result;
  };
}
