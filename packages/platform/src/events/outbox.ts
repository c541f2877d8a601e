import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OutboxRow } from './outbox.entity';
import type { EventEnvelope, EventType } from './types';

/**
 * Records an event inside the caller's transaction: it is published if and only if the change
 * commits. Pass the transaction's manager, never the DataSource's.
 */
export async function enqueueEvent<T extends Record<string, unknown>>(
  manager: EntityManager,
  type: EventType,
  data: T,
): Promise<Pick<EventEnvelope<T>, 'id' | 'type' | 'data' | 'occurredAt'>> {
  const id = randomUUID();
  const occurredAt = new Date();
  await manager.insert(OutboxRow, {
    id,
    type,
    data: data as never,
    occurredAt,
    publishedAt: null,
    attempts: 0,
  });
  return { id, type, data, occurredAt: occurredAt.toISOString() };
}
