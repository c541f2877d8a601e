import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { checkPayload, type EventPayload, type EventType } from './catalog';
import { OutboxRow } from './outbox.entity';
import type { EventEnvelope } from './types';

/**
 * Records an event inside the caller's transaction: it is published if and only if the change
 * commits. Pass the transaction's manager, never the DataSource's. The payload is checked against
 * the catalog first: an unknown type or a malformed payload throws `InvalidEventError`, which
 * rolls the caller's transaction back, so a change never commits with an event nobody can read.
 */
export async function enqueueEvent<T extends EventType>(
  manager: EntityManager,
  type: T,
  data: EventPayload<T>,
): Promise<Pick<EventEnvelope<T>, 'id' | 'type' | 'data' | 'occurredAt'>> {
  const checked = checkPayload(type, data);
  const id = randomUUID();
  const occurredAt = new Date();
  await manager.insert(OutboxRow, {
    id,
    type,
    data: checked as never,
    occurredAt,
    publishedAt: null,
    attempts: 0,
  });
  return { id, type, data: checked, occurredAt: occurredAt.toISOString() } as Pick<
    EventEnvelope<T>,
    'id' | 'type' | 'data' | 'occurredAt'
  >;
}
