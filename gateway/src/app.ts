import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  AppError,
  DEVELOPMENT_INBOX_LIMIT,
  ERROR_CODES,
  REFRESH_COOKIE_NAME,
  guarded,
  handleGraphQL,
  readBody,
  sendGraphQLError,
  sendJson,
  ANONYMOUS,
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

/** The HTTP surface of one gateway listener: GraphQL plus health, readiness, metrics and JWKS. */
export function createGatewayApp(options: GatewayAppOptions): RequestListener {
  const { logger, metrics } = options;
  const onRefusedOrigin = refusedOriginLog(logger);
  const browser = explorerRoutes({
    mode: options.explorer,
    listener: options.listener,
    landing: options.landingPage,
    inbox: Boolean(options.developmentInbox),
  });

  /** The request's one credential, read as for /graphql; null once an UNAUTHENTICATED answer went out. */
  const authenticate = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      return await options.authenticator.authenticate(req);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      metrics.authFailures.inc();
      res.setHeader('www-authenticate', 'Bearer');
      sendGraphQLError(res, ERROR_CODES[error.code].httpStatus, error.code, error.message);
      return null;
    }
  };

  const graphql = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    log: RequestLogFields,
  ) => {
    // A browser's GET gets GraphiQL before anything else: the page itself needs no credential.
    if (await browser.page(req, res)) return;
    // Query plans name subgraphs and internal fields: the gateway ignores these headers everywhere.
    for (const header of QUERY_PLAN_HEADERS) delete req.headers[header];
    const stopTimer = metrics.duration.startTimer({ listener: options.listener });
    res.on('finish', () => {
      stopTimer();
      metrics.requests.inc({ listener: options.listener, status: String(res.statusCode) });
    });
    const viewer = await authenticate(req, res);
    if (!viewer) return;
    log.viewerKind = viewer.kind;
    if (options.admits && !options.admits(viewer)) {
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE', 'The gateway is stopping.');
      return;
    }
    // The internal listener serves the platform's services: no operation, introspection included,
    // runs there without a service token (docs/security.md "Operation limits").
    if (options.listener === 'internal' && viewer.kind !== 'service') {
      metrics.authFailures.inc();
      res.setHeader('www-authenticate', 'Bearer');
      sendGraphQLError(
        res,
        ERROR_CODES.UNAUTHENTICATED.httpStatus,
        'UNAUTHENTICATED',
        'The internal listener needs a service token (x-service-token or Authorization: Bearer).',
      );
      return;
    }
    const userAgent = req.headers['user-agent'];
    const refreshCookie = readCookie(req.headers.cookie, REFRESH_COOKIE_NAME);
    const context: GatewayContext = {
      viewer,
      client: {
        ip: clientAddress(req, options.trustedProxies),
        userAgent: typeof userAgent === 'string' ? userAgent : null,
        refreshCookie,
        cookieHosts: refreshCookie
          ? null
          : { host: req.headers.host ?? null, origin: req.headers.origin ?? null },
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
        let cost: number;
        try {
          await resolvePersistedQueries(
            request,
            options.persistedQueries,
            options.trustedDocuments,
          );
          cost = enforceOperationLimits(request, options.limits);
        } catch (error) {
          throw isLegacy ? asLegacyRefusal(error) : error;
        }
        try {
          await options.budget.charge(viewer, context.client.ip, cost);
        } catch (error) {
          const retryAfter = error instanceof AppError ? error.extensions.retryAfter : undefined;
          if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
          throw error;
        }
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

  type Route = (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    log: RequestLogFields,
  ) => Promise<void> | void;
  const routes: Record<string, Route> = {
    'GET /graphql': graphql,
    'POST /graphql': graphql,
    'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /ready': async (_req, res) => {
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
    },
    ...Object.fromEntries(
      Object.entries(browser.routes).map(([path, handler]) => [`GET ${path}`, handler]),
    ),
    'GET /.well-known/jwks.json': (_req, res) =>
      sendJson(res, 200, options.jwks(), { 'cache-control': 'public, max-age=300' }),
  };
  // Metrics describe traffic and internals: for the operators' scraper, never the internet.
  if (options.listener === 'internal') {
    routes['GET /metrics'] = async (_req, res) => {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    };
  }
  if (options.aiStream) {
    const stream = {
      ...options.aiStream,
      budget: options.budget,
      bodyLimitBytes: options.bodyLimitBytes,
      logger,
    };
    routes['POST /ai/stream'] = async (req, res, requestId, log) => {
      const viewer = await authenticate(req, res);
      if (!viewer) return;
      log.viewerKind = viewer.kind;
      const userAgent = req.headers['user-agent'];
      const client = {
        ip: clientAddress(req, options.trustedProxies),
        userAgent: typeof userAgent === 'string' ? userAgent : null,
      };
      await relayAiStream(req, res, { viewer, client, requestId }, stream);
    };
  }
  if (options.stripeWebhookUrl) {
    const target = options.stripeWebhookUrl;
    routes['POST /webhooks/stripe'] = async (req, res) => {
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
        logger.warn({ err: error }, 'credits webhook endpoint unreachable');
        sendGraphQLError(res, 503, 'UPSTREAM_UNAVAILABLE');
        return;
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    };
  }

  if (options.developmentInbox) {
    const mail = developmentMailRoutes({
      inbox: options.developmentInbox,
      explorer: options.explorer,
      limit: DEVELOPMENT_INBOX_LIMIT,
      // Through this gateway's own schema as an anonymous caller, as a browser's POST would be.
      verifyEmail: async (token, req) => {
        const userAgent = req.headers['user-agent'];
        const response = await options.apollo.executeOperation(
          {
            query: 'mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }',
            variables: { token },
          },
          {
            contextValue: {
              viewer: ANONYMOUS,
              client: {
                ip: clientAddress(req, options.trustedProxies),
                userAgent: typeof userAgent === 'string' ? userAgent : null,
                refreshCookie: null,
              },
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
    for (const [path, handler] of Object.entries(mail)) routes[`GET ${path}`] = handler;
  }

  return guarded(logger, async (req, res, requestId) => {
    const log = logRequest(logger, req, res, requestId, options.listener);
    // First, so every answer below (404s and errors included) carries the headers.
    applySecurityHeaders(req, res);
    // The internal listener serves services, not browsers: no CORS at all there.
    if (options.listener === 'public' && applyCors(req, res, options.corsOrigins, onRefusedOrigin))
      return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[`${req.method} ${path}`];
    if (route) {
      await route(req, res, requestId, log);
      return;
    }
    if (req.method === 'GET' && (await browser.asset(path, res))) return;
    sendJson(res, 404, { error: 'not found' });
  });
}
