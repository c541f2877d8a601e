import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime()))
    throw new GraphQLError('DateTime must be an ISO-8601 date-time.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return date;
}

/** ISO-8601 date-time in UTC, e.g. 2026-11-22T10:00:00.000Z. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('DateTime must be a string.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return toDate(ast.value);
  },
});

/** Arbitrary JSON. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});
