import type { EventPayload, EventType } from './catalog';

export type { EventType } from './catalog';

/**
 * An event as a consumer receives it, its payload read against the catalog: `type` narrows
 * `data` (`if (event.type === 'USER_CREATED') event.data.email`).
 */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: {
    /** Unique; consumers record it so a redelivery has no second effect. */
    id: string;
    type: K;
    occurredAt: string;
    /** The service whose outbox the event left. */
    source: string;
    data: EventPayload<K>;
  };
}[T];

/**
 * An event as it travels, before the catalog has read it: what the relay hands a bus and what a
 * bus stores. Consumers never see one; the bus sets aside whatever does not read as an
 * `EventEnvelope`.
 */
export interface WireEvent {
  id: string;
  type: string;
  occurredAt: string;
  source: string;
  data: unknown;
}

export type EventHandler<T extends EventType = EventType> = (
  event: EventEnvelope<T>,
) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

export interface BroadcastOptions {
  /**
   * Called when this instance may have missed broadcasts (the connection to the bus dropped and
   * came back): a cache fed by broadcasts reloads from its source of truth then.
   */
  onGap?: () => void;
}

/** Whether the bus can take events now, for readiness and for the relay to pause. */
export interface BusHealth {
  connected: boolean;
}

/**
 * At-least-once delivery between services. Two kinds of subscriber: a consumer group (durable;
 * one handler of the group takes each event, including events published before it subscribed
 * or while it was down) and a broadcast (every instance hears every event from now on).
 */
export interface EventBus {
  /**
   * Resolves once the bus has durably stored the event (never merely because some handler
   * happened to be listening). Publishing one id twice stores it once.
   */
  publish(event: WireEvent): Promise<void>;
  /**
   * One durable consumer group per name: each event reaches one handler of each group, its
   * payload parsed against the catalog. An event that does not read (unknown type, malformed
   * payload) is set aside with the reason, logged once, counted, and acknowledged; the group
   * goes on with the next one.
   */
  subscribe<T extends EventType>(
    consumer: string,
    types: readonly T[],
    handler: EventHandler<T>,
  ): Promise<Subscription>;
  /**
   * Every instance that calls this hears every event of these types published from now on. An
   * event that does not read is logged and counted, and skipped.
   */
  broadcast<T extends EventType>(
    types: readonly T[],
    handler: EventHandler<T>,
    options?: BroadcastOptions,
  ): Promise<Subscription>;
  health(): BusHealth;
  close(): Promise<void>;
}
