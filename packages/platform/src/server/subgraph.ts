import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type GraphQLRequest } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import {
  CLAIMS_HEADER,
  UNKNOWN_CLIENT,
  verifyForwardedClaims,
  type ClientInfo,
  type OperationDigestInput,
} from '../auth/forwarded-claims';
import type { AcceptInProcessClaims } from '../auth/in-process-claims';
import type { ReplayGuard } from '../auth/replay-guard';
import { ANONYMOUS, type Viewer } from '../auth/viewer';
import { requestIdPlugin } from '../errors/error-request-id';
import { createFormatError } from '../errors/format-error';
import { eventsSetAside } from '../events/set-aside';
import type { Logger } from '../logging/logger';
import { SAFE_REQUEST_ID } from '../logging/request-context';
import { buildPermissions } from '../tiers/build-permissions';
import { isPrebuilt, schemaFromPrebuilt, type PrebuiltSubgraphSchema } from './prebuilt-schema';
import type { TierSpec } from '../tiers/rules';
import { deniedAttemptsPlugin, type DeniedAttemptRecorder } from './denied-attempts';
import { inputHygienePlugin } from './input-hygiene';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  guarded,
  handleGraphQL,
  sendJson,
  type GraphQLRequestInfo,
  type RequestListener,
} from './http';

/** What every resolver of every subgraph can rely on. */
export interface BaseContext {
  viewer: Viewer;
  client: ClientInfo;
  requestId: string;
  logger: Logger;
  /** Users this request has just proven to be (see checkTier). */
  provenUserIds: Set<string>;
  /** Adds a Set-Cookie header to the response; the gateway passes it on to the browser. */
  setCookie(cookie: string): void;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A subgraph's resolver map: Apollo's `GraphQLResolverMap`, or the `Resolvers` type generated from
 * its schema.graphql (`npm run codegen`), whose `__resolveReference` Apollo's type does not describe.
 */
export type SubgraphResolvers<C> = GraphQLResolverMap<C> | { readonly [typeName: string]: unknown };

export interface SubgraphOptions<C extends BaseContext> {
  name: string;
  /** The parsed schema.graphql, or its expansion prebuilt by `npm run compose` (loadSubgraphTypeDefs). */
  typeDefs: DocumentNode | PrebuiltSubgraphSchema;
  resolvers: SubgraphResolvers<C>;
  logger: Logger;
  claimsKey: KeyObject;
  replayGuard: ReplayGuard;
  /** Adds the service's own dependencies to the base context (`info` is absent for an in-process request). */
  extendContext: (base: BaseContext, info?: GraphQLRequestInfo) => C | Promise<C>;
  /** Checks the claims of in-process requests (the all-in-one's channel); unset: every such claims object is refused. */
  acceptInProcessClaims?: AcceptInProcessClaims;
  /** Readiness: each dependency's name and whether it answers. */
  readiness?: () => Promise<Record<string, boolean>>;
  /** Extra HTTP routes, keyed "METHOD /path". */
  routes?: Record<string, Route>;
  bodyLimitBytes?: number;
  /** Audits the refusals (FORBIDDEN) the subgraph answers, its tiers' and its own checks'. */
  deniedAttempts?: DeniedAttemptRecorder;
}

/** Where an in-process request's response headers go: the gateway's context. */
export interface InProcessSink {
  setCookie(cookie: string): void;
}

/** An in-process request's response, as the gateway would read it from the subgraph's HTTP response. */
export interface InProcessResponse {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
  /** The HTTP status the subgraph would have answered with (200 unless an error set one). */
  status: number;
}

export interface Subgraph<C extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  tiers: Map<string, TierSpec>;
  apollo: ApolloServer<C>;
  listener: RequestListener;
  /**
   * Serves one request from the gateway of this process without HTTP or JSON: the same Apollo
   * pipeline (tiers, plugins, error masking) with the caller taken from in-process claims
   * (docs/architecture.md "In-process subgraphs"); refused claims serve as anonymous, as over HTTP.
   */
  executeInProcess(
    request: GraphQLRequest,
    claims: unknown,
    sink: InProcessSink,
  ): Promise<InProcessResponse>;
  stop(): Promise<void>;
}

/** The request id refused in-process claims name (a plain data property), if any. */
function requestIdNamedBy(claims: unknown): string | undefined {
  if (claims === null || typeof claims !== 'object') return undefined;
  try {
    const value: unknown = Object.getOwnPropertyDescriptor(claims, 'requestId')?.value;
    return typeof value === 'string' ? value : undefined;
  } catch {
    // A proxy's trap that throws: no id of its own then.
    return undefined;
  }
}

function operationOf(body: unknown): OperationDigestInput {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  return {
    query: typeof b.query === 'string' ? b.query : undefined,
    operationName: typeof b.operationName === 'string' ? b.operationName : null,
    variables:
      b.variables && typeof b.variables === 'object'
        ? (b.variables as Record<string, unknown>)
        : null,
  };
}

/**
 * A federated subgraph: SDL + resolvers, tiers enforced by graphql-shield from the SDL, errors
 * masked, and the caller's identity taken only from gateway-signed claims bound to the operation.
 */
export async function createSubgraph<C extends BaseContext>(
  options: SubgraphOptions<C>,
): Promise<Subgraph<C>> {
  const { name, logger } = options;
  const resolvers = options.resolvers as GraphQLResolverMap<unknown>;
  const baseSchema = isPrebuilt(options.typeDefs)
    ? schemaFromPrebuilt(options.typeDefs, resolvers)
    : buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers });
  const { permissions, tiers } = buildPermissions(baseSchema);
  const schema = applyMiddleware(baseSchema, permissions);
  const apollo = new ApolloServer<C>({
    schema,
    formatError: createFormatError({ logger }),
    includeStacktraceInErrorResponses: false,
    // Apollo would stop itself on SIGTERM and re-raise the signal, cutting requests in flight;
    // the process's own shutdown (stopOnSignals) drains first, then stops Apollo.
    stopOnTerminationSignals: false,
    introspection: true,
    // Inline traces exist for Apollo's usage reporting, which this platform never sends to.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // Masked errors are logged under the context's request id (createFormatError).
      requestIdPlugin<C>(),
      inputHygienePlugin<C>(),
      ...(options.deniedAttempts ? [deniedAttemptsPlugin<C>(options.deniedAttempts, logger)] : []),
    ],
  });
  await apollo.start();

  const contextFor = async (info: GraphQLRequestInfo): Promise<C> => {
    const header = info.req.headers[CLAIMS_HEADER];
    const { viewer, client, rejection } = await verifyForwardedClaims(
      Array.isArray(header) ? header[0] : header,
      {
        audience: name,
        operation: operationOf(info.body),
        key: options.claimsKey,
        replayGuard: options.replayGuard,
      },
    );
    if (rejection)
      logger.warn(
        { requestId: info.requestId, rejection },
        'forwarded claims refused; serving as anonymous',
      );
    const base: BaseContext = {
      viewer,
      client,
      requestId: info.requestId,
      logger: logger.child({ requestId: info.requestId }),
      provenUserIds: new Set(),
      setCookie: (cookie) => info.res.appendHeader('set-cookie', cookie),
    };
    return options.extendContext(base, info);
  };

  const acceptClaims: AcceptInProcessClaims =
    options.acceptInProcessClaims ?? (() => ({ rejection: 'signature' }));
  const executeInProcess = async (
    request: GraphQLRequest,
    claims: unknown,
    sink: InProcessSink,
  ): Promise<InProcessResponse> => {
    const accepted = acceptClaims(claims, name, request);
    // The gateway's id, as its x-request-id header would carry it (requestIdOf's rule); refused
    // claims keep the id they name, as a refused claims header keeps the request's x-request-id.
    const named = 'rejection' in accepted ? requestIdNamedBy(claims) : accepted.requestId;
    const requestId = named !== undefined && SAFE_REQUEST_ID.test(named) ? named : randomUUID();
    if ('rejection' in accepted)
      logger.warn(
        { requestId, rejection: accepted.rejection },
        'in-process claims refused; serving as anonymous',
      );
    const base: BaseContext = {
      viewer: 'rejection' in accepted ? ANONYMOUS : accepted.viewer,
      client: 'rejection' in accepted ? UNKNOWN_CLIENT : accepted.client,
      requestId,
      logger: logger.child({ requestId }),
      provenUserIds: new Set(),
      setCookie: (cookie) => sink.setCookie(cookie),
    };
    let contextValue: C;
    try {
      contextValue = await options.extendContext(base);
    } catch (error) {
      // What Apollo logs over HTTP as a failed context (a masked 500 there, UPSTREAM_UNAVAILABLE here).
      logger.error({ err: error, requestId }, 'unexpected error');
      throw error;
    }
    const response = await apollo.executeOperation(request, { contextValue });
    if (response.body.kind !== 'single')
      throw new Error(`${name}: an incremental response is not served in process`);
    const { data, errors, extensions } = response.body.singleResult;
    return {
      ...(data !== undefined ? { data } : {}),
      // As the gateway would read them off the wire: errors are rare, so the copy is cheap.
      ...(errors ? { errors: JSON.parse(JSON.stringify(errors)) as GraphQLFormattedError[] } : {}),
      ...(extensions ? { extensions } : {}),
      status: response.http.status ?? 200,
    };
  };

  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const routes = options.routes ?? {};
  const listener = guarded(logger, async (req, res, requestId) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/graphql') {
      await handleGraphQL(apollo, req, res, { bodyLimitBytes, requestId, context: contextFor });
    } else if (path === '/health') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/metrics' && req.method === 'GET') {
      // The subgraph's own process: events its consumers set aside (the gateway exposes the rest).
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(eventsSetAside.prometheusText());
    } else if (path === '/ready') {
      const checks = options.readiness ? await options.readiness() : {};
      const ready = Object.values(checks).every(Boolean);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
    } else if (routes[`${req.method} ${path}`]) {
      await routes[`${req.method} ${path}`](req, res);
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  });

  return { name, schema, tiers, apollo, listener, executeInProcess, stop: () => apollo.stop() };
}
