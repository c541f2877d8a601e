import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import helmet from 'helmet';

function helmetFor(isTls: boolean) {
  return helmet({
    // JSON and text responses load nothing and may be framed by nobody.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    // A token-bearing URL (reset links are pasted into the explorer) must not leak through Referer.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // HSTS over plain HTTP is ignored by browsers and would pin a local HTTP deployment: TLS only.
    strictTransportSecurity: isTls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

const overTls = helmetFor(true);
const overHttp = helmetFor(false);

/** Sets helmet's headers on `res`; HSTS only when this socket is TLS. */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const middleware = (req.socket as Partial<TLSSocket>).encrypted === true ? overTls : overHttp;
  middleware(req, res, (error?: unknown) => {
    if (error) throw error;
  });
}

// Where Apollo's landing page (the embedded Sandbox) loads from: the lists its own <meta> CSP names.
const APOLLO_CDN = [
  'https://apollo-server-landing-page.cdn.apollographql.com',
  'https://embeddable-sandbox.cdn.apollographql.com',
  'https://embeddable-explorer.cdn.apollographql.com',
];
const APOLLO_FRAMES = [
  'https://sandbox.embed.apollographql.com',
  'https://explorer.embed.apollographql.com',
];

/**
 * The CSP of Apollo Sandbox's page (EXPLORER=sandbox; GraphiQL's is in explorer/graphiql-page.ts): only the nonce-carrying inline scripts and styles Apollo rendered,
 * Apollo's CDN and embed frames, requests to this origin only, and still never framed itself.
 * Null when the page carries no nonce (then the strict policy stays and the page does not load).
 */
export function explorerCsp(html: string): string | null {
  const nonce = /nonce="?([0-9a-f]{16,128})"?/.exec(html)?.[1];
  if (!nonce) return null;
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}' ${APOLLO_CDN.join(' ')}`,
    `style-src 'nonce-${nonce}' ${APOLLO_CDN.join(' ')} https://fonts.googleapis.com`,
    `img-src ${APOLLO_CDN[0]} data:`,
    'font-src https://fonts.gstatic.com',
    `manifest-src ${APOLLO_CDN[0]}`,
    `frame-src ${APOLLO_FRAMES.join(' ')}`,
    // The embedded Sandbox sends operations from this page (it hands them to the parent frame).
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Replaces the strict CSP on an HTML GraphQL response (Apollo's Sandbox, EXPLORER=sandbox) with the Sandbox's. */
export function adjustCspForHtml(
  res: ServerResponse,
  contentType: string | undefined,
  body: string | undefined,
): void {
  if (!contentType?.startsWith('text/html') || body === undefined) return;
  const csp = explorerCsp(body);
  if (csp) res.setHeader('content-security-policy', csp);
}
