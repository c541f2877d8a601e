import type { Logger } from '../logging/logger';
import { isEventType, readPayload, type EventType } from './catalog';
import type { EventEnvelope, EventHandler } from './types';

/** Why a received event was set aside instead of handled. */
export interface Rejection {
  reason: string;
  /** The event's id and type as far as they could be read (null when they could not). */
  eventId: string | null;
  type: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Reads a received event against the catalog: the envelope's fields, a type this consumer
 * subscribed to, and the payload. Unknown payload fields are dropped (payloads only grow).
 */
export function readEvent<T extends EventType>(
  raw: unknown,
  types: readonly T[],
): { ok: true; event: EventEnvelope<T> } | ({ ok: false } & Rejection) {
  const envelope = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const eventId = str(envelope.id);
  const type = str(envelope.type);
  const reject = (reason: string) => ({ ok: false as const, reason, eventId, type });
  if (!raw || typeof raw !== 'object') return reject('not an event envelope');
  if (!eventId || !str(envelope.occurredAt) || !str(envelope.source))
    return reject('envelope lacks id, occurredAt or source');
  if (!isEventType(type)) return reject(`unknown event type ${JSON.stringify(type)}`);
  if (!(types as readonly string[]).includes(type))
    return reject(`event type ${type} was not subscribed to`);
  const payload = readPayload(type, envelope.data);
  if (!payload.ok) return reject(`malformed payload: ${payload.reason}`);
  return {
    ok: true,
    event: {
      id: eventId,
      type,
      occurredAt: envelope.occurredAt,
      source: envelope.source,
      data: payload.data,
    } as EventEnvelope<T>,
  };
}

/** Reads a received event as `readEvent` does, throwing when it does not read (tests, tools). */
export function parseEvent<T extends EventType>(
  raw: unknown,
  types: readonly T[],
): EventEnvelope<T> {
  const read = readEvent(raw, types);
  if (!read.ok) throw new Error(`event ${read.eventId ?? '?'} does not read: ${read.reason}`);
  return read.event;
}

export const SET_ASIDE_METRIC = 'bastion_events_set_aside_total';
export const SET_ASIDE_HELP =
  'Events a consumer could not read against the event catalog, set aside and acknowledged';

/**
 * Counts events set aside in this process, by consumer and type (`unknown` for a type the
 * catalog lacks, so the label set stays bounded). The gateway's `/metrics` and each subgraph
 * listener's `/metrics` expose it as `bastion_events_set_aside_total`.
 */
export class SetAsideCounter {
  private readonly counts = new Map<string, { consumer: string; type: string; count: number }>();

  inc(consumer: string, type: string | null): void {
    const label = isEventType(type) ? type : 'unknown';
    const key = `${consumer}\n${label}`;
    const entry = this.counts.get(key) ?? { consumer, type: label, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
  }

  get(consumer: string, type: string): number {
    return this.counts.get(`${consumer}\n${type}`)?.count ?? 0;
  }

  entries(): { consumer: string; type: string; count: number }[] {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }

  /** The counter in Prometheus' text format, for a process without a metrics registry. */
  prometheusText(): string {
    const label = (value: string) =>
      value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
    const lines = [
      `# HELP ${SET_ASIDE_METRIC} ${SET_ASIDE_HELP}`,
      `# TYPE ${SET_ASIDE_METRIC} counter`,
      ...this.entries().map(
        ({ consumer, type, count }) =>
          `${SET_ASIDE_METRIC}{consumer="${label(consumer)}",type="${label(type)}"} ${count}`,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** Every bus of this process counts here. */
export const eventsSetAside = new SetAsideCounter();

/** Logs and counts one event set aside: once per event and consumer, at warn. */
export function reportSetAside(
  logger: Logger | undefined,
  consumer: string,
  rejection: Rejection,
): void {
  eventsSetAside.inc(consumer, rejection.type);
  logger?.warn(
    {
      eventId: rejection.eventId,
      eventType: rejection.type,
      consumer,
      reason: rejection.reason,
    },
    'event set aside: it does not match the event catalog',
  );
}

/**
 * Wraps a typed handler into one a bus can call with what it received: a good event reaches the
 * handler parsed; a bad one goes to `setAside` (which stores, logs and counts it) and counts as
 * handled, so it is acknowledged and never retried.
 */
export function guardHandler<T extends EventType>(
  types: readonly T[],
  handler: EventHandler<T>,
  setAside: (raw: unknown, rejection: Rejection) => Promise<void>,
): (raw: unknown) => Promise<void> {
  return async (raw) => {
    const read = readEvent(raw, types);
    if (read.ok) return handler(read.event);
    await setAside(raw, read);
  };
}
