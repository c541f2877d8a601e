import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import { eventually } from '@bastion/testing';
import { guarded, listen, readBody, sendJson, type Listening } from './http';
import { shutdownSignalOf } from './request-drain';

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

describe('listen().close(): work after the response, and streams near the deadline', () => {
  it('waits for a handler still working after its response went out', async () => {
    let finishWork: () => void = () => undefined;
    const work = new Promise<void>((resolve) => (finishWork = resolve));
    let workDone = false;
    const listening = await listen(
      guarded(silent, async (_req, res) => {
        sendJson(res, 200, { ok: true });
        // What a generation does after its answer: settle, record.
        await work;
        workDone = true;
      }),
      { host: '127.0.0.1', port: 0 },
    );
    expect((await get(`${listening.url}/x`)).status).toBe(200);
    expect(listening.inFlight).toBe(1);
    let closed = false;
    const closing = listening.close(30_000).then(() => (closed = true));
    // Still open for its handler, which still works: the close waits.
    await listening.whenIdle(300);
    expect(closed).toBe(false);
    finishWork();
    await closing;
    expect(workDone).toBe(true);
    expect(listening.inFlight).toBe(0);
  });

  it('asks a stream to end before the deadline (shutdownSignalOf), and the stream ends itself', async () => {
    const listening = await listen(
      guarded(silent, async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: chunk\ndata: {}\n\n');
        const stopping = shutdownSignalOf(res);
        await new Promise((resolve) => stopping.addEventListener('abort', resolve));
        res.end('event: error\ndata: {"code":"UPSTREAM_UNAVAILABLE"}\n\n');
      }),
      { host: '127.0.0.1', port: 0 },
    );
    const reply = get(`${listening.url}/stream`);
    await eventually(async () => expect(listening.inFlight).toBeGreaterThan(0));
    await listening.close(2_000);
    // Ended by itself with its last event: the deadline's cut would have left it out.
    expect((await reply).body).toBe(
      'event: chunk\ndata: {}\n\nevent: error\ndata: {"code":"UPSTREAM_UNAVAILABLE"}\n\n',
    );
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

describe('guarded: a client that leaves mid-body', () => {
  it('is one debug line without a stack, not an error, and the handler does not hang', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'trace' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    let settled!: () => void;
    const handled = new Promise<void>((resolve) => (settled = resolve));
    const listening = await listen(
      guarded(logger, async (req, res) => {
        try {
          await readBody(req, 1024 * 1024);
          sendJson(res, 200, {});
        } finally {
          settled();
        }
      }),
      { host: '127.0.0.1', port: 0 },
    );
    try {
      // Slowloris: announces a body, sends part of it, then closes the socket.
      const socket = connect(listening.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
      );
      await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
      await handled;
      await eventually(async () =>
        expect(lines.some((line) => line.msg === 'client aborted the request')).toBe(true),
      );
      expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
      expect(JSON.stringify(lines)).not.toContain('stack');
      expect(lines.filter((line) => line.msg === 'client aborted the request')).toHaveLength(1);
      expect(lines.find((line) => line.msg === 'client aborted the request')?.level).toBe(20);
    } finally {
      await listening.close();
    }
  });
});
