import type { Transporter } from 'nodemailer';
import type { Logger } from '../logging/logger';
import type { DevelopmentInbox } from './development-inbox';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The message's action link, written to the log instead when no SMTP server is configured. */
  link?: string;
}

export interface MailerSettings {
  /** Absent: messages are logged, not sent. */
  smtpUrl?: string;
  from: string;
  /** Whether logged messages may show their link; never in production, where a link is a credential. */
  logLinks: boolean;
  /** Without SMTP outside production: where messages are kept, whole, for the gateway's /dev/inbox. */
  inbox?: DevelopmentInbox;
  /** The sending service, shown in the inbox. */
  service?: string;
}

/** `a***@example.com`: enough to tell messages apart in a log, not an address to harvest from it. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at > 0 ? `${address[0]}***${address.slice(at)}` : '***';
}

/**
 * Sends mail after the response, never inside a database transaction. Callers do not wait for
 * delivery: a slow or failing SMTP server neither delays nor fails a committed change, and the
 * time a request takes does not tell whether a mail was sent (password reset).
 */
export class Mailer {
  /** Made at the first message: nodemailer is loaded only by a process that sends mail. */
  private transport: Promise<Transporter> | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly settings: MailerSettings,
    private readonly logger: Logger,
  ) {}

  private smtp(url: string): Promise<Transporter> {
    this.transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    );
    return this.transport;
  }

  /** Queues a message; a failure is logged (the user can ask again), never thrown. */
  send(message: MailMessage): void {
    this.later(`mail "${message.subject}"`, () => this.deliver(message));
  }

  /** Runs work after the response, tracked so that stopping the service waits for it. */
  later(what: string, work: () => Promise<void>): void {
    const running: Promise<void> = work()
      .catch((error: unknown) => this.logger.error({ err: error }, `${what} failed`))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Waits for queued work, including work queued meanwhile. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    (await this.transport?.catch(() => undefined))?.close();
  }

  private async deliver(message: MailMessage): Promise<void> {
    const { smtpUrl } = this.settings;
    if (!smtpUrl) {
      const link = this.settings.logLinks ? message.link : undefined;
      const { inbox } = this.settings;
      this.logger.info(
        { to: maskAddress(message.to), subject: message.subject, link },
        inbox
          ? 'mail not sent (SMTP_URL unset): kept in the development inbox, /dev/inbox on the gateway'
          : 'mail not sent (SMTP_URL unset)',
      );
      await inbox?.keep({
        service: this.settings.service ?? 'bastion',
        from: this.settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        link: message.link,
      });
      return;
    }
    const transport = await this.smtp(smtpUrl);
    await transport.sendMail({
      from: this.settings.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }
}
