import type { EventHandler } from '@bastion/platform';
import type { ApiKeyService } from './api-keys/api-key.service';
import type { AccountService } from './accounts/account.service';
import type { AccountFlows } from './accounts/account-flows';
import type { DataExports } from './exports/data-exports.service';
import type { ImpersonationService } from './impersonation/impersonation.service';
import type { AuthLimits } from './limits/auth-limits';
import type { MfaFactors } from './mfa/mfa-factors';
import type { MfaLifecycle } from './mfa/mfa-lifecycle';
import type { MfaSettings } from './mfa/mfa-settings';
import type { SignIn } from './mfa/sign-in';
import type { TotpFactors } from './mfa/totp-factors';
import type { PasskeyService } from './mfa/passkeys';
import type { OAuthService } from './oauth/oauth.service';
import type { OrganizationSwitch } from './organizations/organization-switch';
import type { PasswordHasher } from './passwords/password-hasher';
import type { RevocationStateService } from './revocations/revocation-state.service';
import type { ServiceTokenService } from './service-tokens/service-token.service';
import type { SessionService } from './sessions/session.service';
import type { SsoServices } from './sso/sso-services';
import type { UserService } from './users/user.service';
import type { SsoAuthorization } from './sso/authorization';
import type { SsoProtocols } from './sso/protocols';

/** What `startAuthService` builds once and every resolver receives in its context. */
export interface AuthServices extends AccountFlows {
  accounts: AccountService;
  sessions: SessionService;
  users: UserService;
  limits: AuthLimits;
  hasher: PasswordHasher;
  oauth: OAuthService;
  organizations: OrganizationSwitch;
  serviceTokens: ServiceTokenService;
  /** Personal API keys: create, list, revoke, last use. */
  apiKeys: ApiKeyService;
  revocationState: RevocationStateService;
  mfa: MfaFactors;
  /** FactorLifecycle (mfa/ports.ts): what every kind of factor does when confirmed or removed. */
  mfaLifecycle: MfaLifecycle;
  totp: TotpFactors;
  /** The sign-in state machine: MFA_REQUIRED after a first factor, verifyMfa, stepUp. */
  signIn: SignIn;
  mfaSettings: MfaSettings;
  /** WebAuthn: registration, passwordless sign-in, and the PasskeyVerifier the sign-in state machine and step-up use. */
  passkeys: PasskeyService;
  /** Enterprise single sign-on: domains, connections, sign-in and its enforcement. */
  sso: SsoServices;
  /** Enterprise SSO's protocols: IdP URLs for ssoAuthorizationUrl, validated identities for the routes. */
  ssoProtocols: SsoProtocols;
  /** ssoAuthorizationUrl: connection by verified domain or slug, allow-listed redirect, then the IdP URL. */
  ssoAuthorization: SsoAuthorization;
  /** Support impersonation: read-only sessions as a user, at most 15 minutes. */
  impersonation: ImpersonationService;
  /** ORGANIZATION_DELETED's and ORGANIZATION_MEMBERSHIP_CHANGED's effect, exposed so tests can redeliver an event. */
  handleOrganizationEvent: EventHandler<'ORGANIZATION_DELETED' | 'ORGANIZATION_MEMBERSHIP_CHANGED'>;
  /** Users' data exports: requestDataExport, User.dataExports and the download links. */
  dataExports: DataExports;
}
