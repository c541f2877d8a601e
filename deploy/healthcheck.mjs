// The image's HEALTHCHECK: GET /health on this container's own listener. One image runs every
// service, so the port is whichever of the services' port variables the container was given.
import registry from '../subgraphs/registry.cjs';

const subgraphs = registry.readSubgraphRegistry();
const port =
  process.env.HEALTHCHECK_PORT ??
  process.env.PORT ??
  subgraphs.map((s) => process.env[s.portVar]).find((p) => p !== undefined) ??
  '4000';
const scheme = process.env.TLS_CERT_FILE && !process.env.HEALTHCHECK_PORT ? 'https' : 'http';
try {
  // A self-signed certificate is still this container's own listener.
  if (scheme === 'https') process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const response = await fetch(`${scheme}://127.0.0.1:${port}/health`, {
    signal: AbortSignal.timeout(2500),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
