import { createHash } from 'node:crypto';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}code{font-size:90%}';

/** What a page the gateway renders may do beyond showing itself. */
export interface PageAllowances {
  /** Its script files run only with this response's nonce (no inline script: they have a src). */
  scriptNonce?: string;
  /** fetch() to this origin (/graphql, /ai/stream); nothing else may be reached. */
  connectSelf?: boolean;
}

/**
 * The policy of a page the gateway renders itself: helmet's strict one (nothing loads, no script
 * at all) plus the page's one stylesheet by hash; links are navigations, which no fetch directive
 * governs. A page with a script (the AI stream page) names it by nonce and may call this origin.
 */
export function staticPageCsp(style: string, allow: PageAllowances = {}): string {
  return [
    "default-src 'none'",
    ...(allow.scriptNonce ? [`script-src 'nonce-${allow.scriptNonce}'`] : []),
    ...(allow.connectSelf ? ["connect-src 'self'"] : []),
    `style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The landing page's policy. */
export const LANDING_CSP = staticPageCsp(STYLE);

export interface LandingLinks {
  /** The explorer's kind, or null when EXPLORER=off. */
  explorer: 'GraphiQL' | 'Apollo Sandbox' | null;
  listener: 'public' | 'internal';
  /** Whether this process can serve the repository's README (absent from some images). */
  readme: boolean;
  /** Whether /dev/inbox is served here (development without SMTP_URL, public listener). */
  inbox?: boolean;
  /** Whether the AI stream page is served here (explorer on, public listener). */
  stream?: boolean;
}

/** `GET /` outside production: where things are, every link on this origin. */
export function landingPage({ explorer, listener, readme, inbox, stream }: LandingLinks): string {
  const explorerItem = explorer
    ? `<li><a href="/graphql">GraphQL explorer</a> (${explorer}${explorer === 'GraphiQL' ? ', works offline' : ", loads from Apollo's CDN"})</li>`
    : '<li>The explorer is off (<code>EXPLORER=off</code>); POST GraphQL to <code>/graphql</code>.</li>';
  const headers =
    listener === 'internal'
      ? '<code>x-service-token</code>'
      : '<code>Authorization: Bearer &lt;accessToken&gt;</code>';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Bastion</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <h1>Bastion</h1>
    <p>A federated GraphQL platform API (${listener} listener). Requests go to <code>/graphql</code>, with ${headers}.</p>
    <ul>
      ${explorerItem}
      ${stream ? '<li><a href="/explorer/stream">AI stream</a>: stream a generation from <code>POST /ai/stream</code> (Server-Sent Events, which the explorer cannot show)</li>' : ''}
      ${inbox ? '<li><a href="/dev/inbox">/dev/inbox</a>: the mail the platform sent (SMTP_URL is unset), with its links</li>' : ''}
      <li><a href="/health">/health</a>: liveness</li>
      <li><a href="/ready">/ready</a>: readiness of every subgraph and store</li>
      <li><a href="/.well-known/jwks.json">/.well-known/jwks.json</a>: the public keys of access tokens</li>
      <li>${readme ? '<a href="/README.md">README.md</a>' : '<code>README.md</code> in the repository'}: how to run and test, and the table of contents of <code>docs/</code> (configuration, API, operations, security) in the repository</li>
    </ul>
    <p>This page and the explorer are not served in production.</p>
  </body>
</html>
`;
}
