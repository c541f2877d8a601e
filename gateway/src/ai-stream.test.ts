import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretKey } from 'node:crypto';
import { createLogger, type Viewer } from '@bastion/platform';
import { relayAiStream } from './ai-stream';
import { CostBudget } from './cost-budget';

const user = (extra: Partial<Extract<Viewer, { kind: 'user' }>> = {}): Viewer => ({
  kind: 'user',
  userId: '6f1c3f52-3c36-4c1e-9a55-0f6f2d1f4c11',
  sessionId: 's',
  emailVerified: true,
  organizationId: null,
  role: null,
  tokenId: 't',
  issuedAt: 0,
  amr: [],
  authTime: 0,
  mfaEnrolled: false,
  ...extra,
});

/** A stand-in for ai's POST /ai/stream that counts the calls it gets. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('POST /ai/stream relay', () => {
  let ai: Server;
  let gateway: Server;
  let aiCalls = 0;
  let viewer: Viewer;
  let charged = 0;

  beforeAll(async () => {
    ai = await listen((_req, res) => {
      aiCalls += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: done\ndata: {}\n\n');
    });
    const budget = new CostBudget({
      pointsPerMinute: 1_000_000,
      servicePointsPerMinute: 1_000_000,
      keyPrefix: 'test:',
    });
    const charge = budget.charge.bind(budget);
    budget.charge = (...args) => {
      charged += 1;
      return charge(...args);
    };
    gateway = await listen((req, res) => {
      void relayAiStream(
        req,
        res,
        { viewer, client: { ip: '127.0.0.1', userAgent: 'jest' }, requestId: 'r' },
        {
          target: `${urlOf(ai)}/ai/stream`,
          claimsKey: createSecretKey(Buffer.alloc(32, 7)),
          budget,
          cost: 1,
          bodyLimitBytes: 10_000,
          logger: createLogger({ name: 'test', level: 'silent' }),
          shutdownTimeoutMs: 1000,
        },
      );
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await new Promise((resolve) => ai.close(resolve));
  });

  const post = () =>
    fetch(urlOf(gateway), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt: 'p' }),
    });

  it('refuses an impersonation session before charging or reaching ai (IMPERSONATION_READ_ONLY)', async () => {
    viewer = user({ actor: { sub: 'support-desk' } });
    const refused = await post();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: expect.any(String),
          extensions: { code: 'FORBIDDEN', reason: 'IMPERSONATION_READ_ONLY' },
        },
      ],
    });
    expect({ aiCalls, charged }).toEqual({ aiCalls: 0, charged: 0 });

    // The same user without an actor is relayed.
    viewer = user();
    const relayed = await post();
    expect(relayed.status).toBe(200);
    await relayed.text();
    expect({ aiCalls, charged }).toEqual({ aiCalls: 1, charged: 1 });
  });
});
