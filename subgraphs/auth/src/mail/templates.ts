import type { MailMessage } from './mailer';

/** The platform's mails, plain text. Links follow the contract: `${APP_URL}/<page>?token=…`. */
export class MailTemplates {
  private readonly base: () => string;

  /** `appUrl` may be read at each mail: the gateway's port is known only once it started. */
  constructor(appUrl: string | (() => string)) {
    this.base = typeof appUrl === 'string' ? () => appUrl : appUrl;
  }

  private get appUrl(): string {
    return this.base().replace(/\/+$/, '');
  }

  verifyEmail(to: string, token: string): MailMessage {
    const link = `${this.appUrl}/verify-email?token=${token}`;
    return {
      to,
      link,
      subject: 'Verify your email address',
      text: `Confirm that ${to} is your address by opening this link within 24 hours:\n\n${link}\n\nIf you did not sign up, ignore this mail.\n`,
    };
  }

  /** To the new address of a pending change: opening the link completes the change. */
  confirmNewEmail(to: string, token: string): MailMessage {
    const link = `${this.appUrl}/verify-email?token=${token}`;
    return {
      to,
      link,
      subject: 'Confirm your new email address',
      text: `Open this link within 24 hours to make ${to} the address of your account:\n\n${link}\n\nIf you did not ask for this, ignore this mail.\n`,
    };
  }

  /** To the old address, so a hijacked session cannot move the account away unnoticed. */
  emailChangeRequested(to: string, newEmail: string): MailMessage {
    return {
      to,
      subject: 'Your email address is about to change',
      text:
        `Someone signed in to your account asked to change its address from ${to} to ${newEmail}. ` +
        'The change happens once the new address is confirmed.\n\n' +
        'If this was not you, reset your password now; that signs out every session.\n',
    };
  }

  resetPassword(to: string, token: string): MailMessage {
    const link = `${this.appUrl}/reset-password?token=${token}`;
    return {
      to,
      link,
      subject: 'Reset your password',
      text: `Open this link within 1 hour to choose a new password:\n\n${link}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n`,
    };
  }
}
