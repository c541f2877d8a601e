import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, type DatabaseError } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

/** Inodes of the TCP sockets this process listens on (/proc/net/tcp{,6}, state 0A = LISTEN). */
function tcpListeners(): Set<string> {
  const mine = new Set(
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && mine.has(cols[9])) listening.add(cols[9]);
    }
  }
  return listening;
}

/** Sends a startup packet for `postgres` on the socket and returns the server's first bytes. */
function rawStartup(path: string, then?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (then && received.length >= 9 && received[0] === 0x52) {
        received = Buffer.alloc(0);
        socket.write(then);
        then = undefined;
      } else if (!then && received.length >= 5 && received.length > received.readInt32BE(1)) {
        socket.end();
      }
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(Buffer.concat([head, params]));
    setTimeout(() => socket.end(), 3000).unref();
  });
}

/** A round trip to a peer in this process that blocks the event loop for `ms` before it answers. */
async function blockedRoundTrip(ms: number): Promise<void> {
  const peer = createServer((socket) =>
    socket.once('data', () => {
      const until = Date.now() + ms;
      while (Date.now() < until); // the event loop stalls, as under a long synchronous task
      socket.end('pong');
    }),
  );
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  const { port } = peer.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('ping'));
    socket.once('data', () => resolve());
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => peer.close(() => resolve()));
}

describe('embedded PostgreSQL access', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-embedded-access-'));
  let listenersBefore: Set<string>;
  let db: EmbeddedPostgres;
  const clients: Client[] = [];
  const client = async (url = db.url): Promise<Client> => {
    const c = new Client({ connectionString: url });
    c.on('error', () => undefined);
    clients.push(c);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    listenersBefore = tcpListeners();
    db = await startEmbeddedPostgres({ dataDir, idleInTransactionTimeoutMs: 1000 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens no TCP port: the old 127.0.0.1 address without a password has nothing to reach', () => {
    const opened = [...tcpListeners()].filter((inode) => !listenersBefore.has(inode));
    expect(opened).toEqual([]);
  });

  it('listens on a 0600 socket inside a 0700 directory under DATA_DIR', () => {
    expect(dirname(db.socketPath)).toBe(join(dataDir, 'socket'));
    expect(statSync(db.socketPath).isSocket()).toBe(true);
    expect(statSync(db.socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(db.socketPath)).mode & 0o777).toBe(0o700);
  });

  it('serves the URL it gives out (socket and password)', async () => {
    const c = await client();
    const { rows } = await c.query<{ n: number }>('SELECT 41 + 1 AS n');
    expect(rows[0].n).toBe(42);
  });

  it('asks for SCRAM-SHA-256 instead of trusting a client that sends no password', async () => {
    const reply = await rawStartup(db.socketPath);
    // AuthenticationSASL (R, code 10) naming the mechanism; trust would be code 0 (AuthenticationOk).
    expect(reply[0]).toBe(0x52);
    expect(reply.readInt32BE(5)).toBe(10);
    expect(reply.subarray(9).toString('latin1')).toBe('SCRAM-SHA-256\0\0');
  });

  it('refuses an empty cleartext password with 28P01', async () => {
    const password = Buffer.from('p\0\0\0\x05\0', 'latin1');
    const reply = await rawStartup(db.socketPath, password);
    expect(reply[0]).toBe(0x45); // ErrorResponse
    expect(reply.toString('latin1')).toContain('C28P01\0');
  });

  it('refuses the socket with a wrong password, and another user with the right one', async () => {
    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    await expect(client(wrong.toString())).rejects.toMatchObject({ code: '28P01' });
    const otherUser = new URL(db.url);
    otherUser.username = 'bastion_auth';
    await expect(client(otherUser.toString())).rejects.toMatchObject({ code: '28P01' });
  });

  it('cuts a transaction left idle, rolls it back, and serves the others meanwhile', async () => {
    const setup = await client();
    await setup.query('CREATE TABLE idle_probe (id int)');
    const idle = await client();
    const events: string[] = [];
    const cut = new Promise<DatabaseError>((resolve) =>
      idle.once('error', (error) => {
        events.push('idle connection cut');
        resolve(error as DatabaseError);
      }),
    );
    await idle.query('BEGIN');
    await idle.query('INSERT INTO idle_probe VALUES (1)');
    // The idle connection holds PGlite's one session; this waits until it is cut.
    const other = await client();
    const { rows } = await other.query<{ n: number }>('SELECT count(*)::int AS n FROM idle_probe');
    events.push('other connection served');
    expect(rows[0].n).toBe(0);
    expect((await cut).code).toBe('25P03');
    expect(events).toEqual(['idle connection cut', 'other connection served']);
    await expect(idle.query('COMMIT')).rejects.toThrow();
    const after = await setup.query<{ n: number }>('SELECT count(*)::int AS n FROM idle_probe');
    expect(after.rows[0].n).toBe(0);
  }, 30_000);

  it('does not count a blocked event loop as idleness of the transaction waiting behind it', async () => {
    const c = await client();
    await c.query('CREATE TABLE stall_probe (id int)');
    await c.query('BEGIN');
    await c.query('INSERT INTO stall_probe VALUES (1)');
    // Its next message waits on I/O that this process reads only after 1.5 s (> the 1 s limit).
    await blockedRoundTrip(1500);
    await c.query('INSERT INTO stall_probe VALUES (2)');
    await c.query('COMMIT');
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM stall_probe');
    expect(rows[0].n).toBe(2);
  }, 30_000);
});
