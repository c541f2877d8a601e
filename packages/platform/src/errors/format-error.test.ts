import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { AppError } from './app-error';
import { requestIdPlugin, tagErrorWithRequestId } from './error-request-id';
import { createFormatError } from './format-error';

describe('formatError', () => {
  const logged: unknown[] = [];
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => logged.push(JSON.parse(line)) },
  );
  const format = createFormatError({ logger });

  it('keeps an AppError code, message and safe extensions only', () => {
    const error = new AppError('RATE_LIMITED', {
      extensions: { retryAfter: 30, internalHost: 'db-1' },
    });
    expect(format({ message: error.message, extensions: error.extensions }, error)).toEqual({
      message: error.message,
      extensions: { code: 'RATE_LIMITED', retryAfter: 30 },
      path: undefined,
      locations: undefined,
    });
  });

  it("keeps MFA_REQUIRED's and STEP_UP_REQUIRED's extensions: the client needs them for the next call", () => {
    const mfa = new AppError('MFA_REQUIRED', {
      extensions: { mfaToken: 'tok', factors: ['TOTP'], expiresIn: 300, userId: 'u-1' },
    });
    expect(format({ message: mfa.message, extensions: mfa.extensions }, mfa)?.extensions).toEqual({
      code: 'MFA_REQUIRED',
      mfaToken: 'tok',
      factors: ['TOTP'],
      expiresIn: 300,
    });
    const stepUp = new AppError('STEP_UP_REQUIRED', {
      extensions: { maxAge: 600, methods: ['PASSWORD', 'PASSKEY'] },
    });
    expect(
      format({ message: stepUp.message, extensions: stepUp.extensions }, stepUp)?.extensions,
    ).toEqual({ code: 'STEP_UP_REQUIRED', maxAge: 600, methods: ['PASSWORD', 'PASSKEY'] });
  });

  it('masks anything else as INTERNAL_SERVER_ERROR and logs the cause', () => {
    const cause = new Error(
      'duplicate key value violates unique constraint "users_email_key" on host 10.0.0.5',
    );
    const formatted = format(
      {
        message: cause.message,
        extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] },
      },
      cause,
    );
    expect(formatted).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      path: undefined,
      locations: undefined,
    });
    expect(JSON.stringify(logged)).toContain('users_email_key');
  });

  it('names the request the error was tagged with on the masked error and on its log line', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    tagErrorWithRequestId(cause, 'req-0123456789');
    const formatted = format(
      { message: cause.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      cause,
    );
    expect(formatted.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-0123456789',
    });
    expect(logged.at(-1)).toMatchObject({ msg: 'unexpected error', requestId: 'req-0123456789' });
  });

  it("finds the id on the error Apollo wraps around a tagged one (a failed context's)", () => {
    const cause = new Error('replay guard unreachable at 10.0.0.7');
    tagErrorWithRequestId(cause, 'req-context-1');
    const wrapped = new GraphQLError(`Context creation failed: ${cause.message}`, {
      originalError: cause,
    });
    const formatted = format(
      { message: wrapped.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      wrapped,
    );
    expect(formatted).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-context-1' },
      path: undefined,
      locations: undefined,
    });
    expect(logged.at(-1)).toMatchObject({ msg: 'unexpected error', requestId: 'req-context-1' });
  });

  it('does not trust a registered code on a plain GraphQLError from inside the service', () => {
    const spoofed = new GraphQLError('SELECT * FROM users', { extensions: { code: 'NOT_FOUND' } });
    expect(
      format({ message: spoofed.message, extensions: spoofed.extensions }, spoofed).extensions,
    ).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('turns Apollo validation errors into BAD_USER_INPUT with the reason', () => {
    const formatted = format(
      { message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      new GraphQLError('x'),
    );
    expect(formatted.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it("codes Apollo's persisted-query hash mismatch as BAD_USER_INPUT and logs nothing", () => {
    logged.length = 0;
    // As Apollo's request pipeline raises it: no code of its own, before execution.
    const error = new GraphQLError('provided sha does not match query');
    expect(
      format(
        {
          message: error.message,
          extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['GraphQLError: at x'] },
        },
        error,
      ),
    ).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH' },
    });
    expect(logged).toEqual([]);
  });
});

describe('requestIdPlugin with createFormatError in an Apollo Server', () => {
  const logged: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let server: ApolloServer<{ requestId: string }>;

  beforeAll(async () => {
    server = new ApolloServer<{ requestId: string }>({
      typeDefs: 'type Query { broken(ms: Int!): String, refused: String }',
      resolvers: {
        Query: {
          // Fails after a while, so requests overlap and each must keep its own id.
          broken: async (_: unknown, { ms }: { ms: number }) => {
            await new Promise((resolve) => setTimeout(resolve, ms));
            throw new Error(`relation "secrets" does not exist (${ms})`);
          },
          refused: () => {
            throw new AppError('FORBIDDEN');
          },
        },
      },
      formatError: createFormatError({ logger }),
      includeStacktraceInErrorResponses: false,
      plugins: [requestIdPlugin()],
    });
    await server.start();
  });
  afterAll(() => server.stop());

  const errorsOf = async (query: string, requestId: string) => {
    const response = await server.executeOperation({ query }, { contextValue: { requestId } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult.errors ?? [];
  };

  it("masks a resolver's failure with the context's request id, logged under the same id, for requests in flight together", async () => {
    logged.length = 0;
    const [slow, fast] = await Promise.all([
      errorsOf('{ broken(ms: 30) }', 'req-slow-1'),
      errorsOf('{ broken(ms: 1) }', 'req-fast-2'),
    ]);
    expect(slow).toEqual([
      {
        message: 'Internal server error.',
        path: ['broken'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-slow-1' },
      },
    ]);
    expect(fast[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-fast-2' });
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'unexpected error', requestId: 'req-slow-1' }),
        expect.objectContaining({ msg: 'unexpected error', requestId: 'req-fast-2' }),
      ]),
    );
    const slowLine = logged.find((line) => line.requestId === 'req-slow-1');
    expect(JSON.stringify(slowLine)).toContain('(30)');
  });

  it('adds no request id to an expected error and logs nothing for it', async () => {
    logged.length = 0;
    expect(await errorsOf('{ refused }', 'req-3')).toEqual([
      {
        message: 'You are not allowed to do this.',
        path: ['refused'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'FORBIDDEN' },
      },
    ]);
    expect(logged).toEqual([]);
  });
});
