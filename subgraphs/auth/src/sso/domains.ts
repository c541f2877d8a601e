import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  conflict,
  enqueueEvent,
  isUniqueViolation,
  requireOrganizationAdmin,
  UUID,
  type ClientInfo,
  type RoleOf,
} from '@bastion/platform';
import { hasVerificationRecord, txtRecordName, type TxtLookup } from './domain-verification';
import { recordSsoAudit } from './sso-audit';
import { SsoDomainEntity } from './sso.entities';

/** What single sign-on's refusals name (its settings are for an organization's ADMINs). */
export const SSO_ADMIN = { action: 'manage single sign-on', permission: 'sso:manage' };

/** Who changes a domain: an organization's ADMIN, or an operator's service (markSsoDomainVerified). */
export interface Actor {
  id: string;
  client: ClientInfo | null;
}

// One DNS label: letters, digits and inner hyphens (IDNs in their xn-- form), 1 to 63 of them.
const LABEL = /^[a-z0-9-]{1,63}$/;

function isDomainName(domain: string): boolean {
  const labels = domain.split('.');
  return (
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-')) &&
    /^[a-z]/.test(labels[labels.length - 1])
  );
}

/** A domain as stored: lower-case, no trailing dot; BAD_USER_INPUT for anything else. */
export function normalizeDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, '');
  if (!isDomainName(domain)) throw badInput({ domain: 'Give a domain name such as example.com.' });
  return domain;
}

/**
 * Domains an organization proves it owns with a DNS TXT record. Only verified domains route
 * sign-ins and link existing accounts, and a domain is verified for one organization at most
 * (a unique index on verified rows holds it under concurrency).
 */
export class SsoDomainService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roleOf: RoleOf,
    private readonly lookup: TxtLookup,
    private readonly kick: () => void,
  ) {}

  async list(userId: string, organizationId: string): Promise<SsoDomainEntity[]> {
    await requireOrganizationAdmin(this.roleOf, organizationId, userId, SSO_ADMIN);
    return this.dataSource
      .getRepository(SsoDomainEntity)
      .find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async add(actor: Actor, organizationId: string, domainInput: string): Promise<SsoDomainEntity> {
    await requireOrganizationAdmin(this.roleOf, organizationId, actor.id, SSO_ADMIN);
    const domain = normalizeDomain(domainInput);
    const row: SsoDomainEntity = {
      id: randomUUID(),
      organizationId,
      domain,
      txtToken: randomBytes(24).toString('base64url'),
      createdAt: new Date(),
      verifiedAt: null,
    };
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(SsoDomainEntity, row);
        await recordSsoAudit(manager, organizationId, actor, 'sso.domain_added', row.id, {
          domain,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`The organization has ${domain} already.`);
      throw error;
    }
    this.kick();
    return row;
  }

  /** Checks the TXT record; verified, or DNS_RECORD_NOT_FOUND, or CONFLICT (another organization's). */
  async verify(actor: Actor, id: string): Promise<SsoDomainEntity> {
    const row = await this.managed(actor.id, id);
    if (row.verifiedAt) return row;
    let found: boolean;
    try {
      found = await hasVerificationRecord(this.lookup, row.domain, row.txtToken);
    } catch (error) {
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'DNS did not answer; try again later.',
        cause: error,
      });
    }
    if (!found)
      throw new AppError('BAD_USER_INPUT', {
        message: `No TXT record with this domain's value at ${txtRecordName(row.domain)} (DNS changes can take a while to appear).`,
        extensions: { reason: 'DNS_RECORD_NOT_FOUND' },
      });
    return this.markVerified(row, actor, 'dns');
  }

  /** An operator's verification without DNS (scope sso:admin; the tier checks it). */
  async markVerifiedByOperator(actor: Actor, id: string): Promise<SsoDomainEntity> {
    const row = UUID.test(id)
      ? await this.dataSource.getRepository(SsoDomainEntity).findOneBy({ id })
      : null;
    if (!row) throw new AppError('NOT_FOUND', { message: 'Domain not found.' });
    if (row.verifiedAt) return row;
    return this.markVerified(row, actor, 'operator');
  }

  async remove(actor: Actor, id: string): Promise<boolean> {
    const row = await this.managed(actor.id, id);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(SsoDomainEntity, { id: row.id });
      await recordSsoAudit(manager, row.organizationId, actor, 'sso.domain_removed', row.id, {
        domain: row.domain,
        wasVerified: row.verifiedAt !== null,
      });
    });
    this.kick();
    return true;
  }

  /** The organization that verified the domain, if any. */
  static async verifiedOwner(
    manager: EntityManager,
    domain: string,
  ): Promise<SsoDomainEntity | null> {
    return manager
      .createQueryBuilder(SsoDomainEntity, 'd')
      .where('d.domain = :domain AND d.verified_at IS NOT NULL', { domain })
      .getOne();
  }

  private async markVerified(
    row: SsoDomainEntity,
    actor: Actor,
    method: 'dns' | 'operator',
  ): Promise<SsoDomainEntity> {
    const taken = (await SsoDomainService.verifiedOwner(this.dataSource.manager, row.domain))
      ?.organizationId;
    if (taken && taken !== row.organizationId) throw takenError(row.domain);
    const now = new Date();
    try {
      await this.dataSource.transaction(async (manager) => {
        const updated = await manager
          .createQueryBuilder()
          .update(SsoDomainEntity)
          .set({ verifiedAt: now })
          .where('id = :id AND verified_at IS NULL', { id: row.id })
          .execute();
        if (!updated.affected) return;
        await enqueueEvent(manager, 'SSO_DOMAIN_VERIFIED', {
          organizationId: row.organizationId,
          domainId: row.id,
          domain: row.domain,
          method,
          actorId: actor.id,
          ip: actor.client?.ip ?? null,
          userAgent: actor.client?.userAgent ?? null,
          at: now.toISOString(),
        });
      });
    } catch (error) {
      // Another organization verified it between the check and the update.
      if (isUniqueViolation(error)) throw takenError(row.domain);
      throw error;
    }
    this.kick();
    return this.dataSource.getRepository(SsoDomainEntity).findOneByOrFail({ id: row.id });
  }

  /** The domain row, when the caller is an ADMIN of its organization (NOT_FOUND otherwise). */
  private async managed(userId: string, id: string): Promise<SsoDomainEntity> {
    const row = UUID.test(id)
      ? await this.dataSource.getRepository(SsoDomainEntity).findOneBy({ id })
      : null;
    if (!row) throw new AppError('NOT_FOUND', { message: 'Domain not found.' });
    await requireOrganizationAdmin(this.roleOf, row.organizationId, userId, SSO_ADMIN);
    return row;
  }
}

function takenError(domain: string): AppError {
  return new AppError('CONFLICT', {
    message: `${domain} is verified for another organization.`,
    extensions: { reason: 'DOMAIN_TAKEN' },
  });
}
