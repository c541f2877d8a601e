import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
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
 * gateway's default client on these machines (docs/development.md "Known pitfalls").
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
    const headers = new Headers();
    for (const [key, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
      else if (value !== undefined) headers.set(key, value);
    }
    return new Response(text, { status: response.statusCode, headers });
  }) as unknown as Fetcher;
  return { fetcher, close: () => agent.close() };
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
