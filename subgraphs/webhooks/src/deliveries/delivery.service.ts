import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  UUID,
  WEBHOOK_PING,
  badInput,
  conflict,
  decodeCursor,
  notFound,
  pageSize,
  recordAudit,
  schemaOf,
  toConnection,
  type Connection,
  type RoleOf,
} from '@bastion/platform';
import type { Clock } from '../clock';
import type { WebhookAuditAction } from '../endpoints/endpoint-events';
import {
  requireAdminOf,
  type RequestActor,
  type WebhookEndpoints,
} from '../endpoints/endpoint.service';
import { WebhookAttemptEntity } from './attempt.entity';
import { WebhookDeliveryEntity, type DeliveryStatus } from './delivery.entity';

/** The most deliveries one replayWebhookDeliveries sends again. */
export const MAX_REPLAY = 10_000;
/** The most attempts the log shows per delivery (the latest ones). */
export const MAX_ATTEMPTS_SHOWN = 100;

export interface DeliveryFilter {
  first?: number | null;
  after?: string | null;
  status?: DeliveryStatus | null;
  eventType?: string | null;
}

/**
 * The delivery log and what an ADMIN asks of it: read it, send a test event, send deliveries
 * again. Sending is the dispatcher's: this only writes due rows and kicks it. A replay puts the
 * same row (the same event id, so the same `webhook-id`) back to PENDING with a fresh attempt
 * budget; the attempts made before stay in the log.
 */
export class WebhookDeliveries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roleOf: RoleOf,
    private readonly endpoints: WebhookEndpoints,
    private readonly clock: Clock,
    /** Wakes the dispatcher for rows that are due now. */
    private readonly kickDispatcher: () => void,
    private readonly kickRelay: () => void,
  ) {}

  /** An endpoint's deliveries, newest first; the caller has reached the endpoint as its ADMIN. */
  async connection(
    endpointId: string,
    filter: DeliveryFilter,
  ): Promise<Connection<WebhookDeliveryEntity>> {
    const limit = pageSize(filter.first);
    const cursor = decodeCursor(filter.after);
    const query = this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.endpoint_id = :endpointId', { endpointId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1);
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.eventType !== null && filter.eventType !== undefined) {
      if (filter.eventType.length > 100)
        throw badInput({ eventType: 'Use a webhook event type name.' });
      query.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    }
    if (cursor)
      query.andWhere('(d.created_at, d.id) < (:createdAt, :id)', {
        createdAt: cursor.createdAt,
        id: cursor.id,
      });
    return toConnection(await query.getMany(), limit);
  }

  /** A delivery's attempts, oldest first (the latest MAX_ATTEMPTS_SHOWN). */
  async attempts(deliveryId: string): Promise<WebhookAttemptEntity[]> {
    return (await this.attemptsOfMany([deliveryId])).get(deliveryId) ?? [];
  }

  /**
   * For one request: the attempts of every delivery asked for in the same tick, read in one
   * query (a page of 100 deliveries is one read, not 100).
   */
  attemptsLoader(): (deliveryId: string) => Promise<WebhookAttemptEntity[]> {
    type Waiting = {
      resolve: (rows: WebhookAttemptEntity[]) => void;
      reject: (e: unknown) => void;
    };
    let batch: Map<string, Waiting[]> | null = null;
    return (deliveryId) =>
      new Promise((resolve, reject) => {
        if (!batch) {
          const current = new Map<string, Waiting[]>();
          batch = current;
          queueMicrotask(() => {
            batch = null;
            const all = [...current.entries()];
            this.attemptsOfMany(all.map(([id]) => id)).then(
              (found) =>
                all.forEach(([id, waiting]) =>
                  waiting.forEach((w) => w.resolve(found.get(id) ?? [])),
                ),
              (error: unknown) =>
                all.forEach(([, waiting]) => waiting.forEach((w) => w.reject(error))),
            );
          });
        }
        const waiting = batch.get(deliveryId) ?? [];
        waiting.push({ resolve, reject });
        batch.set(deliveryId, waiting);
      });
  }

  private async attemptsOfMany(ids: string[]): Promise<Map<string, WebhookAttemptEntity[]>> {
    const rows = await this.dataSource.getRepository(WebhookAttemptEntity).find({
      where: { deliveryId: In(ids) },
      order: { at: 'ASC', id: 'ASC' },
    });
    const byDelivery = new Map<string, WebhookAttemptEntity[]>();
    for (const row of rows) {
      const list = byDelivery.get(row.deliveryId) ?? [];
      list.push(row);
      byDelivery.set(row.deliveryId, list);
    }
    for (const [id, list] of byDelivery) byDelivery.set(id, list.slice(-MAX_ATTEMPTS_SHOWN));
    return byDelivery;
  }

  /**
   * A webhook.ping with a fresh event id, due now, whatever the endpoint subscribes to. A disabled
   * endpoint gets no new deliveries: enable it first (CONFLICT).
   */
  async sendTest(actor: RequestActor, endpointId: string): Promise<WebhookDeliveryEntity> {
    const endpoint = await this.endpoints.managed(actor.actorId, endpointId);
    if (!endpoint.enabled) throw conflict('The endpoint is disabled: enable it to send it events.');
    const now = this.clock.now();
    const delivery: WebhookDeliveryEntity = {
      id: randomUUID(),
      endpointId: endpoint.id,
      organizationId: endpoint.organizationId,
      eventId: randomUUID(),
      eventType: WEBHOOK_PING,
      payload: {
        type: WEBHOOK_PING,
        timestamp: now.toISOString(),
        data: { endpointId: endpoint.id, organizationId: endpoint.organizationId },
      },
      status: 'PENDING',
      attemptCount: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
    };
    // jsonb: TypeORM's insert type does not take an open record.
    await this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .insert({ ...delivery, payload: delivery.payload as never });
    this.kickDispatcher();
    return delivery;
  }

  /** Sends one delivery again; one still PENDING is answered as it is. */
  async replay(actor: RequestActor, deliveryId: string): Promise<WebhookDeliveryEntity> {
    const found = UUID.test(deliveryId)
      ? await this.dataSource.getRepository(WebhookDeliveryEntity).findOneBy({ id: deliveryId })
      : null;
    if (!found) throw notFound('Webhook delivery');
    await requireAdminOf(this.roleOf, found.organizationId, actor.actorId, 'Webhook delivery');
    if (found.status === 'PENDING') return found;
    const now = this.clock.now();
    const replayed = await this.dataSource.transaction(async (manager) => {
      const rows = await returning<{ id: string }>(
        await manager.query(
          `UPDATE ${schemaOf(manager)}.deliveries
              SET status = 'PENDING', attempt_count = 0, next_attempt_at = $2, lease_until = NULL, updated_at = $2
            WHERE id = $1 AND status <> 'PENDING'
            RETURNING id`,
          [deliveryId, now],
        ),
      );
      if (rows.length > 0)
        await this.audit(manager, actor, found.organizationId, found.endpointId, {
          deliveryId,
          count: 1,
        });
      return manager.findOneByOrFail(WebhookDeliveryEntity, { id: deliveryId });
    });
    this.kickRelay();
    this.kickDispatcher();
    return replayed;
  }

  /**
   * Sends again every delivery of the endpoint created at or after `since` (the oldest
   * MAX_REPLAY of them); answers how many went back to PENDING (ones still PENDING are left as they are).
   */
  async replaySince(actor: RequestActor, endpointId: string, since: Date): Promise<number> {
    const endpoint = await this.endpoints.managed(actor.actorId, endpointId);
    if (Number.isNaN(since.getTime())) throw badInput({ since: 'Give a time.' });
    const now = this.clock.now();
    const count = await this.dataSource.transaction(async (manager) => {
      const s = schemaOf(manager);
      const rows = await returning<{ id: string }>(
        await manager.query(
          `UPDATE ${s}.deliveries
              SET status = 'PENDING', attempt_count = 0, next_attempt_at = $3, lease_until = NULL, updated_at = $3
            WHERE id IN (
              SELECT id FROM ${s}.deliveries
               WHERE endpoint_id = $1 AND created_at >= $2 AND status <> 'PENDING'
               ORDER BY created_at, id
               LIMIT ${MAX_REPLAY})
            RETURNING id`,
          [endpointId, since, now],
        ),
      );
      await this.audit(manager, actor, endpoint.organizationId, endpointId, {
        since: since.toISOString(),
        count: rows.length,
      });
      return rows.length;
    });
    this.kickRelay();
    if (count > 0) this.kickDispatcher();
    return count;
  }

  private audit(
    manager: EntityManager,
    actor: RequestActor,
    organizationId: string,
    endpointId: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return recordAudit<WebhookAuditAction>(manager, {
      organizationId,
      actorId: actor.actorId,
      action: 'webhook.replay_requested',
      targetType: 'webhook_endpoint',
      targetId: endpointId,
      client: actor.client,
      metadata,
    });
  }
}

/** The rows of an UPDATE ... RETURNING (TypeORM answers [rows, count] for UPDATE). */
function returning<T>(result: unknown): T[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return result as T[];
}
