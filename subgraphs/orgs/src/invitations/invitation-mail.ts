import type { MailMessage, Role } from '@bastion/platform';

/** The invitation mail; the link follows the contract: `${APP_URL}/accept-invitation?token=…`. */
export function invitationMail(
  appUrl: string,
  to: string,
  organizationName: string,
  role: Role,
  token: string,
): MailMessage {
  const link = `${appUrl.replace(/\/+$/, '')}/accept-invitation?token=${token}`;
  return {
    to,
    link,
    subject: `You are invited to ${organizationName}`,
    text:
      `You are invited to join ${organizationName} as ${role}. Sign in with ${to} and open this link within 7 days:\n\n` +
      `${link}\n\nIf you did not expect this, ignore this mail.\n`,
  };
}
