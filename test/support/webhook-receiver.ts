import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A tenant's webhook endpoint for the tests: an HTTP server on 127.0.0.1 that checks every request
 * with the `standardwebhooks` library (an implementation of the signature independent of the
 * platform's), keeps what arrived, and answers as the test scripts it: fail N times, 410, slowly,
 * hold requests open, or be down altogether.
 */

/** How the receiver answers one request. */
export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this many real milliseconds (a slow endpoint). */
  delayMs?: number;
}

export interface ReceivedWebhook {
  /** Arrival order, from 0. */
  seq: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** `webhook-id`: the event id, the same on every retry and replay. */
  id: string | undefined;
  /** `webhook-timestamp` as sent (unix seconds). */
  timestamp: string | undefined;
  /** The raw body, byte for byte as it was signed. */
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  payload: { type?: string; timestamp?: string; data?: Record<string, unknown> } | undefined;
  /** `payload.type`. */
  type: string | undefined;
  /** Whether at least one accepted secret verifies it. */
  verified: boolean;
  /** Every accepted secret that verifies it (during a rotation: both). */
  verifiedWith: string[];
  /** What the library said for each accepted secret that does not verify it. */
  verificationErrors: string[];
  /**
   * Each signature of `webhook-signature` in the order sent, with the accepted secret that
   * verifies it alone (none: undefined). During a rotation: the new secret's first, then the old.
   */
  signatures: { signature: string; secret?: string }[];
  /** The receiver's clock when it arrived. */
  receivedAt: Date;
  /** What it was answered; undefined while held or when the sender left first. */
  answered?: number;
  /** The sender closed the connection before the answer (a timeout, a killed process). */
  abandoned: boolean;
}

export interface WebhookReceiverOptions {
  /** Secrets (`whsec_...`) a delivery may be signed with; more can be accepted later. */
  secrets?: string[];
  /**
   * The receiver's "now", for the library's ±5 minute timestamp tolerance: tests that move the
   * webhooks service's clock pass the same clock, so the receiver lives in the same simulated time
   * as the sender. Defaults to the real time.
   */
  now?: () => Date;
  /** Where deliveries are expected (anything else is still recorded). */
  path?: string;
}

interface Held {
  response: ServerResponse;
  entry: ReceivedWebhook;
}

/** Calls `verify` with the library's notion of "now" set to `now` (verify is synchronous). */
function verifyAt(
  secret: string,
  body: string,
  headers: Record<string, string>,
  now: number,
): string | undefined {
  const realNow = Date.now;
  Date.now = () => now;
  try {
    new Webhook(secret).verify(body, headers);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    Date.now = realNow;
  }
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private secrets: string[];
  private readonly script: WebhookReply[] = [];
  private fallback: WebhookReply = { status: 204 };
  private holding = false;
  private readonly held: Held[] = [];
  private readonly now: () => Date;
  readonly path: string;
  port = 0;

  constructor(options: WebhookReceiverOptions = {}) {
    this.secrets = [...(options.secrets ?? [])];
    this.now = options.now ?? (() => new Date());
    this.path = options.path ?? '/hook';
  }

  /** The URL to register: http://127.0.0.1:<port>/hook. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  get isUp(): boolean {
    return this.server?.listening ?? false;
  }

  /** Requests held open right now (see hold). */
  get holdingCount(): number {
    return this.held.length;
  }

  /** Starts listening (on a free port the first time, on the same port after `down()`). */
  async start(): Promise<this> {
    if (this.isUp) return this;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        this.handle(request, Buffer.concat(chunks).toString('utf8'), response),
      );
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // A sender killed mid-request resets the connection: the entry is marked abandoned, no more.
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops every open connection: the endpoint is down (connection refused). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.held.splice(0);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    await this.start();
  }

  async stop(): Promise<void> {
    this.holding = false;
    await this.down();
  }

  /** Secrets a delivery may be signed with from now on (e.g. old and new during a rotation). */
  acceptSecrets(...secrets: string[]): void {
    this.secrets = [...secrets];
  }

  /** The next `count` requests get `status` (default 500); later ones the default answer. */
  failNext(count: number, status = 500, reply: Omit<WebhookReply, 'status'> = {}): void {
    for (let i = 0; i < count; i += 1) this.script.push({ status, ...reply });
  }

  /** Scripted answers for the next requests, in order; then the default answer. */
  replyNext(...replies: WebhookReply[]): void {
    this.script.push(...replies);
  }

  /** The answer to every request once the script is used up (initially 204). */
  replyAlways(reply: WebhookReply): void {
    this.fallback = reply;
  }

  /** Holds every new request open, unanswered, until `release()` (or until the sender leaves). */
  hold(): void {
    this.holding = true;
  }

  /** Stops holding and answers every held request as the script / default says. */
  release(): void {
    this.holding = false;
    for (const { response, entry } of this.held.splice(0)) this.answer(response, entry);
  }

  /** Deliveries (requests) that carried this event id, in arrival order. */
  attemptsOf(id: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.id === id);
  }

  /** Requests answered 2xx, i.e. what the receiver accepted. */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.answered !== undefined && r.answered < 300);
  }

  /** Event ids accepted at least once. */
  acceptedIds(): Set<string> {
    return new Set(this.accepted().flatMap((r) => (r.id ? [r.id] : [])));
  }

  /** Every request whose signature no accepted secret verified. */
  unverified(): ReceivedWebhook[] {
    return this.received.filter((r) => !r.verified);
  }

  /** Waits until `count` (default 1) received requests match; returns them. */
  async waitFor(
    match: (r: ReceivedWebhook) => boolean,
    { count = 1, timeoutMs = 30_000 }: { count?: number; timeoutMs?: number } = {},
  ): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(
          `receiver: ${found.length}/${count} matching requests after ${timeoutMs} ms; got ${JSON.stringify(
            this.received.map((r) => ({ id: r.id, type: r.type, answered: r.answered })),
          )}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Waits until `count` requests are held open. */
  async waitHolding(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.length < count) {
      if (Date.now() > deadline)
        throw new Error(`receiver: ${this.held.length}/${count} requests held`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private handle(
    request: { method?: string; url?: string; headers: IncomingHttpHeaders },
    body: string,
    response: ServerResponse,
  ): void {
    const headers = Object.fromEntries(
      Object.entries(request.headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
      ),
    ) as Record<string, string>;
    const now = this.now();
    const verifiedWith: string[] = [];
    const verificationErrors: string[] = [];
    for (const secret of this.secrets) {
      const error = verifyAt(secret, body, headers, now.getTime());
      if (error === undefined) verifiedWith.push(secret);
      else verificationErrors.push(error);
    }
    const signatures = (headers['webhook-signature'] ?? '')
      .split(' ')
      .filter((signature) => signature !== '')
      .map((signature) => ({
        signature,
        secret: this.secrets.find(
          (secret) =>
            verifyAt(
              secret,
              body,
              { ...headers, 'webhook-signature': signature },
              now.getTime(),
            ) === undefined,
        ),
      }));
    let payload: ReceivedWebhook['payload'];
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }
    const entry: ReceivedWebhook = {
      seq: this.received.length,
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      body,
      payload,
      type: typeof payload?.type === 'string' ? payload.type : undefined,
      verified: verifiedWith.length > 0,
      verifiedWith,
      verificationErrors,
      signatures,
      receivedAt: now,
      abandoned: false,
    };
    this.received.push(entry);
    response.on('close', () => {
      if (!response.writableFinished) {
        entry.abandoned = true;
        const at = this.held.findIndex((h) => h.response === response);
        if (at >= 0) this.held.splice(at, 1);
      }
    });
    if (this.holding) this.held.push({ response, entry });
    else this.answer(response, entry);
  }

  private answer(response: ServerResponse, entry: ReceivedWebhook): void {
    const reply = this.script.shift() ?? this.fallback;
    const send = () => {
      if (response.destroyed) return;
      entry.answered = reply.status;
      response.writeHead(reply.status, reply.headers);
      response.end(reply.body ?? '');
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  }
}

/** A started receiver. */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  return new WebhookReceiver(options).start();
}
