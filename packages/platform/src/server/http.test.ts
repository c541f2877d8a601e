import { Agent, request } from 'node:http';
import pino from 'pino';
import { guarded, listen, sendJson, type Listening } from './http';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, agent?: Agent, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const silent = pino({ level: 'silent' });

describe('listen().close(): a graceful drain', () => {
  let listening: Listening;
  let releaseSlow: () => void;
  let slowStarted: () => void;
  const started = new Promise<void>((resolve) => (slowStarted = resolve));
  const gate = new Promise<void>((resolve) => (releaseSlow = resolve));

  beforeAll(async () => {
    listening = await listen(
      guarded(silent, async (req, res) => {
        if (req.url === '/slow') {
          slowStarted();
          await gate;
        }
        sendJson(res, 200, { path: req.url });
      }),
      { host: '127.0.0.1', port: 0 },
    );
  });
  afterAll(() => listening.close(100));

  it('finishes requests in flight, answers a kept-alive socket with Connection: close, then refuses new connections', async () => {
    const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(`${listening.url}/warm`, keptAlive)).status).toBe(200);
    const slow = get(`${listening.url}/slow`);
    await started;
    const closed = listening.close(30_000);
    // The socket the agent kept is still served during the drain, and told to go away.
    const during = await get(`${listening.url}/during`, keptAlive);
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');
    releaseSlow();
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toEqual({ path: '/slow' });
    expect(finished.headers.connection).toBe('close');
    await closed;
    await expect(get(`${listening.url}/after`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    keptAlive.destroy();
  });
});

describe('guarded: a masked 500', () => {
  it('carries extensions.requestId equal to the x-request-id header, and logs the same id', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const listening = await listen(
      guarded(logger, async () => {
        throw new Error('connection to 10.1.2.3 refused');
      }),
      { host: '127.0.0.1', port: 0 },
    );
    try {
      for (const sent of [undefined, 'caller-chosen-id-42']) {
        const reply = await get(
          `${listening.url}/graphql`,
          undefined,
          sent ? { 'x-request-id': sent } : {},
        );
        const body = JSON.parse(reply.body) as {
          errors: { extensions: { code: string; requestId: string } }[];
        };
        expect(reply.status).toBe(500);
        expect(body.errors[0].extensions).toEqual({
          code: 'INTERNAL_SERVER_ERROR',
          requestId: reply.headers['x-request-id'],
        });
        if (sent) expect(reply.headers['x-request-id']).toBe(sent);
        expect(reply.body).not.toContain('10.1.2.3');
        expect(lines.at(-1)).toMatchObject({
          msg: 'unexpected error',
          requestId: reply.headers['x-request-id'],
        });
      }
    } finally {
      await listening.close();
    }
  });
});
