import { GraphQLError } from 'graphql';
import pino from 'pino';
import { runWithRequestId } from '../logging/request-context';
import { AppError } from './app-error';
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

  it('names the request being served on the masked error and on its log line', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    const formatted = runWithRequestId('req-0123456789', () =>
      format({ message: cause.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, cause),
    );
    expect(formatted.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-0123456789',
    });
    expect(logged.at(-1)).toMatchObject({ msg: 'unexpected error', requestId: 'req-0123456789' });
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
