import { randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  AppError,
  DEVELOPMENT_INBOX_LIMIT,
  ERROR_CODES,
  REFRESH_COOKIE_HEADER,
  REFRESH_COOKIE_NAME,
  exportDownloadOperation,
  guarded,
  handleGraphQL,
  readBody,
  sendGraphQLError,
  sendJson,
  signForwardedClaims,
  ANONYMOUS,
  checkNotImpersonated,
  type DevelopmentInbox,
  type Logger,
  type RequestListener,
  type Viewer,
} from '@bastion/platform';
import type { Authenticator } from './authenticate';
import { clientAddress } from './client-address';
import { applyCors, refusedOriginLog } from './cors';
import type { GatewayMetrics } from './metrics';
import { adjustCspForHtml, applySecurityHeaders } from './security-headers';
import type { CostBudget } from './cost-budget';
import { resolvePersistedQueries, type PersistedQueryCache } from './persisted-queries';
import { enforceOperationLimits, type OperationLimits } from './request-limits';
import type { TrustedDocuments } from './trusted-documents';
import { explorerRoutes, type ExplorerMode } from './explorer/routes';
import { developmentMailRoutes } from './explorer/development-mail';
import type { GatewayContext } from './subgraph-client';
import { relayAiStream, type AiStreamOptions } from './ai-stream';
import { logRequest, operationNameOf, type RequestLogFields } from './request-log';
import { applyLegacyStatus, asLegacyRefusal, isLegacyClient } from './legacy-status';
import type { ConsoleSite } from './console-route';

export interface GatewayAppOptions {
  listener: 'public' | 'internal';
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  trustedProxies: Set<string>;
  bodyLimitBytes: number;
  limits: OperationLimits;
  /** Where each request's estimated cost is charged; shared by both listeners. */
  budget: CostBudget;
  /** This listener's Apollo APQ store. */
  persistedQueries: PersistedQueryCache;
  /** When set, only these documents run on this listener. */
  trustedDocuments?: TrustedDocuments;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Readiness of each subgraph and store, by name. */
  readiness: () => Promise<Record<string, boolean>>;
  /**
   * Checks reported in /ready but not failing it: the gateway keeps serving without them, and
   * failing readiness on every instance at once would turn a degraded platform into a down one.
   */
  degradable?: ReadonlySet<string>;
  jwks: () => unknown;
  /** Where POST /webhooks/stripe goes, raw body intact (public listener only). */
  stripeWebhookUrl?: string;
  /**
   * Auth's origin: enterprise SSO's public routes (SAML ACS, OIDC callback, SP metadata) are
   * forwarded there as they came (public listener only).
   */
  ssoTarget?: string;
  /**
   * `GET /exports/<id>?token=...`: a data export's download link, forwarded to auth's
   * `target` with the caller's claims when a credential came (public listener only).
   */
  exportDownload?: { target: string; claimsKey: KeyObject };
  /** POST /ai/stream relayed to the ai service (public listener only). */
  aiStream?: Omit<AiStreamOptions, 'budget' | 'bodyLimitBytes' | 'logger'>;
  /** Whether this caller may run an operation now (a stopping internal listener admits only the platform's own services). */
  admits?: (viewer: Viewer) => boolean;
  /** Browser origins allowed to call the public listener (CORS; the internal listener has none). */
  corsOrigins: Set<string>;
  /** The effective explorer (production passes 'off'). */
  explorer: ExplorerMode;
  /** `GET /` and `/README.md` (outside production). */
  landingPage: boolean;
  /**
   * Outside production without SMTP_URL, public listener only: `GET /dev/inbox` and the pages mail
   * links point at when APP_URL is unset (`/verify-email`, `/reset-password`, `/accept-invitation`).
   */
  developmentInbox?: DevelopmentInbox;
  /** The web console at /console (public listener, CONSOLE on); unset: /console is a 404. */
  console?: ConsoleSite;
}

const QUERY_PLAN_HEADERS = [
  'apollo-query-plan-experimental',
  'apollo-query-plan-experimental-format',
];

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}

/** One route's handler: the request, its answer, its id, and the fields its log line carries. */
type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  log: RequestLogFields,
) => Promise<void> | void;

/** Handlers by `METHOD /path`. */
type RouteTable = Record<string, Route>;

type ExplorerRoutes = ReturnType<typeof explorerRoutes>;

/** The HTTP surface of one gateway listener: GraphQL plus health, readiness, metrics and JWKS. */
export function createGatewayApp(options: GatewayAppOptions): RequestListener {
  const browser = explorerRoutes({
    mode: options.explorer,
    listener: options.listener,
    landing: options.landingPage,
    inbox: Boolean(options.developmentInbox),
    aiStream: Boolean(options.aiStream),
  });
  const onRefusedOrigin = refusedOriginLog(options.logger);
  return guarded(
    options.logger,
    dispatch(options, browser, routeTable(options, browser), onRefusedOrigin),
  );
}

/** Every route this listener serves; the optional ones only where they belong. */
function routeTable(options: GatewayAppOptions, browser: ExplorerRoutes): RouteTable {
  const graphql = graphqlRoute(options, browser);
  const routes: RouteTable = {
    'GET /graphql': graphql,
    'POST /graphql': graphql,
    'GET /health': health,
    'GET /ready': readyRoute(options),
    ...Object.fromEntries(
      Object.entries(browser.routes).map(([path, handler]) => [`GET ${path}`, handler]),
    ),
    'GET /.well-known/jwks.json': jwksRoute(options),
  };
  // Metrics describe traffic and internals: for the operators' scraper, never the internet.
  if (options.listener === 'internal') routes['GET /metrics'] = metricsRoute(options.metrics);
  if (options.aiStream) routes['POST /ai/stream'] = aiStreamRoute(options, options.aiStream);
  if (options.stripeWebhookUrl)
    routes['POST /webhooks/stripe'] = stripeWebhookRoute(options, options.stripeWebhookUrl);
  if (options.ssoTarget)
    for (const key of SSO_ROUTES) routes[key] = ssoForwardRoute(options, options.ssoTarget);
  if (options.exportDownload)
    routes[EXPORT_ROUTE] = exportDownloadRoute(options, options.exportDownload);
  if (options.developmentInbox)
    for (const [path, handler] of Object.entries(
      developmentMailRouteTable(options, options.developmentInbox),
    ))
      routes[`GET ${path}`] = handler;
  return routes;
}

/** Security headers and CORS on every request, then the route, a static asset, or 404. */
function dispatch(
  options: GatewayAppOptions,
  browser: ExplorerRoutes,
  routes: RouteTable,
  onRefusedOrigin: ReturnType<typeof refusedOriginLog>,
): (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void> {
  return async (req, res, requestId) => {
    const log = logRequest(options.logger, req, res, requestId, options.listener);
    // First, so every answer below (404s and errors included) carries the headers.
    applySecurityHeaders(req, res);
    // The internal listener serves services, not browsers: no CORS at all there.
    if (options.listener === 'public' && applyCors(req, res, options.corsOrigins, onRefusedOrigin))
      return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[`${req.method} ${path}`] ?? routes[`${req.method} ${prefixOf(path)}`];
    if (route) {
      await route(req, res, requestId, log);
      return;
    }
    if (req.method === 'GET' && (await browser.asset(path, res))) return;
    if (options.console && (await options.console.serve(req, res, path))) return;
    sendJson(res, 404, { error: 'not found' });
  };
}

/** `/exports/<id>` is routed as `/exports/*`: the one route with a parameter in its path. */
function prefixOf(path: string): string {
  return path.startsWith('/exports/') ? '/exports/*' : path;
}

/** The request's one credential, read as for /graphql; null once an UNAUTHENTICATED answer went out. */
async function authenticate(
  options: GatewayAppOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Viewer | null> {
  try {
    return await options.authenticator.authenticate(req);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    options.metrics.authFailures.inc();
    res.setHeader('www-authenticate', 'Bearer');
    sendGraphQLError(res, ERROR_CODES[error.code].httpStatus, error.code, error.message);
    return null;
  }
}

/** The caller's address (behind trusted proxies) and user agent. */
function clientOf(options: GatewayAppOptions, req: IncomingMessage) {
  const userAgent = req.headers['user-agent'];
  return {
    ip: clientAddress(req, options.trustedProxies),
    userAgent: typeof userAgent === 'string' ? userAgent : null,
  };
}

/** GET and POST /graphql: explorer page, credential, limits and budget, then Apollo. */
function graphqlRoute(options: GatewayAppOptions, browser: ExplorerRoutes): Route {
  const { metrics } = options;
  return async (req, res, requestId, log) => {
    // A browser's GET gets GraphiQL before anything else: the page itself needs no credential.
    if (await browser.page(req, res)) return;
    // Query plans name subgraphs and internal fields: the gateway ignores these headers everywhere.
    for (const header of QUERY_PLAN_HEADERS) delete req.headers[header];
    const stopTimer = metrics.duration.startTimer({ listener: options.listener });
    res.on('finish', () => {
      stopTimer();
      metrics.requests.inc({ listener: options.listener, status: String(res.statusCode) });
    });
    const viewer = await authenticate(options, req, res);
    if (!viewer) return;
    log.viewerKind = viewer.kind;
    if (refusedWhileStopping(options, viewer, res)) return;
    if (refusedOnInternalListener(options, viewer, res)) return;
    const refreshCookie = readCookie(req.headers.cookie, REFRESH_COOKIE_NAME);
    const context: GatewayContext = {
      viewer,
      client: {
        ...clientOf(options, req),
        refreshCookie,
        cookieHosts: refreshCookie
          ? null
          : { host: req.headers.host ?? null, origin: req.headers.origin ?? null },
        // Cookie mode for this request: only a page of this origin can send the header (CORS never admits it).
        ...(req.headers[REFRESH_COOKIE_HEADER] === '1' ? { refreshCookieMode: true } : {}),
      },
      requestId,
      setCookies: [],
    };
    const isLegacy = isLegacyClient(req.headers.accept);
    await handleGraphQL(options.apollo, req, res, {
      bodyLimitBytes: options.bodyLimitBytes,
      requestId,
      context: async () => context,
      checkRequest: async (request) => {
        log.operationName = operationNameOf(request.body, request.search);
        const cost = await admitOperation(options, request, isLegacy);
        await chargeBudget(options, context, cost, res);
      },
      beforeSend: (response) => {
        if (isLegacy) applyLegacyStatus(response);
        if (context.setCookies.length > 0) res.setHeader('set-cookie', context.setCookies);
        adjustCspForHtml(
          res,
          response.headers.get('content-type'),
          response.body.kind === 'complete' ? response.body.string : undefined,
        );
      },
    });
  };
}

/** A stopping listener admits only whom `options.admits` names. True once the refusal went out. */
function refusedWhileStopping(
  options: GatewayAppOptions,
  viewer: Viewer,
  res: ServerResponse,
): boolean {
  if (!options.admits || options.admits(viewer)) return false;
  res.setHeader('connection', 'close');
  res.setHeader('retry-after', '1');
  sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE', 'The gateway is stopping.');
  return true;
}

/**
 * The internal listener serves the platform's services: no operation, introspection included,
 * runs there without a service token (docs/security.md "Operation limits"). True once the refusal went out.
 */
function refusedOnInternalListener(
  options: GatewayAppOptions,
  viewer: Viewer,
  res: ServerResponse,
): boolean {
  if (options.listener !== 'internal' || viewer.kind === 'service') return false;
  options.metrics.authFailures.inc();
  res.setHeader('www-authenticate', 'Bearer');
  sendGraphQLError(
    res,
    ERROR_CODES.UNAUTHENTICATED.httpStatus,
    'UNAUTHENTICATED',
    'The internal listener needs a service token (x-service-token or Authorization: Bearer).',
  );
  return true;
}

/** Persisted queries and trusted documents resolved, then the operation's limits; its cost. */
async function admitOperation(
  options: GatewayAppOptions,
  request: Parameters<typeof resolvePersistedQueries>[0],
  isLegacy: boolean,
): Promise<number> {
  try {
    await resolvePersistedQueries(request, options.persistedQueries, options.trustedDocuments);
    return enforceOperationLimits(request, options.limits);
  } catch (error) {
    throw isLegacy ? asLegacyRefusal(error) : error;
  }
}

/** Charges the operation's cost to the caller's budget; a refusal says when to retry. */
async function chargeBudget(
  options: GatewayAppOptions,
  context: GatewayContext,
  cost: number,
  res: ServerResponse,
): Promise<void> {
  try {
    await options.budget.charge(context.viewer, context.client.ip, cost);
  } catch (error) {
    const retryAfter = error instanceof AppError ? error.extensions.retryAfter : undefined;
    if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
    throw error;
  }
}

const health: Route = (_req, res) => sendJson(res, 200, { status: 'ok' });

/** GET /ready: 503 naming what fails; degradable checks are reported but do not fail it. */
function readyRoute(options: GatewayAppOptions): Route {
  return async (_req, res) => {
    const checks = await options.readiness();
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const failing = down.filter((name) => !options.degradable?.has(name));
    const degraded = down.filter((name) => options.degradable?.has(name));
    const extra = degraded.length > 0 ? { degraded } : {};
    sendJson(
      res,
      failing.length === 0 ? 200 : 503,
      failing.length === 0
        ? { status: 'ready', checks, ...extra }
        : { status: 'unavailable', failing, checks, ...extra },
    );
  };
}

function jwksRoute(options: GatewayAppOptions): Route {
  return (_req, res) =>
    sendJson(res, 200, options.jwks(), { 'cache-control': 'public, max-age=300' });
}

function metricsRoute(metrics: GatewayMetrics): Route {
  return async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  };
}

function refuseStream(viewer: Viewer): AppError | null {
  const notImpersonated = checkNotImpersonated(viewer);
  if (notImpersonated !== true) return notImpersonated;
  if (
    viewer.kind === 'user' &&
    viewer.apiKey &&
    !viewer.apiKey.capabilities.includes('ai:generate')
  )
    return new AppError('FORBIDDEN', {
      message: 'This API key lacks the capability ai:generate.',
      extensions: { reason: 'KEY_CAPABILITY', capability: 'ai:generate' },
    });
  return null;
}

/** POST /ai/stream: authenticated, then relayed to the ai service with its claims. */
function aiStreamRoute(
  options: GatewayAppOptions,
  aiStream: NonNullable<GatewayAppOptions['aiStream']>,
): Route {
  const stream = {
    ...aiStream,
    budget: options.budget,
    bodyLimitBytes: options.bodyLimitBytes,
    logger: options.logger,
  };
  return async (req, res, requestId, log) => {
    const viewer = await authenticate(options, req, res);
    if (!viewer) return;
    log.viewerKind = viewer.kind;
    // What the ai subgraph's generateText field would refuse through its tier: an impersonation
    // session (read-only) and a key without ai:generate.
    const refused = refuseStream(viewer);
    if (refused) {
      sendGraphQLError(res, 403, refused.code, refused.message, { ...refused.extensions });
      return;
    }
    await relayAiStream(req, res, { viewer, client: clientOf(options, req), requestId }, stream);
  };
}

/** `GET /dev/inbox` and the pages development mail links to, by path. */
function developmentMailRouteTable(options: GatewayAppOptions, inbox: DevelopmentInbox) {
  return developmentMailRoutes({
    inbox,
    explorer: options.explorer,
    limit: DEVELOPMENT_INBOX_LIMIT,
    // Through this gateway's own schema as an anonymous caller, as a browser's POST would be.
    verifyEmail: async (token, req) => {
      const response = await options.apollo.executeOperation(
        {
          query: 'mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }',
          variables: { token },
        },
        {
          contextValue: {
            viewer: ANONYMOUS,
            client: { ...clientOf(options, req), refreshCookie: null },
            requestId: randomUUID(),
            setCookies: [],
          },
        },
      );
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      if (result?.data?.verifyEmail === true) return { ok: true };
      return {
        ok: false,
        message: result?.errors?.[0]?.message ?? 'The email could not be verified.',
      };
    },
  });
}

/** Enterprise SSO's browser-facing routes (auth, docs/security.md "Enterprise SSO"). */
const SSO_ROUTES = [
  'POST /sso/saml/acs',
  'GET /sso/oidc/callback',
  'GET /sso/saml/metadata',
] as const;
/** What auth's answer may carry back to the browser: a redirect, or a short error or metadata body. */
const SSO_ANSWER_HEADERS = ['content-type', 'location', 'cache-control'];

/**
 * An SSO route, forwarded to auth as it came: the IdP's form post with its raw body (the
 * signature covers the decoded XML, so nothing may be re-encoded), the callback's query string.
 * Auth's redirect goes back to the browser as is, never followed here.
 */
function ssoForwardRoute(options: GatewayAppOptions, origin: string): Route {
  return async (req, res) => {
    const incoming = new URL(req.url ?? '/', 'http://localhost');
    const target = new URL(incoming.pathname + incoming.search, origin);
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: req.method,
        redirect: 'manual',
        ...(req.method === 'POST'
          ? {
              headers: {
                'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded',
              },
              body: new Uint8Array(await readBody(req, options.bodyLimitBytes)),
            }
          : {}),
      });
    } catch (error) {
      options.logger.warn({ err: error }, 'auth sso endpoint unreachable');
      sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE');
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of SSO_ANSWER_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
}

const EXPORT_ROUTE = 'GET /exports/*';

/**
 * GET /exports/<id>?token=...: a data export's download. The link's token is the credential, so
 * no bearer is needed; when one comes it is authenticated as for /graphql (401 when refused) and
 * its claims go to auth, which refuses another user's. Auth's JSON answer comes back as is.
 */
function exportDownloadRoute(
  options: GatewayAppOptions,
  download: NonNullable<GatewayAppOptions['exportDownload']>,
): Route {
  return async (req, res, _requestId, log) => {
    const incoming = new URL(req.url ?? '/', 'http://localhost');
    // Ids are UUIDs: anything else (escapes included) is passed on as it came, for auth to refuse.
    const exportId = incoming.pathname.slice('/exports/'.length);
    const token = incoming.searchParams.get('token') ?? '';
    const viewer = await authenticate(options, req, res);
    if (!viewer) return;
    log.viewerKind = viewer.kind;
    const target = new URL(download.target);
    target.searchParams.set('id', exportId);
    target.searchParams.set('token', token);
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        headers: {
          'x-bastion-claims': await signForwardedClaims(
            viewer,
            clientOf(options, req),
            'auth',
            exportDownloadOperation(exportId, token),
            download.claimsKey,
          ),
        },
        redirect: 'manual',
      });
    } catch (error) {
      options.logger.warn({ err: error }, 'auth export download unreachable');
      sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE');
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'cache-control', 'content-disposition']) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
}

/** POST /webhooks/stripe: forwarded to credits with its raw body and signature intact. */
function stripeWebhookRoute(options: GatewayAppOptions, target: string): Route {
  return async (req, res) => {
    const body = await readBody(req, options.bodyLimitBytes);
    const signature = req.headers['stripe-signature'];
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          ...(typeof signature === 'string' ? { 'stripe-signature': signature } : {}),
        },
        body,
      });
    } catch (error) {
      options.logger.warn({ err: error }, 'credits webhook endpoint unreachable');
      sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE');
      return;
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
}
