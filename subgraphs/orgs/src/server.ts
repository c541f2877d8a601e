import { resolve } from 'node:path';
import { InboxRow, OutboxRow, startSubgraphService, type PlatformDeps, type SubgraphService } from '@bastion/platform';
import type { OrgsConfig } from './config';
import type { OrgsContext } from './context';
import { MembershipEntity, OrganizationEntity } from './organizations/organization.entity';
import { OrganizationService } from './organizations/organization.service';
import { resolvers } from './resolvers';
import { Initial1763800000000 } from './migrations/1763800000000-initial';

export type OrgsService = SubgraphService<OrgsContext, { organizations: OrganizationService }>;

export function startOrgsService(config: OrgsConfig, deps: PlatformDeps, options: { port?: number } = {}): Promise<OrgsService> {
  return startSubgraphService({
    name: 'orgs',
    deps,
    host: config.HOST,
    port: options.port ?? config.ORGS_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [OrganizationEntity, MembershipEntity, OutboxRow, InboxRow],
    migrations: [Initial1763800000000],
    resolvers,
    setup: async ({ dataSource }) => {
      const organizations = new OrganizationService(dataSource);
      return { services: { organizations }, extendContext: (base) => ({ ...base, organizations }) };
    },
  });
}
