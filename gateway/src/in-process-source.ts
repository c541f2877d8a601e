import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  AppError,
  UNKNOWN_CLIENT,
  type ClaimsChannel,
  type RunningService,
} from '@bastion/platform';
import type { GatewayContext } from './subgraph-client';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** A subgraph of this process: its in-process entry point. */
export type InProcessSubgraph = NonNullable<RunningService['inProcess']>;

/**
 * Sends each subgraph request to a subgraph of the same process without HTTP or JSON
 * (SUBGRAPH_TRANSPORT=in-process): the caller's claims go as an object minted by the process's
 * claims channel for that subgraph and that very request (docs/architecture.md "In-process
 * subgraphs"). What the gateway receives is what ClaimsForwardingDataSource would read off the
 * subgraph's HTTP response: data and formatted errors, Set-Cookie into the context, and a
 * non-2xx status or a failure as UPSTREAM_UNAVAILABLE.
 */
export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    private readonly subgraph: InProcessSubgraph,
    private readonly mint: ClaimsChannel['mint'],
  ) {}

  async process({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!request.query) throw new Error('Missing query');
    // A request object of its own, frozen: the claims are bound to it, and nothing changes it after.
    const sent = Object.freeze({
      query: request.query,
      operationName: request.operationName,
      variables: request.variables,
      extensions: request.extensions,
    });
    const claims = this.mint(
      context?.viewer ?? { kind: 'anonymous' },
      context?.client ?? UNKNOWN_CLIENT,
      this.subgraphName,
      sent,
      context?.requestId ?? '',
    );
    const setCookies = context?.setCookies;
    let response;
    try {
      response = await this.subgraph.executeInProcess(sent, claims, {
        setCookie: (cookie) => setCookies?.push(cookie),
      });
    } catch (error) {
      throw this.unavailable(error);
    }
    // Over HTTP a non-2xx answer never reaches the plan as a result (RemoteGraphQLDataSource).
    if (response.status < 200 || response.status > 299) throw this.unavailable(response);
    const { status: _status, ...result } = response;
    return result as GatewayGraphQLResponse;
  }

  private unavailable(cause: unknown): AppError {
    // As over HTTP (a 5xx, a refused connection): say which service, never how it failed.
    return new AppError('UPSTREAM_UNAVAILABLE', {
      message: `The ${this.subgraphName} service is unavailable.`,
      cause,
    });
  }
}
