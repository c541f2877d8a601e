import { createLogger } from './logger';

/** What the redaction list and the error serializer keep out of a line, written as a caller would log it. */
describe('createLogger', () => {
  const capture = () => {
    const lines: string[] = [];
    return {
      lines,
      logger: createLogger(
        { name: 'test', level: 'trace' },
        { write: (line: string) => void lines.push(line) },
      ),
    };
  };

  it('redacts credentials wherever a caller puts them', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        headers: {
          authorization: 'Bearer sekrit-1',
          cookie: '__Host-refresh=sekrit-2',
          'x-service-token': 'sekrit-3',
        },
        input: {
          password: 'sekrit-4',
          refreshToken: 'sekrit-5',
          accessToken: 'sekrit-6',
          passwordHash: '$argon2id$v=19$sekrit-7',
          token: 'sekrit-8',
        },
        req: { headers: { authorization: 'Bearer sekrit-9' } },
      },
      'request',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/sekrit|\$argon2/);
    expect(lines[0]).toContain('[redacted]');
  });

  it('logs an error by type, message and code, without the data of the failed query', () => {
    const { lines, logger } = capture();
    const driverError = Object.assign(
      new Error('duplicate key value violates unique constraint "users_email_key"'),
      {
        code: '23505',
        detail: 'Key (email)=(ada@example.com) already exists.',
        parameters: ['ada@example.com'],
      },
    );
    const error = Object.assign(new Error(driverError.message), {
      name: 'QueryFailedError',
      code: '23505',
      query: 'INSERT INTO users VALUES ($1, $2)',
      parameters: ['ada@example.com', '$argon2id$v=19$hash'],
      driverError,
    });
    logger.error({ err: error }, 'unexpected error');
    logger.error(error, 'unexpected error, as the first argument');
    for (const line of lines) {
      expect(line).not.toMatch(/ada@example\.com|\$argon2|INSERT INTO/);
      const { err } = JSON.parse(line) as {
        err: { message: string; code: string; driverError: { code: string } };
      };
      expect(err).toMatchObject({
        message: 'duplicate key value violates unique constraint "users_email_key"',
        code: '23505',
        driverError: { code: '23505' },
      });
    }
  });
});
