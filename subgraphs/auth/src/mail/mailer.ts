/** The SMTP mailer now lives in the platform (orgs mails invitations with it too). */
export { Mailer, maskAddress, type MailMessage, type MailerSettings } from '@bastion/platform';
