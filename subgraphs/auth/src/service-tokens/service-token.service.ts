import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  AppError,
  SCOPES,
  SUBGRAPH_NAMES,
  badInput,
  enqueueEvent,
  generateServiceToken,
  schemaOf,
  serviceTokenEntry,
  type ClientInfo,
  type IssuedTokenStore,
  type Logger,
  type OutboxRelay,
  type RevocationList,
  type ServiceViewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { ServiceTokenEntity } from './service-token.entity';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Scopes no token can grant: only configuration (SERVICE_TOKENS) makes a token administrator. */
const NOT_GRANTABLE: readonly string[] = ['tokens:admin'];

/**
 * Names an issued token may not take: every subgraph of the registry, the gateway's own identity,
 * the development token's and every configured service (SERVICE_TOKENS), so that no logs, audit
 * entries or limits confuse an issued token with the platform's own services.
 */
export function reservedServiceNames(configured: readonly { name: string }[] = []): Set<string> {
  return new Set([...SUBGRAPH_NAMES, 'gateway', 'development', ...configured.map((e) => e.name)]);
}

/**
 * Issues and revokes service tokens: returned once, stored as SHA-256 only. Gateways learn of
 * both from the outbox's events and, at once, from the fast paths written after commit.
 */
export class ServiceTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly issued: IssuedTokenStore,
    private readonly revocations: RevocationList,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
    private readonly reservedNames: ReadonlySet<string> = reservedServiceNames(),
  ) {}

  async issue(
    issuer: ServiceViewer,
    name: string,
    scopes: readonly string[],
    client: ClientInfo,
  ): Promise<string> {
    const problems: Record<string, string> = {};
    if (!NAME.test(name))
      problems.name = 'Use 1 to 64 lower-case letters, digits, dots, dashes or underscores.';
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0)
      problems.scopes = `Choose from ${SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`;
    if (Object.keys(problems).length > 0) throw badInput(problems);
    if (this.reservedNames.has(name)) {
      const message = `"${name}" is reserved: a service of the platform or a configured token has it.`;
      throw new AppError('CONFLICT', {
        message,
        extensions: { reason: 'RESERVED_NAME', fieldErrors: { name: message } },
      });
    }
    // A token grants at most what its issuer holds, and never tokens:admin.
    const notGrantable = [...new Set(scopes.filter((s) => NOT_GRANTABLE.includes(s)))];
    if (notGrantable.length > 0) {
      const message = `${notGrantable.join(', ')} cannot be granted through the API; only SERVICE_TOKENS configures it.`;
      throw new AppError('FORBIDDEN', {
        message,
        extensions: { reason: 'SCOPE_NOT_GRANTABLE', fieldErrors: { scopes: message } },
      });
    }
    const notHeld = [...new Set(scopes.filter((s) => !issuer.scopes.includes(s)))];
    if (notHeld.length > 0) {
      const message = `A token grants only scopes its issuer holds; the issuer lacks ${notHeld.join(', ')}.`;
      throw new AppError('FORBIDDEN', {
        message,
        extensions: { reason: 'SCOPE_NOT_HELD', fieldErrors: { scopes: message } },
      });
    }
    const token = generateServiceToken();
    const entry = serviceTokenEntry(name, [...new Set(scopes)], token);
    await this.dataSource.transaction(async (manager) => {
      const id = randomUUID();
      await manager.insert(ServiceTokenEntity, {
        id,
        name,
        scopes: entry.scopes,
        sha256: entry.sha256,
        issuedBy: issuer.name,
        createdAt: new Date(),
        revokedAt: null,
      });
      await enqueueEvent(manager, 'SERVICE_TOKEN_ISSUED', {
        name,
        scopes: entry.scopes,
        sha256: entry.sha256,
      });
      await recordAudit(manager, {
        actorId: null,
        action: 'service_token.issued',
        targetType: 'service_token',
        targetId: id,
        client,
        metadata: { name, scopes: entry.scopes, issuedBy: issuer.name },
      });
    });
    await this.issued.add(entry);
    this.relay.kick();
    return token;
  }

  /** Revokes every live token of this name; false when there is none. */
  async revoke(revoker: ServiceViewer, name: string, client: ClientInfo): Promise<boolean> {
    const sha256s = await this.dataSource.transaction(async (manager) => {
      const [rows]: [{ id: string; sha256: string }[], number] = await manager.query(
        `UPDATE ${schemaOf(this.dataSource)}.service_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id, sha256`,
        [name],
      );
      if (rows.length === 0) return [];
      const hashes = rows.map((row) => row.sha256);
      await enqueueEvent(manager, 'SERVICE_TOKEN_REVOKED', { name, sha256s: hashes });
      await recordAudit(manager, {
        actorId: null,
        action: 'service_token.revoked',
        targetType: 'service_token',
        targetId: rows[0].id,
        client,
        metadata: { name, tokenIds: rows.map((row) => row.id), revokedBy: revoker.name },
      });
      return hashes;
    });
    if (sha256s.length === 0) return false;
    this.relay.kick();
    // Committed and on the bus already: a failed fast path only delays other processes' gateways.
    await Promise.all([
      this.issued.remove(sha256s),
      this.revocations.revokeServiceTokens(sha256s),
    ]).catch((error: unknown) => {
      this.logger.warn(
        { err: error },
        'service token revocation fast path failed; gateways learn it from the bus',
      );
    });
    return true;
  }
}
