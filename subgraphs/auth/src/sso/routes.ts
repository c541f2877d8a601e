import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { AppError, readBody, sendJson, type Logger, type Route } from '@bastion/platform';
import { SsoFailure, type SsoFailureReason } from './failure';
import type { SsoIdentity } from './identity';
import { OIDC_CALLBACK_PATH } from './oidc';
import type { SsoProtocols } from './protocols';
import { ACS_PATH, METADATA_PATH } from './saml';
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
  complete: (identity: SsoIdentity, request: SsoRequestEntity) => Promise<string>;
  /** A refused answer of a known connection: SSO_SIGN_IN_FAILED and the organization's audit log. */
  failed: (connection: SsoConnectionEntity, error: AppError) => Promise<void>;
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

  return {
    [`POST ${ACS_PATH}`]: async (req, res) => {
      const form = new URLSearchParams((await readBody(req, ACS_BODY_LIMIT)).toString('utf8'));
      const samlResponse = form.get('SAMLResponse');
      if (!samlResponse) {
        sendJson(res, 400, { error: 'SAML_RESPONSE_MALFORMED', message: 'No SAMLResponse.' });
        return;
      }
      // IdP-initiated responses come without our RelayState: with no request there is no
      // redirectUri to return to, so they are refused here (see docs/security.md "Enterprise SSO").
      const request = await requests.find(form.get('RelayState') ?? '');
      await answer(res, request, 'SAML', (connection, pending) =>
        deps.protocols.samlIdentity(connection, pending, samlResponse),
      );
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

/** The request's redirectUri was on the allow-list when the request was stored. */
function redirect(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}
