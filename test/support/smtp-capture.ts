import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  subject: string;
  /** The decoded text body. */
  text: string;
  /** The first http(s) link in the text, if any. */
  link?: string;
  /** The `token` parameter of that link, if any. */
  token?: string;
}

export interface SmtpCapture {
  /** For SMTP_URL; plain SMTP on loopback, no STARTTLS to negotiate. */
  url: string;
  messages: CapturedMail[];
  /** Messages delivered to `address` so far. */
  to(address: string): CapturedMail[];
  /** Waits until `count` (default 1) messages to `address` match `subject`; returns the latest. */
  waitFor(
    address: string,
    subject: RegExp,
    options?: { count?: number; timeoutMs?: number },
  ): Promise<CapturedMail>;
  close(): Promise<void>;
}

/** A local SMTP server that keeps every message it receives, for tests of mail flows. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        messages.push({ to, ...parseMessage(Buffer.concat(chunks).toString('utf8')) });
        callback();
      });
    },
  });
  // A sender killed mid-conversation (the fault tests kill -9 the platform) resets its connection;
  // smtp-server reports that as an 'error' event, which without a listener would end the test run.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const to = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    messages,
    to,
    async waitFor(address, subject, { count = 1, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = to(address).filter((m) => subject.test(m.subject));
        if (found.length >= count) return found[found.length - 1];
        if (Date.now() > deadline)
          throw new Error(
            `no mail to ${address} matching ${subject} (have: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME for single-part text mail: unfolded headers, encoded words, QP or base64 bodies. */
function parseMessage(raw: string): Omit<CapturedMail, 'to'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1].trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;
  const link = /https?:\/\/\S+/.exec(text)?.[0];
  const token = link ? (new URL(link).searchParams.get('token') ?? undefined) : undefined;
  return { subject: decodeWords(header('Subject')), text, link, token };
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi,
    (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}
