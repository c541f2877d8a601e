import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';

type PGlite = Pick<
  PGliteClass,
  'runExclusive' | 'execProtocolRawStream' | 'isInTransaction' | 'exec'
>;

type Pending = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
};

const SYNC = 0x53; // 'S': ends an extended-protocol sequence
const QUERY = 0x51; // 'Q': a simple query is a sequence of its own
const TERMINATE = 0x58; // 'X'

/**
 * Gives one connection the database from its first message until the end of its statement
 * sequence (Sync or simple Query) with no transaction open. pglite-socket's own queue hands the
 * database over per message outside transactions, so two connections' Parse/Bind/Execute could
 * interleave on PGlite's single session ("unnamed prepared statement does not exist", or worse,
 * one connection's parameters bound to the other's statement).
 */
export class ExclusiveQueryQueue {
  private owner: number | null = null;
  private waiting: Pending[] = [];
  private pumping = false;

  constructor(private readonly db: PGlite) {}

  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const index =
          this.owner === null
            ? this.waiting.length > 0
              ? 0
              : -1
            : this.waiting.findIndex((p) => p.handlerId === this.owner);
        if (index < 0) break;
        const [item] = this.waiting.splice(index, 1);
        this.owner = item.handlerId;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (error) {
          item.reject(error);
        }
        const type = item.message[0];
        const endsSequence = type === SYNC || type === QUERY || type === TERMINATE || type === 0; // 0: startup packet
        if (endsSequence && !this.db.isInTransaction()) this.owner = null;
      }
    } finally {
      this.pumping = false;
    }
  }

  getQueueLength(): number {
    return this.waiting.length;
  }

  clearQueueForHandler(handlerId: number): void {
    const mine = this.waiting.filter((p) => p.handlerId === handlerId);
    this.waiting = this.waiting.filter((p) => p.handlerId !== handlerId);
    for (const pending of mine) pending.reject(new Error('connection closed'));
  }

  /** A connection that goes away mid-transaction must not leave the database locked. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    void this.pump();
  }
}

/** A Postgres wire-protocol server over one PGlite, built from pglite-socket's connection handler. */
export async function servePglite(
  db: PGlite,
  options: { host: string; port: number; maxConnections: number },
): Promise<{ address: string; close(): Promise<void> }> {
  const { PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');
  const queue = new ExclusiveQueryQueue(db);
  const handlers = new Set<InstanceType<typeof PGLiteSocketHandler>>();
  const server: Server = createServer((socket: Socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    socket.once('close', () => handlers.delete(handler));
    void handler.attach(socket);
  });
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `${options.host}:${port}`,
    async close() {
      await Promise.all([...handlers].map((h) => h.detach(true)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
