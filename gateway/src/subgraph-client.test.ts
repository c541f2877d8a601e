import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUndiciFetcher } from './subgraph-client';

describe('createUndiciFetcher', () => {
  let server: Server;
  let url: string;
  const client = createUndiciFetcher();
  const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/fail') {
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('down');
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'set-cookie': ['a=1; HttpOnly', 'b=2; Path=/'],
          'x-one': 'one',
        });
        res.end(JSON.stringify({ data: { ok: true } }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await client.close();
    await new Promise((done) => server.close(done));
  });

  it('sends the request as given and reads the answer as fetch would', async () => {
    const response = await client.fetcher(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bastion-claims': 'c' },
      body: '{"query":"{ ok }"}',
    });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bastion-claims': 'c' },
      body: '{"query":"{ ok }"}',
    });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.has('x-one')).toBe(true);
    expect(response.headers.get('x-missing')).toBeNull();
    // Each cookie on its own, as Headers.getSetCookie() gives them (the refresh cookie passes on).
    expect((response.headers as unknown as { getSetCookie(): string[] }).getSetCookie()).toEqual([
      'a=1; HttpOnly',
      'b=2; Path=/',
    ]);
    expect(response.bodyUsed).toBe(false);
    expect(await response.clone().text()).toBe('{"data":{"ok":true}}');
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('answers a failing subgraph with its status, not ok', async () => {
    const response = await client.fetcher(`${url}/fail`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('down');
  });
});
