import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  enqueueEvent,
  requireOrganizationAdmin,
  UUID,
  type Role,
  type RoleOf,
} from '@bastion/platform';
import { SSO_ADMIN, type Actor } from './domains';
import { parseIdpMetadata, toPem } from './saml-metadata';
import type { SecretSealer } from './secret-sealer';
import { SsoConnectionEntity, type SsoGroupRole } from './sso.entities';

/**
 * What createSsoConnection and updateSsoConnection take (the SDL's inputs, written out here so the
 * service does not import the generated resolver types, which import the context).
 */
export interface SsoConnectionFields {
  readonly kind?: 'SAML' | 'OIDC' | null;
  readonly name?: string | null;
  readonly enabled?: boolean | null;
  readonly enforced?: boolean | null;
  readonly jitProvisioning?: boolean | null;
  readonly idpInitiated?: boolean | null;
  readonly defaultRole?: Role | null;
  readonly groupRoles?: ReadonlyArray<{ readonly group: string; readonly role: Role }> | null;
  readonly emailAttribute?: string | null;
  readonly nameAttribute?: string | null;
  readonly groupsAttribute?: string | null;
  readonly samlMetadataXml?: string | null;
  readonly samlIdpEntityId?: string | null;
  readonly samlSsoUrl?: string | null;
  readonly samlCertificates?: ReadonlyArray<string> | null;
  readonly oidcIssuer?: string | null;
  readonly oidcClientId?: string | null;
  readonly oidcClientSecret?: string | null;
}
export type CreateSsoConnectionFields = SsoConnectionFields & {
  readonly kind: 'SAML' | 'OIDC';
  readonly name: string;
};
type Input = SsoConnectionFields;

const NAME_MAX = 100;
const ATTRIBUTE_MAX = 256;
const GROUP_ROLES_MAX = 100;
const CERTIFICATES_MAX = 5;
const SECRET_MAX = 1024;

export interface ConnectionPolicy {
  /** http:// IdP URLs, for development and tests only (never in production). */
  allowHttp: boolean;
}

/**
 * An organization's SAML and OIDC connections, managed by its ADMINs (the SDL adds step-up). The
 * OIDC client secret is sealed before it is stored and never leaves auth again.
 */
export class SsoConnectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roleOf: RoleOf,
    private readonly sealer: SecretSealer,
    private readonly policy: ConnectionPolicy,
    private readonly kick: () => void,
  ) {}

  async list(userId: string, organizationId: string): Promise<SsoConnectionEntity[]> {
    await requireOrganizationAdmin(this.roleOf, organizationId, userId, SSO_ADMIN);
    return this.dataSource
      .getRepository(SsoConnectionEntity)
      .find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async create(
    actor: Actor,
    organizationId: string,
    input: CreateSsoConnectionFields,
  ): Promise<SsoConnectionEntity> {
    await requireOrganizationAdmin(this.roleOf, organizationId, actor.id, SSO_ADMIN);
    const now = new Date();
    const id = randomUUID();
    const connection: SsoConnectionEntity = {
      id,
      organizationId,
      kind: input.kind,
      name: '',
      enabled: true,
      enforced: false,
      jitProvisioning: true,
      idpInitiated: false,
      defaultRole: null,
      groupRoles: [],
      emailAttribute: null,
      nameAttribute: null,
      groupsAttribute: null,
      samlIdpEntityId: null,
      samlSsoUrl: null,
      samlCertificates: [],
      oidcIssuer: null,
      oidcClientId: null,
      oidcClientSecret: null,
      createdAt: now,
      updatedAt: now,
    };
    this.apply(connection, input);
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(SsoConnectionEntity, connection);
      await changed(manager, connection, 'created', actor);
    });
    this.kick();
    return connection;
  }

  async update(actor: Actor, id: string, input: SsoConnectionFields): Promise<SsoConnectionEntity> {
    const connection = await this.managed(actor.id, id);
    this.apply(connection, input);
    connection.updatedAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      await manager.save(SsoConnectionEntity, connection);
      await changed(manager, connection, 'updated', actor);
    });
    this.kick();
    return connection;
  }

  async delete(actor: Actor, id: string): Promise<boolean> {
    const connection = await this.managed(actor.id, id);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(SsoConnectionEntity, { id: connection.id });
      await changed(manager, connection, 'deleted', actor);
    });
    this.kick();
    return true;
  }

  /** The stored OIDC client secret in clear, for the OIDC adapter's token request only. */
  clientSecret(connection: SsoConnectionEntity): string | null {
    return connection.oidcClientSecret
      ? this.sealer.open(connection.oidcClientSecret, connection.id).toString('utf8')
      : null;
  }

  /** The connection, when the caller is an ADMIN of its organization (NOT_FOUND otherwise). */
  private async managed(userId: string, id: string): Promise<SsoConnectionEntity> {
    const connection = UUID.test(id)
      ? await this.dataSource.getRepository(SsoConnectionEntity).findOneBy({ id })
      : null;
    if (!connection) throw new AppError('NOT_FOUND', { message: 'Connection not found.' });
    await requireOrganizationAdmin(this.roleOf, connection.organizationId, userId, SSO_ADMIN);
    return connection;
  }

  /** Copies the given fields onto the connection, then checks the whole of it. */
  private apply(connection: SsoConnectionEntity, input: Input): void {
    const c = connection;
    if (input.name !== undefined && input.name !== null) c.name = input.name.trim();
    if (isSet(input.enabled)) c.enabled = input.enabled;
    if (isSet(input.enforced)) c.enforced = input.enforced;
    if (isSet(input.jitProvisioning)) c.jitProvisioning = input.jitProvisioning;
    if (isSet(input.idpInitiated)) c.idpInitiated = input.idpInitiated;
    if (input.defaultRole !== undefined) c.defaultRole = input.defaultRole;
    if (isSet(input.groupRoles)) c.groupRoles = groupRoles(input.groupRoles);
    if (input.emailAttribute !== undefined) c.emailAttribute = attribute(input.emailAttribute);
    if (input.nameAttribute !== undefined) c.nameAttribute = attribute(input.nameAttribute);
    if (input.groupsAttribute !== undefined) c.groupsAttribute = attribute(input.groupsAttribute);
    const saml = [input.samlMetadataXml, input.samlIdpEntityId, input.samlSsoUrl].some(isSet);
    const oidc = [input.oidcIssuer, input.oidcClientId, input.oidcClientSecret].some(isSet);
    if (c.kind === 'SAML' && oidc)
      throw badInput({ kind: 'A SAML connection takes no OIDC settings.' });
    if (c.kind === 'OIDC' && (saml || isSet(input.samlCertificates)))
      throw badInput({ kind: 'An OIDC connection takes no SAML settings.' });
    if (isSet(input.samlMetadataXml)) {
      const idp = parseIdpMetadata(input.samlMetadataXml);
      c.samlIdpEntityId = idp.entityId;
      c.samlSsoUrl = idp.ssoUrl;
      c.samlCertificates = idp.certificates;
    }
    if (isSet(input.samlIdpEntityId)) c.samlIdpEntityId = input.samlIdpEntityId.trim();
    if (isSet(input.samlSsoUrl)) c.samlSsoUrl = input.samlSsoUrl.trim();
    if (isSet(input.samlCertificates)) c.samlCertificates = input.samlCertificates.map(toPem);
    if (isSet(input.oidcIssuer)) c.oidcIssuer = input.oidcIssuer.trim().replace(/\/$/, '');
    if (isSet(input.oidcClientId)) c.oidcClientId = input.oidcClientId.trim();
    if (isSet(input.oidcClientSecret)) {
      if (input.oidcClientSecret.length > SECRET_MAX)
        throw badInput({ oidcClientSecret: 'The client secret is too long.' });
      c.oidcClientSecret = this.sealer.seal(Buffer.from(input.oidcClientSecret), c.id);
    }
    this.check(c);
  }

  private check(c: SsoConnectionEntity): void {
    if (c.name.length < 1 || c.name.length > NAME_MAX)
      throw badInput({ name: `Give a name of 1 to ${NAME_MAX} characters.` });
    if (c.kind === 'SAML') {
      if (!c.samlIdpEntityId || c.samlIdpEntityId.length > 1024)
        throw badInput({ samlIdpEntityId: "Give the IdP's entity id (or its metadata)." });
      this.url('samlSsoUrl', c.samlSsoUrl);
      if (c.samlCertificates.length === 0 || c.samlCertificates.length > CERTIFICATES_MAX)
        throw badInput({
          samlCertificates: `Give the IdP's signing certificates (1 to ${CERTIFICATES_MAX}).`,
        });
    } else {
      this.url('oidcIssuer', c.oidcIssuer);
      if (!c.oidcClientId || c.oidcClientId.length > 512)
        throw badInput({ oidcClientId: 'Give the client id the IdP issued.' });
    }
  }

  private url(field: string, value: string | null): void {
    let url: URL | null = null;
    try {
      url = value ? new URL(value) : null;
    } catch {
      url = null;
    }
    const allowed =
      url?.protocol === 'https:' || (this.policy.allowHttp && url?.protocol === 'http:');
    if (!url || !allowed) throw badInput({ [field]: 'Give an https:// URL.' });
  }
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

function attribute(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > ATTRIBUTE_MAX)
    throw badInput({ attribute: 'An attribute name is too long.' });
  return trimmed || null;
}

function groupRoles(rows: readonly { group: string; role: Role }[]): SsoGroupRole[] {
  if (rows.length > GROUP_ROLES_MAX)
    throw badInput({ groupRoles: `At most ${GROUP_ROLES_MAX} groups.` });
  return rows.map(({ group, role }) => {
    const name = group.trim();
    if (!name || name.length > ATTRIBUTE_MAX)
      throw badInput({ groupRoles: 'A group name is empty or too long.' });
    return { group: name, role };
  });
}

function changed(
  manager: EntityManager,
  c: SsoConnectionEntity,
  change: 'created' | 'updated' | 'deleted',
  actor: Actor,
) {
  return enqueueEvent(manager, 'SSO_CONNECTION_CHANGED', {
    organizationId: c.organizationId,
    connectionId: c.id,
    change,
    kind: c.kind,
    name: c.name,
    actorId: actor.id,
    ip: actor.client?.ip ?? null,
    userAgent: actor.client?.userAgent ?? null,
    at: new Date().toISOString(),
  });
}
