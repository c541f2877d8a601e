import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';
import type { ScramVerifier } from './scram';
import { authenticateConnection, fatalError } from './wire-auth';

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
/** A timer this late says the event loop was blocked, not that the connection was idle. */
const STALL_MS = 100;

/**
 * Gives one connection the database from its first message until the end of its statement
 * sequence (Sync or simple Query) with no transaction open. pglite-socket's own queue hands the
 * database over per message outside transactions, so two connections' Parse/Bind/Execute could
 * interleave on PGlite's single session ("unnamed prepared statement does not exist", or worse,
 * one connection's parameters bound to the other's statement).
 *
 * Holding the database is exclusive, so a connection that holds it and sends nothing (an open
 * transaction left idle) would stop every other one: after `idleTimeoutMs` without a message the
 * queue rolls it back, releases the database and calls `onIdleTimeout` to close the connection,
 * as PostgreSQL's idle_in_transaction_session_timeout does.
 */
export class ExclusiveQueryQueue {
  private owner: number | null = null;
  private waiting: Pending[] = [];
  private pumping = false;
  private ownerIdleSince = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly terminated = new Set<number>();

  constructor(
    private readonly db: PGlite,
    private readonly idle: { timeoutMs: number; onIdleTimeout(handlerId: number): void } = {
      timeoutMs: 0,
      onIdleTimeout: () => undefined,
    },
  ) {}

  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    if (this.terminated.has(handlerId)) return Promise.reject(new Error('connection terminated'));
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
    if (this.owner !== null) this.watchIdleOwner();
  }

  /** One timer while someone holds the database idle; re-armed for the time left, not per message. */
  private watchIdleOwner(): void {
    this.ownerIdleSince = Date.now();
    if (this.idle.timeoutMs <= 0 || this.idleTimer) return;
    const arm = (delayMs: number): void => {
      const dueAt = Date.now() + delayMs;
      this.idleTimer = setTimeout(() => check(dueAt), delayMs);
      this.idleTimer.unref();
    };
    const check = (dueAt: number): void => {
      this.idleTimer = undefined;
      const owner = this.owner;
      if (owner === null) return;
      const idleMs = Date.now() - this.ownerIdleSince;
      const busy = this.pumping || this.waiting.some((p) => p.handlerId === owner);
      if (busy || idleMs < this.idle.timeoutMs)
        return arm(busy ? this.idle.timeoutMs : this.idle.timeoutMs - idleMs);
      // A late timer means this event loop was blocked: the owner's next message may be sitting
      // unread in its socket. Timers run before I/O, so look again once the I/O has been read.
      if (Date.now() - dueAt > STALL_MS) return arm(STALL_MS);
      void this.terminate(owner).then(() => this.idle.onIdleTimeout(owner));
    };
    arm(this.idle.timeoutMs);
  }

  /**
   * Stops serving a connection: its queued and later messages are refused, its open transaction
   * is rolled back and the database goes to the next connection. Nothing it sent afterwards may
   * run outside the transaction it believed it was in.
   */
  async terminate(handlerId: number): Promise<void> {
    this.terminated.add(handlerId);
    this.clearQueueForHandler(handlerId);
    await this.clearTransactionIfNeeded(handlerId);
  }

  /** Forgets a closed connection (its id is never reused). */
  forget(handlerId: number): void {
    this.terminated.delete(handlerId);
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

export interface WireServerOptions {
  /** The unix socket the server listens on; its directory must be private to this process' user. */
  path: string;
  maxConnections: number;
  /** The one role clients connect as, and the verifier of its password (SCRAM-SHA-256). */
  user: string;
  verifier: ScramVerifier;
  /** A connection holding the database without a message for this long is rolled back and closed. */
  idleInTransactionTimeoutMs: number;
  /** Time a client has to complete authentication. */
  authenticationTimeoutMs?: number;
}

/**
 * A Postgres wire-protocol server over one PGlite, built from pglite-socket's connection handler,
 * on a unix socket (mode 0600) with a password: PGlite itself trusts every connection as
 * superuser, so nothing else on the host may reach it.
 */
export async function servePglite(
  db: PGlite,
  options: WireServerOptions,
): Promise<{ path: string; close(): Promise<void> }> {
  const { PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');
  type Handler = InstanceType<typeof PGLiteSocketHandler>;
  const connections = new Map<number, { handler: Handler; socket: Socket }>();
  const unauthenticated = new Set<Socket>();
  const queue = new ExclusiveQueryQueue(db, {
    timeoutMs: options.idleInTransactionTimeoutMs,
    onIdleTimeout(handlerId) {
      const connection = connections.get(handlerId);
      if (!connection) return;
      const { socket } = connection;
      socket.end(fatalError('25P03', 'terminating connection due to idle-in-transaction timeout'));
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  });
  const accept = async (socket: Socket): Promise<void> => {
    unauthenticated.add(socket);
    const startup = await authenticateConnection(socket, {
      user: options.user,
      verifier: options.verifier,
      timeoutMs: options.authenticationTimeoutMs ?? 10_000,
    }).finally(() => unauthenticated.delete(socket));
    if (!startup || socket.destroyed) return;
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    connections.set(handler.handlerId, { handler, socket });
    socket.once('close', () => {
      connections.delete(handler.handlerId);
      queue.forget(handler.handlerId);
    });
    // The startup packet goes to PGlite, which answers AuthenticationOk and the session's parameters.
    socket.unshift(startup);
    await handler.attach(socket);
    socket.resume();
  };
  const server: Server = createServer((socket: Socket) => void accept(socket));
  server.maxConnections = options.maxConnections;
  // A socket file left by a killed process (the data directory lock is already ours).
  rmSync(options.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.path, () => resolve());
  });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the socket this server created
  chmodSync(options.path, 0o600);
  return {
    path: options.path,
    async close() {
      for (const socket of unauthenticated) socket.destroy();
      await Promise.all([...connections.values()].map(({ handler }) => handler.detach(true)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
