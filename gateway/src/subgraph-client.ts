import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import { AppError, signForwardedClaims, type ClientInfo, type Viewer } from '@bastion/platform';
import type { KeyObject } from 'node:crypto';
import { Agent, request } from 'undici';

/** What the gateway knows about the request it is forwarding. */
export interface GatewayContext {
  viewer: Viewer;
  client: ClientInfo;
  requestId: string;
  /** Set-Cookie headers subgraphs asked to pass to the browser (refresh cookie). */
  setCookies: string[];
}

/**
 * A fetch-compatible client on an undici keep-alive pool: about twice the throughput of the
 * gateway's default client on these machines (docs/development.md "Known pitfalls"). undici's
 * Agent keeps one pool per origin, so each subgraph has its own keep-alive connections. The
 * answer is a plain object over the body text and undici's headers rather than a WHATWG
 * `Response` (a web stream per answer: ~95 µs of CPU per subgraph fetch, docs/performance.md).
 */
export function createUndiciFetcher(): { fetcher: Fetcher; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const fetcher = (async (
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ) => {
    const response = await request(url, {
      method: (init?.method ?? 'POST') as 'POST',
      headers: init?.headers,
      body: init?.body,
      dispatcher: agent,
    });
    const text = await response.body.text();
    return new FetchedResponse(response.statusCode, new FetchedHeaders(response.headers), text);
  }) as unknown as Fetcher;
  return { fetcher, close: () => agent.close() };
}

type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * A subgraph answer's headers as the gateway reads them (`get`, `has`, `getSetCookie`), over the
 * lower-cased record undici gives; several values of one name read as `Headers` joins them.
 */
export class FetchedHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string[]>();

  constructor(raw: RawHeaders = {}) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      this.map.set(name.toLowerCase(), Array.isArray(value) ? [...value] : [value]);
    }
  }

  get(name: string): string | null {
    const values = this.map.get(name.toLowerCase());
    if (!values) return null;
    return values.join(', ');
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    this.map.set(key, [...(this.map.get(key) ?? []), value]);
  }

  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), [value]);
  }

  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  /** Each Set-Cookie header on its own, as `Headers.getSetCookie()` gives them. */
  getSetCookie(): string[] {
    return [...(this.map.get('set-cookie') ?? [])];
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.map.keys()].sort()) yield [name, this.get(name) as string];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The parts of a fetch `Response` Apollo's RemoteGraphQLDataSource reads, over a body already read. */
export class FetchedResponse implements FetcherResponse {
  readonly url = '';
  readonly redirected = false;
  readonly statusText = '';
  private used = false;

  constructor(
    readonly status: number,
    readonly headers: FetchedHeaders,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  private consume(): string {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.body;
  }

  async text(): Promise<string> {
    return this.consume();
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.consume()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.consume(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): FetchedResponse {
    if (this.used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new FetchedResponse(this.status, this.headers, this.body);
  }
}

/**
 * Sends each subgraph request with the caller's claims signed for that subgraph and bound to the
 * exact operation; no inbound header (Authorization, cookies, forwarded-for) is passed through.
 */
export class ClaimsForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly claimsKey: KeyObject,
    fetcher: Fetcher,
  ) {
    super({ url, fetcher });
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = request.http?.headers;
    if (!headers) return;
    const viewer = context?.viewer ?? { kind: 'anonymous' as const };
    const client = context?.client ?? { ip: null, userAgent: null };
    const claims = await signForwardedClaims(
      viewer,
      client,
      this.subgraphName,
      {
        query: request.query,
        operationName: request.operationName ?? null,
        variables: request.variables ?? null,
      },
      this.claimsKey,
    );
    headers.set('x-bastion-claims', claims);
    if (context?.requestId) headers.set('x-request-id', context.requestId);
  }

  override didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const cookies =
      (response.http?.headers as unknown as Headers | undefined)?.getSetCookie?.() ?? [];
    if (cookies.length > 0 && context?.setCookies) context.setCookies.push(...cookies);
    return response;
  }

  override didEncounterError(error: Error): void {
    if (error instanceof AppError) throw error;
    // Network failures and 5xx from a subgraph: say which service, never how it failed.
    throw new AppError('UPSTREAM_UNAVAILABLE', {
      message: `The ${this.subgraphName} service is unavailable.`,
      cause: error,
    });
  }
}
