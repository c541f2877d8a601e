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

/** LOG_FORMAT=pretty: readable, and one line per record (a request was ten lines). */
describe('createLogger, pretty', () => {
  const capture = () => {
    const written: string[] = [];
    return {
      written,
      logger: createLogger(
        { name: 'bastion', level: 'info', format: 'pretty' },
        { write: (text: string) => void written.push(text) },
      ),
    };
  };

  it('a request is one line: method, path, operation, status, duration, viewer, listener, id', () => {
    const { written, logger } = capture();
    logger.info(
      {
        requestId: 'req-1',
        listener: 'public',
        method: 'POST',
        path: '/graphql',
        operationName: 'Models',
        viewer: 'user',
        status: 200,
        durationMs: 4.25,
      },
      'request',
    );
    expect(written).toHaveLength(1);
    expect(written[0].split('\n')).toEqual([
      expect.stringMatching(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(bastion\): POST \/graphql Models 200 4\.25ms user public req-1$/,
      ),
      '',
    ]);
  });

  it('a credential refused and a client gone: "refused" and the extra field on the same line', () => {
    const { written, logger } = capture();
    logger.info(
      {
        requestId: 'req-2',
        listener: 'internal',
        method: 'GET',
        path: '/graphql',
        operationName: null,
        viewer: null,
        status: 401,
        durationMs: 1,
        aborted: true,
      },
      'request',
    );
    expect(written[0].split('\n')).toEqual([
      expect.stringMatching(
        /INFO \(bastion\): GET \/graphql 401 1ms refused internal req-2 \{"aborted":true\}$/,
      ),
      '',
    ]);
  });

  it('any other record with fields is one line too, still redacted', () => {
    const { written, logger } = capture();
    logger.warn({ origin: 'https://a.test', input: { password: 'sekrit' } }, 'CORS: refused');
    expect(written[0].split('\n')).toEqual([
      expect.stringMatching(
        /WARN \(bastion\): CORS: refused \{"origin":"https:\/\/a\.test","input":\{"password":"\[redacted\]"\}\}$/,
      ),
      '',
    ]);
  });
});
