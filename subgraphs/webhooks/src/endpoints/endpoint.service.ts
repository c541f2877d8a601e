import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  UUID,
  notFound,
  requireOrganizationAdmin,
  schemaOf,
  type RoleOf,
} from '@bastion/platform';
import type { Clock } from '../clock';
import { EndpointSecrets, generateSigningSecret } from '../secrets/endpoint-secrets';
import { recordEndpointChange, type EndpointActor } from './endpoint-events';
import { checkEndpointFields, type EndpointFields, type UrlPolicy } from './endpoint-input';
import { WebhookEndpointEntity } from './endpoint.entity';

/** What webhook refusals name (endpoints are for an organization's ADMINs). */
export const WEBHOOKS_ADMIN = { action: 'manage webhooks', permission: 'webhooks:manage' };

/** How long the secret before a rotation keeps signing beside the new one. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

/** A user acting through a request. */
export interface RequestActor extends EndpointActor {
  actorId: string;
}

export interface EndpointPolicy {
  /** WEBHOOKS_MAX_ENDPOINTS. */
  maxEndpoints: number;
  /** The URL checks; `lookup` is read at each check (tests swap the resolver). */
  url: () => UrlPolicy;
}

/**
 * An organization's webhook endpoints, managed by its ADMINs: every read and change asks orgs for
 * the caller's role first (NOT_FOUND for an organization they are not in or an endpoint of
 * another organization, FORBIDDEN for another role). Each change is one transaction with its
 * audit entry and WEBHOOK_ENDPOINT_CHANGED; nothing is stored when a check fails.
 */
export class WebhookEndpoints {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roleOf: RoleOf,
    private readonly secrets: EndpointSecrets,
    private readonly clock: Clock,
    private readonly policy: EndpointPolicy,
    /** Publishes what a committed change left in the outbox now. */
    private readonly kickRelay: () => void,
  ) {}

  /** The organization's endpoints, oldest first. */
  async list(userId: string, organizationId: string): Promise<WebhookEndpointEntity[]> {
    await requireOrganizationAdmin(this.roleOf, organizationId, userId, WEBHOOKS_ADMIN);
    return this.dataSource.getRepository(WebhookEndpointEntity).find({
      where: { organizationId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** One endpoint, for an ADMIN of its organization. */
  get(userId: string, id: string): Promise<WebhookEndpointEntity> {
    return this.managed(userId, id);
  }

  async create(
    actor: RequestActor,
    organizationId: string,
    input: EndpointFields,
  ): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    await requireOrganizationAdmin(this.roleOf, organizationId, actor.actorId, WEBHOOKS_ADMIN);
    const fields = await checkEndpointFields(input, this.policy.url());
    const now = this.clock.now();
    const id = randomUUID();
    const secret = generateSigningSecret();
    const endpoint: WebhookEndpointEntity = {
      id,
      organizationId,
      url: fields.url,
      eventTypes: fields.eventTypes,
      description: fields.description,
      enabled: fields.enabled ?? true,
      disabledReason: null,
      secret: this.secrets.seal(secret, id),
      previousSecret: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      createdBy: actor.actorId,
      createdAt: now,
      updatedAt: now,
      organizationDeletedAt: null,
    };
    await this.dataSource.transaction(async (manager) => {
      // Two registrations at once must not both pass the count: one organization's creations queue here.
      await lockOrganization(manager, organizationId);
      const count = await manager.count(WebhookEndpointEntity, { where: { organizationId } });
      if (count >= this.policy.maxEndpoints)
        throw new AppError('CONFLICT', {
          message: `An organization has at most ${this.policy.maxEndpoints} webhook endpoints.`,
          extensions: { reason: 'ENDPOINT_LIMIT', limit: this.policy.maxEndpoints },
        });
      await manager.insert(WebhookEndpointEntity, endpoint);
      await recordEndpointChange(manager, endpoint, 'created', actor, now);
    });
    this.kickRelay();
    return { endpoint, secret };
  }

  /**
   * Replaces the URL, event types and description; `enabled` left out keeps the endpoint as it is,
   * `true` also clears why the platform disabled it (and its failure streak), `false` turns it off.
   */
  async update(
    actor: RequestActor,
    id: string,
    input: EndpointFields,
  ): Promise<WebhookEndpointEntity> {
    const current = await this.managed(actor.actorId, id);
    const fields = await checkEndpointFields(input, this.policy.url(), input.url !== current.url);
    const now = this.clock.now();
    const updated = await this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpointEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!endpoint) throw notFound('Webhook endpoint');
      endpoint.url = fields.url;
      endpoint.eventTypes = fields.eventTypes;
      endpoint.description = fields.description;
      if (fields.enabled !== null) {
        endpoint.enabled = fields.enabled;
        endpoint.disabledReason = null;
        if (fields.enabled) endpoint.failingSince = null;
      }
      endpoint.updatedAt = now;
      await manager.save(WebhookEndpointEntity, endpoint);
      await recordEndpointChange(manager, endpoint, 'updated', actor, now);
      return endpoint;
    });
    this.kickRelay();
    return updated;
  }

  /** Deletes the endpoint with its deliveries and their attempts. */
  async delete(actor: RequestActor, id: string): Promise<boolean> {
    const endpoint = await this.managed(actor.actorId, id);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(WebhookEndpointEntity, { id });
      await recordEndpointChange(manager, endpoint, 'deleted', actor, this.clock.now());
    });
    this.kickRelay();
    return true;
  }

  /**
   * A new secret, answered once. The one it replaces keeps signing beside it for 24 hours, so
   * receivers can switch without losing a delivery; a secret replaced before that stops at once.
   */
  async rotateSecret(actor: RequestActor, id: string): Promise<string> {
    await this.managed(actor.actorId, id);
    const now = this.clock.now();
    const secret = generateSigningSecret();
    await this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpointEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!endpoint) throw notFound('Webhook endpoint');
      endpoint.previousSecret = endpoint.secret;
      endpoint.previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS);
      endpoint.secret = this.secrets.seal(secret, id);
      endpoint.updatedAt = now;
      await manager.save(WebhookEndpointEntity, endpoint);
      await recordEndpointChange(manager, endpoint, 'secret_rotated', actor, now);
    });
    this.kickRelay();
    return secret;
  }

  /** The endpoint when the user is an ADMIN of its organization; NOT_FOUND for anyone outside it. */
  async managed(userId: string, id: string): Promise<WebhookEndpointEntity> {
    const endpoint = UUID.test(id)
      ? await this.dataSource.getRepository(WebhookEndpointEntity).findOneBy({ id })
      : null;
    if (!endpoint) throw notFound('Webhook endpoint');
    await requireAdminOf(this.roleOf, endpoint.organizationId, userId, 'Webhook endpoint');
    return endpoint;
  }
}

/**
 * requireOrganizationAdmin for something of an organization found by its own id: a caller outside
 * the organization learns only that `what` was not found, as for an id that does not exist.
 */
export async function requireAdminOf(
  roleOf: RoleOf,
  organizationId: string,
  userId: string,
  what: string,
): Promise<void> {
  try {
    await requireOrganizationAdmin(roleOf, organizationId, userId, WEBHOOKS_ADMIN);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw notFound(what);
    throw error;
  }
}

async function lockOrganization(manager: EntityManager, organizationId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
    `${schemaOf(manager)}:endpoints:${organizationId}`,
  ]);
}
