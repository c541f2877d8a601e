import { createServer, type Server, type Socket } from 'node:net';
import { createLogger } from '../logging/logger';
import { DatabaseBus } from '../events/bus/database-bus';
import { createDataSource } from './data-source';

/** A PostgreSQL message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
}

const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};

/**
 * A server that accepts the startup and, in the same write, terminates the session as a
 * PostgreSQL shutting down does (ErrorResponse FATAL 57P01, then close): what a client reads in
 * one chunk when the server stops just as the connection opens and the reader is late.
 */
async function terminatingServer(): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const fields = [
        'SFATAL',
        'VFATAL',
        'C57P01',
        'Mterminating connection due to administrator command',
      ];
      socket.end(
        Buffer.concat([
          message('R', int32(0)), // AuthenticationOk
          message('K', Buffer.concat([int32(1), int32(2)])), // BackendKeyData
          message('Z', Buffer.from('I')), // ReadyForQuery
          message('E', Buffer.from(`${fields.join('\0')}\0\0`)),
        ]),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('pools survive a server that goes away as a connection opens', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => ({ server, port } = await terminatingServer()));
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("the database bus's publish connection: connecting fails, and the process lives on", async () => {
    // Its first work is a migration in a transaction on a checked-out client.
    await expect(
      DatabaseBus.connect({
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        schema: 'guarded',
        logger: createLogger({ name: 'test', level: 'silent' }),
      }),
    ).rejects.toThrow(/not queryable|terminat/i);
  });

  it("a service's DataSource: its query fails as in any outage, and the process lives on", async () => {
    const dataSource = createDataSource({
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      schema: 'guarded',
      entities: [],
      migrations: [],
    });
    // Its first query (TypeORM asks the server's version as it initializes) fails like any other.
    await expect(dataSource.initialize()).rejects.toThrow(/not queryable|terminat/i);
  });
});
