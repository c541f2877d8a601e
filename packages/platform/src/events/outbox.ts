import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { checkPayload, type EventPayload, type EventType } from './catalog';
import { OutboxRow } from './outbox.entity';
import type { EventEnvelope } from './types';

/** An outbox row ready to insert, its payload checked against the catalog (see enqueueEvent). */
export function outboxRecord<T extends EventType>(
  type: T,
  data: EventPayload<T>,
): Pick<EventEnvelope<T>, 'id' | 'type' | 'data' | 'occurredAt'> {
  const checked = checkPayload(type, data);
  return {
    id: randomUUID(),
    type,
    data: checked,
    occurredAt: new Date().toISOString(),
  } as Pick<EventEnvelope<T>, 'id' | 'type' | 'data' | 'occurredAt'>;
}

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
  const record = outboxRecord(type, data);
  await manager.insert(OutboxRow, {
    id: record.id,
    type,
    data: record.data as never,
    occurredAt: new Date(record.occurredAt),
    publishedAt: null,
    attempts: 0,
  });
  return record;
}
