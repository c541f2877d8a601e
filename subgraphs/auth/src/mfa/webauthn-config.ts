import { z } from 'zod';
import { DEFAULT_APP_URL, DEVELOPMENT_GATEWAY_ORIGIN } from '@bastion/platform';

/** WebAuthn (passkey) settings, spread into the auth config schema (docs/configuration.md "Settings"). */
export const webauthnConfig = {
  /** The relying party: the domain passkeys are bound to. Unset: APP_URL's host, else `localhost`. */
  WEBAUTHN_RP_ID: z.string().min(1).optional(),
  /** Shown by the authenticator next to the account. */
  WEBAUTHN_RP_NAME: z.string().min(1).max(100).default('Bastion'),
  /** Comma-separated exact origins a ceremony may come from. Unset: APP_URL's origin (+ the gateway's outside production). */
  WEBAUTHN_ORIGINS: z.string().optional(),
};

export interface WebAuthnConfigInput {
  NODE_ENV: string;
  APP_URL?: string;
  WEBAUTHN_RP_ID?: string;
  WEBAUTHN_RP_NAME: string;
  WEBAUTHN_ORIGINS?: string;
}

export interface WebAuthnSettings {
  rpId: string;
  rpName: string;
  /** Read at each ceremony: in one process the gateway's port is known only after start. */
  origins: () => string[];
}

function listedOrigins(config: WebAuthnConfigInput): string[] {
  return (config.WEBAUTHN_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** The relying-party id: WEBAUTHN_RP_ID, else APP_URL's host name, else `localhost`. */
export function webauthnRpId(config: WebAuthnConfigInput): string {
  if (config.WEBAUTHN_RP_ID) return config.WEBAUTHN_RP_ID;
  return config.APP_URL && URL.canParse(config.APP_URL)
    ? new URL(config.APP_URL).hostname
    : 'localhost';
}

/** The same origin on `localhost`: a browser refuses `localhost` as RP id for a page on 127.0.0.1. */
function localhostTwin(origin: string): string[] {
  const url = new URL(origin);
  if (url.hostname !== '127.0.0.1') return [];
  url.hostname = 'localhost';
  return [url.origin];
}

/**
 * The settings passkeys use. Without WEBAUTHN_ORIGINS: APP_URL's origin and, outside production,
 * the gateway's own public origin (and its `localhost` twin), where development frontends run.
 */
export function webauthnSettings(
  config: WebAuthnConfigInput,
  publicGatewayOrigin?: () => string,
): WebAuthnSettings {
  const listed = listedOrigins(config);
  const origins = (): string[] => {
    if (listed.length > 0) return listed;
    const app = new URL(config.APP_URL || DEFAULT_APP_URL).origin;
    if (config.NODE_ENV === 'production') return [app];
    const gateway = new URL(publicGatewayOrigin?.() ?? DEVELOPMENT_GATEWAY_ORIGIN).origin;
    return [...new Set([app, gateway, ...localhostTwin(gateway)])];
  };
  return { rpId: webauthnRpId(config), rpName: config.WEBAUTHN_RP_NAME, origins };
}

const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** Every WebAuthn configuration problem, for the config schema's superRefine. */
export function webauthnConfigProblems(
  config: WebAuthnConfigInput,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const rpId = webauthnRpId(config);
  // An RP id is a bare host name: a scheme, port or path would never match any authenticator.
  if (!/^[a-z0-9.-]+$/i.test(rpId) || rpId.startsWith('.') || rpId.endsWith('.'))
    problems.push({ path: 'WEBAUTHN_RP_ID', message: `"${rpId}" is not a host name` });
  for (const origin of listedOrigins(config)) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push({
        path: 'WEBAUTHN_ORIGINS',
        message: `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`,
      });
      continue;
    }
    const { hostname, protocol } = new URL(origin);
    // Browsers only run a ceremony for a page whose host is the RP id or under it.
    if (hostname !== rpId && !hostname.endsWith(`.${rpId}`))
      problems.push({
        path: 'WEBAUTHN_ORIGINS',
        message: `"${origin}" is not on the relying party "${rpId}" (WEBAUTHN_RP_ID) or a subdomain of it`,
      });
    if (config.NODE_ENV === 'production' && protocol !== 'https:' && !isLocalhost(hostname))
      problems.push({
        path: 'WEBAUTHN_ORIGINS',
        message: `"${origin}" must be https in production (only localhost may be http)`,
      });
  }
  if (
    config.NODE_ENV === 'production' &&
    listedOrigins(config).length === 0 &&
    config.APP_URL &&
    URL.canParse(config.APP_URL)
  ) {
    const { hostname, protocol } = new URL(config.APP_URL);
    if (protocol !== 'https:' && !isLocalhost(hostname))
      problems.push({
        path: 'WEBAUTHN_ORIGINS',
        message: `passkeys would accept APP_URL's origin ${new URL(config.APP_URL).origin}: production needs https (set APP_URL or WEBAUTHN_ORIGINS to https)`,
      });
  }
  return problems;
}
