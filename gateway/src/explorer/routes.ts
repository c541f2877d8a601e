import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { prefersHtml } from './accept';
import { ASSET_PREFIX, explorerAssets } from './assets';
import { GRAPHIQL_CSP, graphiqlPage } from './graphiql-page';
import { LANDING_CSP, landingPage } from './landing-page';
import {
  STREAM_PAGE_PATH,
  STREAM_SCRIPT,
  scriptNonce,
  streamPage,
  streamPageCsp,
} from './stream-page';

/** docs/configuration.md "Settings" (EXPLORER): GraphiQL by default outside production, Apollo Sandbox on request, or none. */
export type ExplorerMode = 'graphiql' | 'sandbox' | 'off';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface ExplorerRoutes {
  /** GET routes by exact path: `/` and `/README.md` outside production, the AI stream page. */
  routes: Record<string, Handler>;
  /** Answers a browser's GET /graphql with the GraphiQL page; false when this request is not one. */
  page(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Answers GET /explorer/assets/<name>; false when the path is not under that prefix. */
  asset(path: string, res: ServerResponse): Promise<boolean>;
}

const README = resolve(__dirname, '../../../README.md');

function sendHtml(res: ServerResponse, html: string, csp: string): void {
  // Replaces helmet's policy, set first on every response, by this page's own.
  res.setHeader('content-security-policy', csp);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

function notFound(res: ServerResponse): void {
  const body = JSON.stringify({ error: 'not found' });
  res.writeHead(404, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The browser-facing pages of one listener. `mode` is the effective one (always 'off' in
 * production); `landing` is false in production, where `/` stays a 404.
 */
export function explorerRoutes(options: {
  mode: ExplorerMode;
  listener: 'public' | 'internal';
  landing: boolean;
  /** Whether this listener serves /dev/inbox (the landing page links it). */
  inbox?: boolean;
  /** Whether this listener relays POST /ai/stream (the public one). */
  aiStream?: boolean;
}): ExplorerRoutes {
  const { mode, listener } = options;
  const graphiql = mode === 'graphiql';
  // Served where an explorer is (never in production) and the stream it calls is.
  const stream = mode !== 'off' && (options.aiStream ?? false);
  const routes: Record<string, Handler> = stream ? streamRoutes() : {};
  if (options.landing) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path beside the package
    const readme = existsSync(README);
    const explorer = graphiql ? 'GraphiQL' : mode === 'sandbox' ? 'Apollo Sandbox' : null;
    const html = landingPage({
      explorer,
      listener,
      readme,
      inbox: options.inbox ?? false,
      stream,
    });
    routes['/'] = (_req, res) => sendHtml(res, html, LANDING_CSP);
    if (readme) {
      routes['/README.md'] = (_req, res) => {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path beside the package
        const text = readFileSync(README);
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': text.length,
          'cache-control': 'no-cache',
        });
        res.end(text);
      };
    }
  }
  return {
    routes,
    page: async (req, res) => {
      if (!graphiql || req.method !== 'GET' || !prefersHtml(req.headers.accept)) return false;
      sendHtml(res, graphiqlPage(await explorerAssets(), { streamPage: stream }), GRAPHIQL_CSP);
      return true;
    },
    asset: async (path, res) => {
      if (!graphiql || !path.startsWith(ASSET_PREFIX)) return false;
      const file = (await explorerAssets()).files.get(path.slice(ASSET_PREFIX.length));
      if (!file) {
        notFound(res);
        return true;
      }
      sendAsset(res, file.body, file.contentType);
      return true;
    },
  };
}

/** Content-hashed names: a browser may keep each file for a year without asking again. */
function sendAsset(res: ServerResponse, body: Buffer, contentType: string): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': body.length,
    'cache-control': 'public, max-age=31536000, immutable',
  });
  res.end(body);
}

/**
 * `GET /explorer/stream` and its script: the page is rendered per response (its script's nonce),
 * the script is one file under the explorer's asset prefix, in every explorer mode.
 */
function streamRoutes(): Record<string, Handler> {
  return {
    [STREAM_PAGE_PATH]: (_req, res) => {
      const nonce = scriptNonce();
      sendHtml(res, streamPage(nonce), streamPageCsp(nonce));
    },
    [`${ASSET_PREFIX}${STREAM_SCRIPT.name}`]: (_req, res) =>
      sendAsset(res, STREAM_SCRIPT.body, 'text/javascript; charset=utf-8'),
  };
}
