import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { AppError, readBody, sendJson, type Logger, type Route } from '@bastion/platform';
import { SsoFailure, type SsoFailureReason } from './failure';
import type { SsoIdentity } from './identity';
import { OIDC_CALLBACK_PATH } from './oidc';
import type { SsoProtocols } from './protocols';
import { ACS_PATH, METADATA_PATH, claimedIssuer } from './saml';
import { SsoConnectionEntity, type SsoRequestEntity } from './sso.entities';
import { SsoRequests } from './sso-store';

/** SAML responses are a few KiB; a generous bound keeps a hostile post from costing memory. */
const ACS_BODY_LIMIT = 256 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SsoRouteDeps {
  dataSource: DataSource;
  protocols: SsoProtocols;
  logger: Logger;
  /**
   * Sign-in's side (sso/sign-in.ts, sso-admin): keeps the verified identity behind a one-time
   * code for ssoLogin and returns the code. Refusals are AppErrors (their reason, else their code,
   * goes back to the application).
   */
  complete: (
    identity: SsoIdentity,
    request: Pick<SsoRequestEntity, 'redirectUri'>,
  ) => Promise<string>;
  /** A refused answer of a known connection: SSO_SIGN_IN_FAILED and the organization's audit log. */
  failed: (connection: SsoConnectionEntity, error: AppError) => Promise<void>;
  /** SSO_REDIRECT_URIS: where an IdP-initiated sign-in may land (its RelayState if listed, else the first). */
  redirectUris: Set<string>;
}

/**
 * Auth's public SSO routes, reached through the gateway's public listener (raw form body and
 * query string forwarded as they came): the SAML assertion consumer, the OIDC callback and the
 * per-connection SP metadata. Success: 302 to the request's redirectUri with `code`; a refusal
 * of a known request: 302 there with `error=<reason>`; an unknown request: 400 with the reason.
 */
export function ssoRoutes(deps: SsoRouteDeps): Record<string, Route> {
  const requests = new SsoRequests(deps.dataSource);
  const connections = deps.dataSource.getRepository(SsoConnectionEntity);
  const connectionOf = async (id: string) => (UUID.test(id) ? connections.findOneBy({ id }) : null);

  /** Validates with `identify`, uses the request once, completes: the browser's next stop. */
  async function answer(
    res: ServerResponse,
    request: SsoRequestEntity | null,
    kind: 'SAML' | 'OIDC',
    identify: (connection: SsoConnectionEntity, request: SsoRequestEntity) => Promise<SsoIdentity>,
  ): Promise<void> {
    if (!request) {
      sendJson(res, 400, {
        error: 'SSO_REQUEST_UNKNOWN',
        message: 'This sign-in was not started here or is unknown; start again.',
      });
      return;
    }
    const connection = await connectionOf(request.connectionId);
    try {
      if (!connection || !connection.enabled || connection.kind !== kind)
        throw new SsoFailure('SSO_CONNECTION_DISABLED', 'The connection is not available.');
      const identity = await identify(connection, request);
      // Used once, expiry included, after validation: a replayed response is named for what it
      // is (SAML_REPLAYED, its assertion id already recorded) rather than for its used request.
      if (!(await requests.use(request.id)))
        throw new SsoFailure('SSO_REQUEST_EXPIRED', 'The sign-in request expired or was used.');
      redirect(res, request.redirectUri, { code: await deps.complete(identity, request) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const reason = reasonOf(error);
      deps.logger.info(
        { connectionId: request.connectionId, reason, detail: error.message },
        'sso sign-in refused',
      );
      if (connection) await deps.failed(connection, error);
      redirect(res, request.redirectUri, { error: reason });
    }
  }

  /**
   * A response no request of ours asked for: accepted only from a connection with IdP-initiated
   * sign-in on (found by the response's issuer, then checked against that connection's
   * certificates and SP entity id like any other). It lands on its RelayState when that is on
   * the allow-list, else on the first allowed redirect URI; the assertion id still works once.
   */
  async function idpInitiated(res: ServerResponse, samlResponse: string, relayState: string) {
    const issuer = claimedIssuer(samlResponse);
    const candidates = issuer
      ? await connections.findBy({ kind: 'SAML', enabled: true, samlIdpEntityId: issuer })
      : [];
    const connection = candidates.length === 1 ? candidates[0] : null;
    if (!connection?.idpInitiated) {
      const refusal = connection
        ? new SsoFailure('SAML_UNSOLICITED', 'IdP-initiated sign-in is off for this connection.')
        : new SsoFailure('SSO_REQUEST_UNKNOWN', 'This sign-in was not started here.');
      if (connection) await deps.failed(connection, refusal);
      sendJson(res, 400, { error: refusal.reason, message: refusal.message });
      return;
    }
    const landing = deps.redirectUris.has(relayState) ? relayState : [...deps.redirectUris][0];
    try {
      const identity = await deps.protocols.samlIdentity(connection, null, samlResponse);
      redirect(res, landing, { code: await deps.complete(identity, { redirectUri: landing }) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      deps.logger.info(
        { connectionId: connection.id, reason: reasonOf(error), detail: error.message },
        'sso sign-in refused',
      );
      await deps.failed(connection, error);
      redirect(res, landing, { error: reasonOf(error) });
    }
  }

  return {
    [`POST ${ACS_PATH}`]: async (req, res) => {
      const form = new URLSearchParams((await readBody(req, ACS_BODY_LIMIT)).toString('utf8'));
      const samlResponse = form.get('SAMLResponse');
      if (!samlResponse) {
        sendJson(res, 400, { error: 'SAML_RESPONSE_MALFORMED', message: 'No SAMLResponse.' });
        return;
      }
      const relayState = form.get('RelayState') ?? '';
      const request = await requests.find(relayState);
      if (request)
        await answer(res, request, 'SAML', (connection, pending) =>
          deps.protocols.samlIdentity(connection, pending, samlResponse),
        );
      else await idpInitiated(res, samlResponse, relayState);
    },

    [`GET ${OIDC_CALLBACK_PATH}`]: async (req, res) => {
      const query = queryOf(req);
      const request = await requests.find(query.get('state') ?? '');
      await answer(res, request, 'OIDC', async (connection, pending) => {
        const code = query.get('code');
        if (query.get('error') || !code)
          throw new SsoFailure('OIDC_IDP_ERROR', 'The identity provider refused the sign-in.');
        return deps.protocols.oidcIdentity(connection, pending, code);
      });
    },

    [`GET ${METADATA_PATH}`]: async (req, res) => {
      const connection = await connectionOf(queryOf(req).get('connection') ?? '');
      if (!connection || connection.kind !== 'SAML') {
        sendJson(res, 404, { error: 'NOT_FOUND', message: 'No such SAML connection.' });
        return;
      }
      let xml: string;
      try {
        xml = deps.protocols.samlMetadata(connection);
      } catch (error) {
        if (!(error instanceof SsoFailure)) throw error;
        sendJson(res, 404, { error: error.reason, message: error.message });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml; charset=utf-8' });
      res.end(xml);
    },
  };
}

function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function reasonOf(error: AppError): SsoFailureReason | string {
  if (error instanceof SsoFailure) return error.reason;
  const reason = error.extensions.reason;
  return typeof reason === 'string' ? reason : error.code;
}

/** The request's redirectUri was on the allow-list when the request was stored (or is on it now). */
function redirect(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}
