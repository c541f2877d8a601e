import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  SCOPES, badInput, enqueueEvent, generateServiceToken, serviceTokenEntry, type ClientInfo, type IssuedTokenStore, type OutboxRelay, type ServiceViewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { ServiceTokenEntity } from './service-token.entity';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Issues service tokens: returned once, stored as SHA-256 only, accepted by gateways at once. */
export class ServiceTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly issued: IssuedTokenStore,
    private readonly relay: OutboxRelay,
  ) {}

  async issue(issuer: ServiceViewer, name: string, scopes: string[], client: ClientInfo): Promise<string> {
    const problems: Record<string, string> = {};
    if (!NAME.test(name)) problems.name = 'Use 1 to 64 lower-case letters, digits, dots, dashes or underscores.';
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) problems.scopes = `Choose from ${SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`;
    if (Object.keys(problems).length > 0) throw badInput(problems);
    const token = generateServiceToken();
    const entry = serviceTokenEntry(name, [...new Set(scopes)], token);
    await this.dataSource.transaction(async (manager) => {
      const id = randomUUID();
      await manager.insert(ServiceTokenEntity, { id, name, scopes: entry.scopes, sha256: entry.sha256, issuedBy: issuer.name, createdAt: new Date() });
      await enqueueEvent(manager, 'SERVICE_TOKEN_ISSUED', { name, scopes: entry.scopes, sha256: entry.sha256 });
      await recordAudit(manager, {
        actorId: null, action: 'service_token.issued', targetType: 'service_token', targetId: id, client, metadata: { name, scopes: entry.scopes, issuedBy: issuer.name },
      });
    });
    await this.issued.add(entry);
    this.relay.kick();
    return token;
  }
}
