import type { DataSource } from 'typeorm';
import type { OutboxRelay, Role } from '@bastion/platform';
import type { AuthConfig } from '../config';
import type { MfaKeys } from '../mfa/mfa-keys';
import type { SignIn } from '../mfa/sign-in';
import type { SessionService } from '../sessions/session.service';
import { SsoConnectionService } from './connections';
import { dnsTxtLookup, type TxtLookup } from './domain-verification';
import { SsoDomainService } from './domains';
import { SsoEnforcement } from './enforcement';
import { SsoOrgsClient } from './orgs-client';
import { SsoRouting } from './routing';
import { ssoSecretSealer } from './secret-sealer';
import { SsoSignIn } from './sign-in';

/** Enterprise single sign-on's services, in ctx.sso (docs/security.md "Enterprise SSO"). */
export interface SsoServices {
  domains: SsoDomainService;
  connections: SsoConnectionService;
  /** completeSso (for the protocol adapters) and ssoLogin. */
  signIn: SsoSignIn;
  enforcement: SsoEnforcement;
  /** ssoAuthorizationUrl's first step: the connection for an email or an organization slug. */
  routing: SsoRouting;
  orgs: SsoOrgsClient;
}

export interface SsoWiring {
  config: Pick<AuthConfig, 'NODE_ENV' | 'SSO_DNS_SERVERS'>;
  dataSource: DataSource;
  relay: OutboxRelay;
  sessions: SessionService;
  signIn: SignIn;
  keys: MfaKeys;
  roleOf: (organizationId: string, userId: string) => Promise<Role | null>;
  internalGatewayUrl: () => string;
  serviceToken: () => string | undefined;
  /** Tests may swap the DNS; otherwise node:dns with SSO_DNS_SERVERS. */
  lookup?: TxtLookup;
}

export function createSsoServices(wiring: SsoWiring): SsoServices {
  const { config, dataSource, relay } = wiring;
  const kick = () => relay.kick();
  const orgs = new SsoOrgsClient(wiring.internalGatewayUrl, wiring.serviceToken);
  return {
    domains: new SsoDomainService(
      dataSource,
      wiring.roleOf,
      wiring.lookup ?? dnsTxtLookup(config.SSO_DNS_SERVERS),
      kick,
    ),
    connections: new SsoConnectionService(
      dataSource,
      wiring.roleOf,
      ssoSecretSealer(wiring.keys),
      { allowHttp: config.NODE_ENV !== 'production' },
      kick,
    ),
    signIn: new SsoSignIn(dataSource, wiring.sessions, wiring.signIn, orgs, relay),
    enforcement: new SsoEnforcement(dataSource, orgs),
    routing: new SsoRouting(dataSource, orgs),
    orgs,
  };
}
