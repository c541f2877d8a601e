import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { eventually } from '@bastion/testing';
import { dispatchWebhook, MAX_RESPONSE_BODY_BYTES } from './http-dispatch';
import type { HostLookup } from './url-guard';

interface Receiver {
  server: Server;
  port: number;
  connections: number;
  requests: { headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

async function receiver(
  handle: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void,
): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const state: Receiver = {
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        state.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        handle(req, res, req.socket);
      });
    }),
    port: 0,
    connections: 0,
    requests: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => state.server.close(r));
    },
  };
  state.server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

const open: Receiver[] = [];
async function start(handle: Parameters<typeof receiver>[0]): Promise<Receiver> {
  const r = await receiver(handle);
  open.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

const base = { timeoutMs: 5000, allowPrivate: true };
const post = (url: string, options: Partial<typeof base> & { lookup?: HostLookup } = {}) =>
  dispatchWebhook(
    { url, headers: { 'webhook-id': 'evt-1' }, body: '{"type":"webhook.ping"}' },
    { ...base, ...options },
  );

describe('dispatchWebhook', () => {
  it('POSTs the JSON body with the given headers and records status and body', async () => {
    const r = await start((_req, res) => res.writeHead(204).end());
    const ok = await start((_req, res) => res.writeHead(200).end('thanks'));
    const noContent = await post(`http://127.0.0.1:${r.port}/hook`);
    expect(noContent).toMatchObject({ status: 204, body: '' });
    expect(noContent.error).toBeUndefined();
    expect(r.requests[0]!.body).toBe('{"type":"webhook.ping"}');
    expect(r.requests[0]!.headers).toMatchObject({
      'webhook-id': 'evt-1',
      'content-type': 'application/json',
    });
    expect(await post(`http://127.0.0.1:${ok.port}/`)).toMatchObject({
      status: 200,
      body: 'thanks',
    });
  });

  it('reads at most 1 KB of a huge body and drops the connection', async () => {
    let closed = false;
    const r = await start((_req, res, socket) => {
      socket.on('close', () => (closed = true));
      res.writeHead(200, { 'content-type': 'text/plain' });
      // 64 MB unless the client stops reading: it must.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 1024 && res.write(chunk)) sent += 1;
        if (sent < 1024) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const result = await post(`http://127.0.0.1:${r.port}/`);
    expect(result.status).toBe(200);
    expect(Buffer.byteLength(result.body!)).toBe(MAX_RESPONSE_BODY_BYTES);
    expect(result.durationMs).toBeLessThan(2000);
    await eventually(async () => expect(closed).toBe(true));
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const r = await start(() => undefined);
    const result = await post(`http://127.0.0.1:${r.port}/`, { timeoutMs: 300 });
    expect(result).toMatchObject({ error: 'timeout' });
    expect(result.status).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('stops at once when its signal aborts (the service stopping): error aborted', async () => {
    const r = await start(() => undefined);
    const stop = new AbortController();
    const pending = dispatchWebhook(
      { url: `http://127.0.0.1:${r.port}/`, headers: {}, body: '{}' },
      { ...base, timeoutMs: 10_000, signal: stop.signal },
    );
    await eventually(async () => expect(r.requests).toHaveLength(1));
    stop.abort();
    const result = await pending;
    expect(result).toMatchObject({ error: 'aborted' });
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('keeps the status of a receiver that answers and then stalls the body', async () => {
    const r = await start((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const result = await post(`http://127.0.0.1:${r.port}/`, { timeoutMs: 300 });
    expect(result).toMatchObject({ status: 200, body: 'partial' });
  });

  it('records a reset connection as one failed attempt', async () => {
    const r = await start((_req, _res, socket) => socket.resetAndDestroy());
    expect(await post(`http://127.0.0.1:${r.port}/`)).toMatchObject({ error: 'connection reset' });
    expect(r.connections).toBe(1);
  });

  it('records a refused connection', async () => {
    const r = await start(() => undefined);
    const port = r.port;
    await r.close();
    open.splice(open.indexOf(r), 1);
    expect(await post(`http://127.0.0.1:${port}/`)).toMatchObject({ error: 'connection refused' });
  });

  it('does not follow redirects', async () => {
    const target = await start((_req, res) => res.writeHead(200).end());
    const r = await start((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end(),
    );
    expect(await post(`http://127.0.0.1:${r.port}/`)).toMatchObject({ status: 302 });
    expect(target.connections).toBe(0);
  });

  it('passes Retry-After on', async () => {
    const r = await start((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await post(`http://127.0.0.1:${r.port}/`)).toMatchObject({
      status: 429,
      retryAfter: '120',
    });
  });

  describe('SSRF guard with a stubbed resolver', () => {
    const names: Record<string, string[]> = {
      'loopback.test': ['127.0.0.1'],
      'private.test': ['10.0.0.1'],
      'metadata.test': ['169.254.169.254'],
      'mapped.test': ['::ffff:192.168.1.1'],
      'ula.test': ['fd00::1'],
      'mixed.test': ['127.0.0.1', '10.0.0.1'],
    };
    const lookup = jest.fn<ReturnType<HostLookup>, Parameters<HostLookup>>(async (host) =>
      (names[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
    beforeEach(() => lookup.mockClear());

    it.each(['private.test', 'metadata.test', 'mapped.test', 'ula.test', 'mixed.test'])(
      '%s is refused before any connection, even with private targets allowed',
      async (host) => {
        const r = await start((_req, res) => res.writeHead(200).end());
        const result = await post(`http://${host}:${r.port}/`, { lookup });
        expect(result).toMatchObject({ error: 'refused address' });
        expect(result.status).toBeUndefined();
        expect(lookup).toHaveBeenCalledWith(host);
        expect(r.connections).toBe(0);
      },
    );

    it('refuses a name resolving to loopback unless private targets are allowed', async () => {
      const r = await start((_req, res) => res.writeHead(200).end());
      const url = `http://loopback.test:${r.port}/`;
      expect(await post(url, { lookup, allowPrivate: false })).toMatchObject({
        error: 'refused address',
      });
      expect(r.connections).toBe(0);
      expect(await post(url, { lookup, allowPrivate: true })).toMatchObject({ status: 200 });
      expect(r.connections).toBe(1);
      expect(r.requests[0]!.headers.host).toBe(`loopback.test:${r.port}`);
    });

    it('refuses literal addresses without asking the resolver', async () => {
      const r = await start((_req, res) => res.writeHead(200).end());
      for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]']) {
        expect(
          await post(`http://${host}:${r.port}/`, { lookup, allowPrivate: false }),
        ).toMatchObject({ error: 'refused address' });
      }
      expect(lookup).not.toHaveBeenCalled();
      expect(r.connections).toBe(0);
    });

    it('dials the address it checked: the name is resolved once per attempt (no rebinding)', async () => {
      const r = await start((_req, res) => res.writeHead(200).end());
      let calls = 0;
      const rebinding: HostLookup = async () => {
        calls += 1;
        // A second answer would point at the metadata service; it must never be asked for.
        return [{ address: calls === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
      };
      expect(await post(`http://rebind.test:${r.port}/`, { lookup: rebinding })).toMatchObject({
        status: 200,
      });
      expect(calls).toBe(1);
    });

    it('counts a resolver that never answers against the timeout', async () => {
      const hanging: HostLookup = () => new Promise(() => undefined);
      expect(await post('http://slow.test/', { lookup: hanging, timeoutMs: 200 })).toMatchObject({
        error: 'timeout',
      });
    });

    it('records an unresolvable name', async () => {
      expect(await post('http://nowhere.test/', { lookup })).toMatchObject({
        error: 'unresolvable host',
      });
    });
  });
});
