import { resolve } from 'node:path';
import {
  InboxRow,
  Mailer,
  developmentInbox,
  developmentSecret,
  appBaseUrl,
  OutboxRow,
  startSubgraphService,
  type EventHandler,
  type PlatformDeps,
  type SubgraphService,
} from '@bastion/platform';
import type { AuditedEvent } from './audit/audit-chain';
import { AuditLogService } from './audit/audit-log.service';
import { OrgsDataExport } from './users/data-export';
import type { OrgsConfig } from './config';
import type { OrgsContext, OrgsServices } from './context';
import { scopeOf } from './db/caller-scope';
import { InvitationEntity } from './invitations/invitation.entity';
import { InvitationService } from './invitations/invitation.service';
import { createLoaders } from './members/loaders';
import { MembershipService } from './members/membership.service';
import { SsoProvisioning } from './members/sso-provisioning';
import { UserDeletedConsumer } from './members/user-deleted.consumer';
import { MembershipEntity, OrganizationEntity } from './organizations/organization.entity';
import { OrganizationService } from './organizations/organization.service';
import { resolvers } from './resolvers';
import { UserClient } from './users/user-client';
import { migrations } from './migrations';

export interface OrgsServiceParts extends OrgsServices {
  /** The consumers' handlers, for tests that redeliver an event. */
  handleUserDeleted: EventHandler<'USER_DELETED'>;
  handleAuditEvent: EventHandler<AuditedEvent>;
  mailer: Mailer;
}

export type OrgsService = SubgraphService<OrgsContext, OrgsServiceParts>;

export interface OrgsServiceOptions {
  port?: number;
  /** Where auth is reached (the gateway's internal listener); the all-in-one process knows it only once the gateway runs. */
  internalGatewayUrl?: () => string;
  /** The gateway's public origin: invitation links point there when APP_URL is unset outside production. */
  publicGatewayOrigin?: () => string;
  /** Orgs' own service token (users:read), minted by the all-in-one process when ORGS_SERVICE_TOKEN is unset. */
  serviceToken?: string;
}

export function startOrgsService(
  config: OrgsConfig,
  deps: PlatformDeps,
  options: OrgsServiceOptions = {},
): Promise<OrgsService> {
  return startSubgraphService({
    name: 'orgs',
    deps,
    host: config.HOST,
    port: options.port ?? config.ORGS_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [OrganizationEntity, MembershipEntity, InvitationEntity, OutboxRow, InboxRow],
    migrations,
    resolvers,
    setup: async ({ dataSource, relay, logger }) => {
      const mailer = new Mailer(
        {
          smtpUrl: config.SMTP_URL,
          from: config.MAIL_FROM,
          logLinks: config.NODE_ENV !== 'production',
          inbox: developmentInbox(config),
          service: 'orgs',
        },
        logger,
      );
      const users = new UserClient(
        options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
        () => options.serviceToken ?? config.ORGS_SERVICE_TOKEN,
      );
      const organizations = new OrganizationService(dataSource, config.ORGS_CREATED_PER_DAY);
      const memberships = new MembershipService(dataSource, organizations);
      const invitations = new InvitationService(
        dataSource,
        organizations,
        users,
        mailer,
        appBaseUrl(config, options.publicGatewayOrigin),
      );
      const audit = new AuditLogService(dataSource, logger, auditChainKey(config));
      await audit.anchorLegacy();
      const userDeleted = new UserDeletedConsumer(dataSource);
      const subscriptions = [
        await userDeleted.subscribe(deps.bus, () => relay.kick()),
        await audit.subscribe(deps.bus),
      ];
      const sso = new SsoProvisioning(dataSource);
      const dataExport = new OrgsDataExport(dataSource);
      const services = { organizations, memberships, invitations, audit, sso, dataExport };
      return {
        services: {
          ...services,
          mailer,
          handleUserDeleted: async (event) => {
            if (await userDeleted.handle(event)) relay.kick();
          },
          handleAuditEvent: async (event) => {
            await audit.handle(event);
          },
        },
        subscriptions,
        onStop: () => mailer.close(),
        extendContext: (base) => ({
          ...base,
          ...services,
          loaders: createLoaders(dataSource, scopeOf(base.viewer), users),
          kickRelay: () => relay.kick(),
        }),
      };
    },
  });
}

/** AUDIT_CHAIN_KEY, or outside production the development key kept under DATA_DIR. */
function auditChainKey(config: OrgsConfig): Buffer {
  if (config.AUDIT_CHAIN_KEY) return Buffer.from(config.AUDIT_CHAIN_KEY);
  if (config.NODE_ENV === 'production')
    throw new Error('AUDIT_CHAIN_KEY is required in production');
  return Buffer.from(developmentSecret(config.DATA_DIR, 'AUDIT_CHAIN_KEY'));
}
