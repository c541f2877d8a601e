import {
  AppError,
  askInternalGateway,
  type InternalGatewayTarget,
  type Logger,
  type Mailer,
  type MailMessage,
} from '@bastion/platform';
import type { DisabledEndpoint } from './dispatcher';

const ADMINS_QUERY = `query WebhooksAdmins($org: ID!) { organizationAdminIds(organizationId: $org) }`;
const EMAILS_QUERY = `query WebhooksAdminEmails($ids: [ID!]!) { users(ids: $ids) { id email } }`;

/** The mail an ADMIN gets when the platform disabled an endpoint that kept failing. */
export function endpointDisabledMail(to: string, endpoint: DisabledEndpoint): MailMessage {
  return {
    to,
    subject: 'A webhook endpoint was disabled',
    text:
      `Deliveries to your organization's webhook endpoint ${endpoint.url} have failed for 5 days, ` +
      `so it was disabled on ${endpoint.at.toISOString()}. Its pending deliveries are kept.\n\n` +
      `Fix the receiver, then enable the endpoint again (updateWebhookEndpoint with enabled: true); ` +
      `replayWebhookDeliveries sends what it missed.\n`,
  };
}

/**
 * Mails an organization's ADMINs about an endpoint disabled for failing: their user ids from orgs
 * (organizationAdminIds), their addresses from auth (users), both through the gateway's internal
 * listener with the webhooks service token (orgs:read, users:read). Runs after the commit, in the
 * mailer's background work: a failure is logged, never undoes the disabling.
 */
export class AdminNotifier {
  constructor(
    private readonly target: Omit<InternalGatewayTarget, 'notConfigured' | 'unreachable'>,
    private readonly mailer: Mailer,
    private readonly logger: Logger,
  ) {}

  endpointDisabled(endpoint: DisabledEndpoint): void {
    if (endpoint.reason !== 'FAILING') return;
    this.mailer.later('webhook endpoint disabled notice', async () => {
      const emails = await this.adminEmails(endpoint.organizationId);
      if (emails.length === 0) {
        this.logger.warn(
          { endpointId: endpoint.id },
          'disabled webhook endpoint: no ADMIN to tell',
        );
      }
      for (const email of emails) this.mailer.send(endpointDisabledMail(email, endpoint));
    });
  }

  private async adminEmails(organizationId: string): Promise<string[]> {
    const admins = await this.ask<{ organizationAdminIds: string[] }>(ADMINS_QUERY, {
      org: organizationId,
    });
    const ids = admins.organizationAdminIds;
    if (ids.length === 0) return [];
    const users = await this.ask<{ users: ({ id: string; email: string } | null)[] }>(
      EMAILS_QUERY,
      { ids },
    );
    return users.users.filter((user) => user !== null).map((user) => user.email);
  }

  private async ask<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const answer = await askInternalGateway<T>(
      {
        ...this.target,
        notConfigured: 'Admin lookups are not configured (WEBHOOKS_SERVICE_TOKEN).',
        unreachable: 'The gateway did not answer an admin lookup.',
      },
      query,
      variables,
    );
    if (answer.errors?.length || !answer.data)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: `An admin lookup was refused: ${JSON.stringify(answer.errors ?? [])}`,
      });
    return answer.data;
  }
}
