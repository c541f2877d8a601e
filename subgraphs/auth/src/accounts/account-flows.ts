import type { DataSource } from 'typeorm';
import { developmentInbox, appBaseUrl, type Logger, type OutboxRelay } from '@bastion/platform';
import type { ApiKeyService } from '../api-keys/api-key.service';
import type { AuthConfig } from '../config';
import { EmailVerificationService } from '../email/email-verification.service';
import { PasswordResetService } from '../email/password-reset.service';
import type { AuthLimits } from '../limits/auth-limits';
import { Mailer } from '../mail/mailer';
import { MailTemplates } from '../mail/templates';
import type { PasswordHasher } from '../passwords/password-hasher';
import { ProfileService } from '../profile/profile.service';
import type { SessionService } from '../sessions/session.service';
import { AccountDeletionService } from './account-deletion.service';
import { Reauthentication } from './reauthentication';

/** The account's mail-driven flows and self-service changes, as server.ts exposes them. */
export interface AccountFlows {
  mailer: Mailer;
  emailVerification: EmailVerificationService;
  passwordReset: PasswordResetService;
  profile: ProfileService;
  accountDeletion: AccountDeletionService;
}

export interface AccountFlowDeps {
  config: AuthConfig;
  /** Where mail links point when APP_URL is unset outside production (the gateway's pages). */
  publicGatewayOrigin?: () => string;
  dataSource: DataSource;
  relay: OutboxRelay;
  logger: Logger;
  hasher: PasswordHasher;
  sessions: SessionService;
  limits: AuthLimits;
  /** Revokes the keys of a deleted account in its deletion's transaction. */
  apiKeys: ApiKeyService;
}

export function createAccountFlows({
  config,
  publicGatewayOrigin,
  dataSource,
  relay,
  logger,
  hasher,
  sessions,
  limits,
  apiKeys,
}: AccountFlowDeps): AccountFlows {
  const isProduction = config.NODE_ENV === 'production';
  if (!config.SMTP_URL && isProduction)
    logger.warn('SMTP_URL is unset: mail is only logged, and without its links');
  const mailer = new Mailer(
    {
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      logLinks: !isProduction,
      inbox: developmentInbox(config),
      service: 'auth',
    },
    logger,
  );
  const templates = new MailTemplates(appBaseUrl(config, publicGatewayOrigin));
  const reauth = new Reauthentication(dataSource, hasher, limits);
  return {
    mailer,
    emailVerification: new EmailVerificationService(
      dataSource,
      sessions,
      relay,
      mailer,
      templates,
      limits,
    ),
    passwordReset: new PasswordResetService(
      dataSource,
      hasher,
      sessions,
      mailer,
      templates,
      limits,
    ),
    profile: new ProfileService({
      dataSource,
      reauth,
      hasher,
      sessions,
      relay,
      mailer,
      templates,
      limits,
    }),
    accountDeletion: new AccountDeletionService(dataSource, reauth, sessions, apiKeys),
  };
}
