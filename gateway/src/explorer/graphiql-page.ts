import { ASSET_PREFIX, type ExplorerAssets } from './assets';

/**
 * The operation the explorer opens with: a query every caller may run, where headers go, and
 * (where it is served) the AI stream page, since a GraphQL editor cannot show a stream.
 */
const welcome = (
  streamPage: boolean,
) => `# Bastion's GraphQL explorer (GraphiQL, served by this gateway: it works offline).
#
# Headers (the tab below the editor) take JSON, for example
#   { "Authorization": "Bearer <accessToken from register or login>" }
# or, on the internal listener, { "x-service-token": "<service token>" }.
# Ctrl-Enter runs the operation; Ctrl-Space completes from the schema.
${streamPage ? '# Streamed generations (POST /ai/stream) have a page of their own: /explorer/stream\n' : ''}
{ aiModels { id } }
`;

/**
 * The page's policy: scripts, workers and requests from this origin only, no inline script (the
 * page carries its options as inert JSON), never framed. Styles admit 'unsafe-inline' because
 * monaco writes its theme into <style> elements it creates without a nonce; with img-src and
 * connect-src on this origin only, injected CSS has nowhere to send anything.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` can end the element. */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The explorer's HTML. Asset URLs are relative (`explorer/assets/…` from `/graphql`), so they stay
 * on this origin, and under a path prefix if a proxy adds one.
 */
export function graphiqlPage(assets: ExplorerAssets, links: { streamPage: boolean }): string {
  const url = (name: string) => `.${ASSET_PREFIX}${name}`;
  const workers = Object.fromEntries(
    Object.entries(assets.names.workers).map(([label, name]) => [label, url(name)]),
  );
  // Headers pasted in (bearer and service tokens) are not written to localStorage unless the user opts in.
  const options = {
    title: 'Bastion',
    query: welcome(links.streamPage),
    shouldPersistHeaders: false,
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Bastion GraphQL explorer</title>
    <link rel="icon" href="${url(assets.names.favicon)}">
    <link rel="stylesheet" href="${url(assets.names.style)}">
    <script type="application/json" id="explorer-config">${inertJson({ workers, options })}</script>
    <script defer src="${url(assets.names.script)}"></script>
    <script defer src="${url(assets.names.boot)}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>The explorer needs JavaScript. POST GraphQL to this URL with any HTTP client instead.</noscript>
    <div id="root"></div>
  </body>
</html>
`;
}
