/** The SMTP mailer now lives in the platform (orgs mails invitations with it too). */
export { Mailer, type MailMessage, type MailerSettings } from '@bastion/platform';
