import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677), as PostgreSQL speaks it: the password
 * never crosses the socket, and the client proves it knows it against a verifier derived once.
 */
export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** 4096 is RFC 7677's minimum and PostgreSQL's default iteration count. */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  } satisfies ScramVerifier;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** `a=1,b=2` -> { a: '1', b: '2' }; values may contain '=' (base64). */
function attributes(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out[part[0]] = part.slice(2);
  }
  return out;
}

/** One authentication exchange: client-first -> server-first, client-final -> server-final. */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  constructor(
    private readonly verifier: ScramVerifier,
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  /** The server-first message, or null when the client's first message is malformed. */
  first(clientFirst: string): string | null {
    // gs2 header: "n,," (no channel binding) or "y,," (client could, believes we cannot). We
    // advertise no -PLUS mechanism, so "p=" is a protocol error.
    const [flag, authzid, ...bare] = clientFirst.split(',');
    if ((flag !== 'n' && flag !== 'y') || bare.length === 0) return null;
    if (authzid !== '' && !authzid.startsWith('a=')) return null;
    this.gs2Header = `${flag},${authzid},`;
    this.clientFirstBare = bare.join(',');
    const clientNonce = attributes(this.clientFirstBare).r;
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) return null;
    this.nonce = clientNonce + this.serverNonce;
    const { salt, iterations } = this.verifier;
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    return this.serverFirst;
  }

  /** The server-final message when the client's proof is right, else null. */
  final(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (!this.serverFirst || proofAt < 0) return null;
    const withoutProof = clientFinal.slice(0, proofAt);
    const { c, r } = attributes(withoutProof);
    if (c !== Buffer.from(this.gs2Header).toString('base64') || r !== this.nonce) return null;
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
