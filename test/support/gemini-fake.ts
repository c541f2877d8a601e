import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;

export interface GeminiRequest {
  /** generateContent, streamGenerateContent or countTokens. */
  method: string;
  model: string;
  query: URLSearchParams;
  body: Obj;
  headers: IncomingMessage['headers'];
}

/**
 * usageMetadata as Gemini sends it: proto3 JSON omits a zero or unknown count, so any field may be
 * missing (a streamed chunk often has promptTokenCount and no candidatesTokenCount yet).
 */
export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** What the next generateContent / stream call answers; consumed in order, then `fallback`. */
export type GeminiReply =
  | { kind: 'text'; text: string; usage?: GeminiUsage; delayMs?: number }
  | { kind: 'status'; status: number; body?: Obj }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  /**
   * SSE chunks. `delayMs`: wait before answering at all (slow upstream). `holdAfter` chunks are
   * sent, then the stream waits until `release()` or the client leaves. `failAfter` chunks are
   * sent, then the connection is cut (an upstream failure mid-way).
   */
  | {
      kind: 'stream';
      chunks: { text: string; usage?: GeminiUsage }[];
      delayMs?: number;
      holdAfter?: number;
      failAfter?: number;
    };

/**
 * A stream the way Gemini reports usage: every chunk carries usageMetadata with the prompt's
 * count, the thinking count (once thought) and the running count of output tokens (one per word).
 */
export function geminiStream(
  texts: string[],
  usage: { promptTokenCount: number; thoughtsTokenCount?: number },
): { text: string; usage: GeminiUsage }[] {
  let words = 0;
  return texts.map((text) => {
    words += FakeGemini.words(text);
    return { text, usage: { ...usage, candidatesTokenCount: words } };
  });
}

/**
 * A local server speaking Gemini's REST wire format (v1beta models/{model}:generateContent,
 * :streamGenerateContent?alt=sse, :countTokens), checking the key in x-goog-api-key. Counts
 * tokens as one per whitespace-separated word, so tests can compute charges by hand.
 */
export class FakeGemini {
  readonly requests: GeminiRequest[] = [];
  readonly replies: GeminiReply[] = [];
  fallback: GeminiReply = {
    kind: 'text',
    text: 'ok',
    usage: { promptTokenCount: 1, candidatesTokenCount: 1 },
  };
  /** Set when a held stream's client went away. */
  readonly closedStreams: number[] = [];
  private releases: (() => void)[] = [];
  private server?: Server;
  url = '';

  constructor(readonly apiKey = `AIza-test-${randomBytes(16).toString('hex')}`) {}

  static words(text: string): number {
    return text.split(/\s+/).filter(Boolean).length;
  }

  calls(method: string): GeminiRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  generations(): GeminiRequest[] {
    return this.requests.filter((r) => r.method !== 'countTokens');
  }

  /** How many streams are waiting at their `holdAfter` for `release()`. */
  get holding(): number {
    return this.releases.length;
  }

  /** Lets the streams held now go on; one that reaches its hold later waits for the next call. */
  release(): void {
    this.releases.splice(0).forEach((release) => release());
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match =
      /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(
        url.pathname,
      );
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!match || req.method !== 'POST')
      return json(404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Obj;
    this.requests.push({
      method: match[2],
      model: match[1],
      query: url.searchParams,
      body,
      headers: req.headers,
    });
    if (req.headers['x-goog-api-key'] !== this.apiKey) {
      return json(400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
        },
      });
    }
    if (match[2] === 'countTokens') {
      const totalTokens = (body.contents as { parts: { text: string }[] }[])
        .flatMap((c) => c.parts)
        .reduce((n, p) => n + FakeGemini.words(p.text), 0);
      return json(200, { totalTokens });
    }
    const reply = this.replies.shift() ?? this.fallback;
    if (reply.kind === 'hang') return; // never answers: the caller's timeout decides
    if ((reply.kind === 'text' || reply.kind === 'stream') && reply.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    if (reply.kind === 'status') {
      // Upstream bodies can say anything, even echo a key: the proxy must summarise, never pass on.
      return json(
        reply.status,
        reply.body ?? {
          error: {
            code: reply.status,
            message: `upstream says ${this.apiKey}`,
            status: 'UNAVAILABLE',
          },
        },
      );
    }
    if (reply.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"candidates": [ {"content": ');
    }
    if (match[2] === 'generateContent') {
      if (reply.kind !== 'text') return json(500, {});
      return json(200, candidate(reply.text, reply.usage));
    }
    // streamGenerateContent?alt=sse
    const pieces =
      reply.kind === 'text' ? [{ text: reply.text, usage: reply.usage }] : reply.chunks;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    for (let i = 0; i < pieces.length; i++) {
      if (reply.kind === 'stream' && reply.failAfter === i) {
        res.destroy();
        return;
      }
      if (reply.kind === 'stream' && reply.holdAfter === i) {
        await new Promise<void>((resolve) => {
          const release = () => {
            this.releases = this.releases.filter((r) => r !== release);
            resolve();
          };
          this.releases.push(release);
          res.on('close', release);
        });
        if (closed) {
          this.closedStreams.push(i);
          return;
        }
      }
      // Flushed before the next step, so a failure after it still lets this chunk arrive.
      await new Promise((resolve) =>
        res.write(
          `data: ${JSON.stringify(candidate(pieces[i].text, pieces[i].usage))}\r\n\r\n`,
          resolve,
        ),
      );
    }
    res.end();
  }
}

function candidate(text: string, usage?: GeminiUsage): Obj {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    ...(usage
      ? {
          usageMetadata: {
            ...usage,
            totalTokenCount:
              (usage.promptTokenCount ?? 0) +
              (usage.candidatesTokenCount ?? 0) +
              (usage.thoughtsTokenCount ?? 0),
          },
        }
      : {}),
    modelVersion: 'fake',
  };
}
