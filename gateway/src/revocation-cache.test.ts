import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import {
  AppError,
  MemoryApiKeyStore,
  MemoryIssuedTokenStore,
  MemoryRevocationList,
  RedisRevocationList,
  createLogger,
} from '@bastion/platform';
import { RevocationCache } from './revocation-cache';

const logger = createLogger({ name: 'test', level: 'silent' });
const viewer = {
  userId: '00000000-0000-4000-8000-000000000001',
  sessionId: '00000000-0000-4000-8000-000000000002',
  issuedAt: 1,
  organizationId: null,
  role: null,
};
const EMPTY = {
  revokedSessionIds: [],
  userCutoffs: [],
  organizationCutoffs: [],
  serviceTokens: [],
  apiKeys: [],
};

/** A "Redis" that accepts connections and never answers: the worst a request can meet. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((done) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => done());
      }),
  };
}

describe('RevocationCache', () => {
  it('refuses to decide until loaded: UPSTREAM_UNAVAILABLE, not a guess', async () => {
    const cache = new RevocationCache({
      memory: new MemoryRevocationList(900),
      issued: new MemoryIssuedTokenStore(),
      apiKeys: new MemoryApiKeyStore(),
      logger,
      load: async () => Promise.reject(new Error('auth down')),
    });
    await expect(cache.reload()).rejects.toThrow('auth down');
    expect(cache.isLoaded).toBe(false);
    await expect(cache.isRevoked(viewer)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    } satisfies Partial<AppError>);
    await expect(cache.findIssued('a'.repeat(64))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('answers from its memory copy when Redis hangs or is gone', async () => {
    const silent = await silentServer();
    const hanging = new Redis({
      port: silent.port,
      host: '127.0.0.1',
      lazyConnect: true,
      enableReadyCheck: true,
    });
    void hanging.connect().catch(() => undefined);
    const gone = new Redis({
      port: 1,
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    try {
      for (const redis of [hanging, gone]) {
        const memory = new MemoryRevocationList(900);
        const cache = new RevocationCache({
          memory,
          issued: new MemoryIssuedTokenStore(),
          apiKeys: new MemoryApiKeyStore(),
          logger,
          fastPath: new RedisRevocationList(redis, 900, 'test:'),
          load: async () => ({
            ...EMPTY,
            revokedSessionIds: ['00000000-0000-4000-8000-000000000003'],
          }),
        });
        await cache.reload();
        expect(await cache.isRevoked(viewer)).toBe(false);
        expect(
          await cache.isRevoked({ ...viewer, sessionId: '00000000-0000-4000-8000-000000000003' }),
        ).toBe(true);
      }
    } finally {
      hanging.disconnect();
      gone.disconnect();
      await silent.close();
    }
  });
});
