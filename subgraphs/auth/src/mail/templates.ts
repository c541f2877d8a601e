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

  /** A factor was added: if it was not the user, someone holds their session and now their second factor. */
  mfaFactorAdded(to: string, kind: string, name: string): MailMessage {
    return {
      to,
      subject: 'A second factor was added to your account',
      text:
        `A ${factorWord(kind)} ("${name}") now protects sign-ins to your account. ` +
        'If this was not you, reset your password now and contact support.\n',
    };
  }

  mfaFactorRemoved(to: string, kind: string, name: string, mfaEnabled: boolean): MailMessage {
    return {
      to,
      subject: 'A second factor was removed from your account',
      text:
        `The ${factorWord(kind)} "${name}" no longer signs in to your account.` +
        (mfaEnabled ? '' : ' It was the last one: sign-ins need only one factor now.') +
        '\n\nIf this was not you, reset your password now and contact support.\n',
    };
  }

  recoveryCodeUsed(to: string, remaining: number): MailMessage {
    return {
      to,
      subject: 'A recovery code was used to sign in',
      text:
        `Someone signed in to your account with one of your recovery codes; ${remaining} unused ` +
        `code${remaining === 1 ? '' : 's'} remain. If you lost your device, add a new second factor ` +
        'now. If this was not you, reset your password and generate new recovery codes.\n',
    };
  }

  recoveryCodesRegenerated(to: string): MailMessage {
    return {
      to,
      subject: 'New recovery codes were generated',
      text: 'Your account has ten new recovery codes; the old ones no longer work. If this was not you, reset your password now.\n',
    };
  }

  mfaReset(to: string): MailMessage {
    return {
      to,
      subject: 'Your second factors were removed by support',
      text:
        'At your request, support removed every second factor and recovery code of your account ' +
        'and signed out every session. Sign in with your password and add a second factor again.\n\n' +
        'If you did not ask for this, contact support at once.\n',
    };
  }

  /**
   * Support started a read-only session as the user: they learn who, why and until when, and how
   * to end it themselves (the session is in their sessions list).
   */
  impersonationStarted(to: string, actor: string, reason: string, until: Date): MailMessage {
    return {
      to,
      subject: 'Support is viewing your account',
      text:
        `The support service "${actor}" opened a read-only session as you, until ${until.toISOString()} (UTC). ` +
        `The reason given:\n\n  ${reason}\n\n` +
        'It can see what you see but change nothing and spend no credits. It is listed among your ' +
        'sessions; revoke it there to end it at once.\n\n' +
        'If you did not expect this, revoke it and contact support.\n',
    };
  }
}

function factorWord(kind: string): string {
  return kind === 'PASSKEY' ? 'passkey' : 'authenticator app';
}
