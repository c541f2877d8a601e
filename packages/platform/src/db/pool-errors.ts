import type { ClientBase } from 'pg';

/**
 * pg-pool options every pool of the platform is built with (TypeORM's, through `extra`, and the
 * database bus's).
 *
 * A pg client emits 'error' when its server goes away, and an 'error' with no listener crashes
 * the process. The pool listens while a client is idle, and whoever checked a client out listens
 * while it holds it, but between the two there is a gap: a new client is handed out as its
 * startup completes, and the listener of whoever asked for it (TypeORM's query runner, the
 * bus's publish) is attached only once the checkout's promise settles. If the server's
 * "terminating connection" arrives in the same read as the startup's ReadyForQuery (a server
 * shutting down as the connection opens, with the read delayed by a loaded machine), it is parsed
 * in that gap and the process died. So each client listens for its whole life from the moment it
 * connects: the error marks it unusable, the query on it fails as any query does during an
 * outage, the pool drops it on release, and the next checkout connects anew. Readiness reports
 * the database as down meanwhile.
 */
export const POOL_ERROR_GUARD = {
  onConnect(client: ClientBase): void {
    client.on('error', ignoreClientError);
  },
};

function ignoreClientError(): void {
  // The failing query reports it; see above.
}
