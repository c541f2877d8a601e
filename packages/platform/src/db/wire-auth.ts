import type { Socket } from 'node:net';
import { ScramExchange, type ScramVerifier } from './scram';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** PostgreSQL's own bound on a startup packet; SASL messages are far smaller. */
const MAX_MESSAGE = 10_000;
const MECHANISM = 'SCRAM-SHA-256';

/** A backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function authentication(code: number, data = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(code);
  return message('R', Buffer.concat([head, data]));
}

/** An ErrorResponse with severity FATAL: the client reports `code` (SQLSTATE) and `text`. */
export function fatalError(code: string, text: string): Buffer {
  const fields = [`SFATAL`, `VFATAL`, `C${code}`, `M${text}`].map((f) => `${f}\0`).join('');
  return message('E', Buffer.from(`${fields}\0`, 'utf8'));
}

/** "key\0value\0...\0" of a startup packet. */
function startupParameters(packet: Buffer): Map<string, string> {
  const parts = packet.subarray(8).toString('utf8').split('\0');
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2)
    params.set(parts[i], parts[i + 1]);
  return params;
}

/**
 * Runs the start of a connection up to a proven password, before the database sees a byte: SSL
 * and GSS requests are declined, cancel requests dropped, then SCRAM-SHA-256 for `user`. Resolves
 * with the startup packet (and anything the client sent after it) for the database to answer
 * with AuthenticationOk, or null once the connection is refused and closed. Wrong user and wrong
 * password get one answer, 28P01, as PostgreSQL gives.
 */
export function authenticateConnection(
  socket: Socket,
  options: { user: string; verifier: ScramVerifier; timeoutMs: number },
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let scram: ScramExchange | undefined;
    let done = false;
    const finish = (result: Buffer | null, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.pause();
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      if (result === null) {
        socket.on('error', () => undefined);
        if (reply) socket.end(reply);
        else socket.destroy();
      }
      resolve(result);
    };
    /** Refuses and closes; 0 (no bytes used) stops the message loop. */
    const refuse = (code: string, text: string): 0 => {
      finish(null, fatalError(code, text));
      return 0;
    };
    const timer = setTimeout(() => refuse('08P01', 'authentication timed out'), options.timeoutMs);
    timer.unref();

    /** Handles one complete message; returns its length, 0 when more bytes are needed. */
    const step = (): number => {
      if (!startup) {
        if (buffer.length < 8) return 0;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (length < 8 || length > MAX_MESSAGE) return refuse('08P01', 'invalid startup packet');
        if (buffer.length < length) return 0;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) socket.write('N');
        else if (code === CANCEL_REQUEST) finish(null);
        else if (code !== PROTOCOL_3) refuse('0A000', 'unsupported frontend protocol');
        else {
          startup = Buffer.from(buffer.subarray(0, length));
          if (startupParameters(startup).get('user') !== options.user)
            refuse('28P01', 'password authentication failed');
          else socket.write(authentication(10, Buffer.from(`${MECHANISM}\0\0`)));
        }
        return length;
      }
      if (buffer.length < 5) return 0;
      const length = buffer.readInt32BE(1) + 1;
      if (buffer[0] !== 0x70 || length < 5 || length > MAX_MESSAGE)
        return refuse('08P01', 'expected a SASL response');
      if (buffer.length < length) return 0;
      const body = buffer.subarray(5, length);
      if (!scram) {
        // SASLInitialResponse: mechanism\0, int32 length, client-first-message.
        const nul = body.indexOf(0);
        const mechanism = body.subarray(0, nul).toString('latin1');
        const first = body.subarray(nul + 5).toString('utf8');
        scram = new ScramExchange(options.verifier);
        const reply = nul > 0 && mechanism === MECHANISM ? scram.first(first) : null;
        if (reply === null) refuse('28P01', 'password authentication failed');
        else socket.write(authentication(11, Buffer.from(reply)));
      } else {
        const reply = scram.final(body.toString('utf8'));
        if (reply === null) refuse('28P01', 'password authentication failed');
        else {
          socket.write(authentication(12, Buffer.from(reply)));
          finish(Buffer.concat([startup, buffer.subarray(length)]));
        }
      }
      return length;
    };

    function onData(chunk: Buffer): void {
      buffer = Buffer.concat([buffer, chunk]);
      for (let used = step(); used > 0 && !done; used = step()) buffer = buffer.subarray(used);
    }
    function onClose(): void {
      finish(null);
    }
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
  });
}
