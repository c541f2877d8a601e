import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A tiny authoritative DNS server for tests (RFC 1035 over UDP): it answers TXT questions from a
 * table the test fills, NXDOMAIN for names it does not know, and an empty answer for other types.
 * Packets are encoded by hand, so the product's node:dns resolver is checked against a real peer.
 */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for SSO_DNS_SERVERS. */
  address: string;
  /** Sets a name's TXT records; each record is one or more character-strings (each <= 255 bytes). */
  setTxt(name: string, records: string[][]): void;
  /** Questions received, `name TYPE`, for assertions that the product asked. */
  questions: string[];
  close(): Promise<void>;
}

const TYPE_TXT = 16;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 16: 'TXT', 28: 'AAAA' };

/** The question's name (labels up to the zero byte), its type and where the question ends. */
function readQuestion(packet: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  while (packet[offset] !== 0) {
    const length = packet[offset];
    labels.push(packet.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const type = packet.readUInt16BE(offset + 1);
  return { name: labels.join('.').toLowerCase(), type, end: offset + 5 };
}

function txtAnswer(strings: string[]): Buffer {
  const rdata = Buffer.concat(
    strings.map((s) => {
      const bytes = Buffer.from(s, 'utf8');
      if (bytes.length > 255) throw new Error('a character-string is at most 255 bytes');
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // a pointer to the question's name at offset 12
  fixed.writeUInt16BE(TYPE_TXT, 2);
  fixed.writeUInt16BE(1, 4); // class IN
  fixed.writeUInt32BE(60, 6); // TTL
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

/** The answer to one query: header, the question copied, the answers. */
export function answer(query: Buffer, table: Map<string, string[][]>): Buffer {
  const { name, type, end } = readQuestion(query);
  const records = table.get(name);
  const answers = records && type === TYPE_TXT ? records.map(txtAnswer) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 3 (NXDOMAIN) for unknown names.
  const rd = query[2] & 0x01;
  header[2] = 0x84 | rd;
  header[3] = 0x80 | (records ? 0 : 3);
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(answers.length, 6); // ANCOUNT
  return Buffer.concat([header, query.subarray(12, end), ...answers]);
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const table = new Map<string, string[][]>();
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    try {
      const { name, type } = readQuestion(message);
      questions.push(`${name} ${TYPE_NAMES[type] ?? type}`);
      socket.send(answer(message, table), peer.port, peer.address);
    } catch {
      // Not a question this server understands: no answer, as a real server drops garbage.
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, records) => void table.set(name.toLowerCase(), records),
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
