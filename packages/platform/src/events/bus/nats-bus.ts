import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../../logging/logger';
import type { EventType } from '../catalog';
import { readEvent, reportSetAside, type Rejection } from '../set-aside';
import type {
  BroadcastOptions,
  BusHealth,
  EventBus,
  EventHandler,
  Subscription,
  WireEvent,
} from '../types';

export interface NatsBusOptions {
  url: string;
  /** Stream name and subject prefix; tests give each run its own. */
  stream?: string;
  logger: Logger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * NATS JetStream bus: a durable stream of all events, `Nats-Msg-Id` = event id (the server drops
 * duplicates inside its window), one durable pull consumer per consumer group with explicit ack;
 * a handler failure naks with a delay so the event comes back. An event a group cannot read
 * against the catalog is set aside on `<stream>.dead_letter.<consumer>` (in the same stream, where
 * no consumer's filter matches it; its headers give the reason) and acknowledged.
 */
export class NatsBus implements EventBus {
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();
  private connected = true;
  private readonly gapListeners = new Set<() => void>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {
    void this.watchStatus();
  }

  /** Tracks the connection: readiness reports it, and broadcast listeners hear of gaps. */
  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' && this.connected) {
        this.connected = false;
        this.logger.warn('NATS connection lost; reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.info('NATS connection restored');
        for (const listener of this.gapListeners) listener();
      }
    }
  }

  health(): BusHealth {
    return { connected: this.connected && !this.nc.isClosed() };
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const stream = options.stream ?? 'BASTION_EVENTS';
    // Reconnect forever: an outage of any length ends with the bus working again, without a restart.
    const nc = await connect({
      servers: options.url,
      name: 'bastion',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      reconnectJitter: 500,
      waitOnFirstConnect: true,
    });
    const jsm = await jetstreamManager(nc);
    const subjects = [`${stream.toLowerCase()}.>`];
    try {
      await jsm.streams.info(stream);
    } catch {
      try {
        await jsm.streams.add({ name: stream, subjects, duplicate_window: 2 * 60 * 1_000_000_000 });
      } catch (error) {
        // Another instance created it between our look and our add.
        await jsm.streams.info(stream).catch(() => Promise.reject(error));
      }
    }
    return new NatsBus(nc, stream, options.logger);
  }

  private subject(type: string): string {
    return `${this.stream.toLowerCase()}.${type.toLowerCase()}`;
  }

  async publish(event: WireEvent): Promise<void> {
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(this.nc).publish(
      this.subject(event.type),
      encoder.encode(JSON.stringify(event)),
      { msgID: event.id },
    );
  }

  /**
   * One durable pull consumer per (group, event type) with a single filter subject: that works on
   * every JetStream server (multiple filter subjects need 2.10), and types do not block each other.
   */
  async subscribe<T extends EventType>(
    consumer: string,
    types: readonly T[],
    handler: EventHandler<T>,
  ): Promise<Subscription> {
    const stops = await Promise.all(
      types.map((type) =>
        this.consume(consumer, `${consumer}_${type}`, this.subject(type), (raw) => {
          const read = readEvent(raw, types);
          return read.ok ? handler(read.event).then(() => null) : Promise.resolve(read);
        }),
      ),
    );
    const subscription = {
      stop: async () => {
        await Promise.all(stops.map((stop) => stop()));
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * A plain (non-JetStream) subscription on the events' subjects: every instance receives every
   * event published while it is connected; after a reconnect `onGap` tells it to resynchronise.
   */
  async broadcast<T extends EventType>(
    types: readonly T[],
    handler: EventHandler<T>,
    options: BroadcastOptions = {},
  ): Promise<Subscription> {
    const subs = types.map((type) => this.nc.subscribe(this.subject(type)));
    const loops = subs.map(async (sub) => {
      for await (const message of sub) {
        try {
          const read = readEvent(parse(message.data), types);
          if (read.ok) await handler(read.event);
          else reportSetAside(this.logger, 'broadcast', read);
        } catch (error) {
          this.logger.warn({ err: error, subject: message.subject }, 'broadcast handler failed');
        }
      }
    });
    const onGap = options.onGap;
    if (onGap) this.gapListeners.add(onGap);
    const subscription = {
      stop: async () => {
        if (onGap) this.gapListeners.delete(onGap);
        for (const sub of subs) sub.unsubscribe();
        await Promise.all(loops);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** `handler` returns null when it handled the event, or why the event is set aside. */
  private async consume(
    group: string,
    name: string,
    subject: string,
    handler: (raw: unknown) => Promise<Rejection | null>,
  ): Promise<() => Promise<void>> {
    const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } =
      await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(this.nc);
    const durable = name.replace(/[^A-Za-z0-9_-]/g, '_');
    try {
      await jsm.consumers.info(this.stream, durable);
    } catch {
      await jsm.consumers.add(this.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: subject,
        ack_wait: 30 * 1_000_000_000,
        max_deliver: -1,
      });
    }
    const messages = await (
      await jetstream(this.nc).consumers.get(this.stream, durable)
    ).consume({ max_messages: 32 });
    const loop = (async () => {
      for await (const message of messages) {
        const raw = parse(message.data);
        const eventId = (raw as { id?: unknown } | undefined)?.id;
        try {
          const rejection = await handler(raw);
          if (rejection) await this.setAside(group, durable, message.seq, message.data, rejection);
          message.ack();
        } catch (error) {
          this.logger.warn(
            { err: error, eventId, consumer: durable },
            'event handler failed; redelivering',
          );
          message.nak(Math.min(30_000, 500 * 2 ** Math.min(message.info.deliveryCount, 6)));
        }
      }
    })();
    return async () => {
      await messages.close();
      await loop.catch(() => undefined);
    };
  }

  /**
   * Stores a bad event on the consumer's dead-letter subject, then logs and counts it. The
   * message id makes a redelivery inside the dedup window store nothing new and report nothing.
   */
  private async setAside(
    group: string,
    durable: string,
    seq: number,
    data: Uint8Array,
    rejection: Rejection,
  ): Promise<void> {
    const { jetstream } = await import('@nats-io/jetstream');
    const { headers } = await import('@nats-io/nats-core');
    const h = headers();
    h.set('Bastion-Consumer', durable);
    h.set('Bastion-Reason', rejection.reason.slice(0, 1000).replace(/[\r\n]/g, ' '));
    const ack = await jetstream(this.nc).publish(this.deadLetterSubject(durable), data, {
      msgID: `dead_letter:${durable}:${seq}`,
      headers: h,
    });
    if (!ack.duplicate) reportSetAside(this.logger, group, rejection);
  }

  private deadLetterSubject(durable: string): string {
    return `${this.stream.toLowerCase()}.dead_letter.${durable.toLowerCase()}`;
  }

  /**
   * Events one durable consumer (`<group>_<TYPE>`) set aside, oldest first, with the reason
   * (operators and tests read them).
   */
  async setAsideEvents(
    durable: string,
  ): Promise<{ eventId: string | null; type: string | null; reason: string }[]> {
    const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } =
      await import('@nats-io/jetstream');
    const found: { eventId: string | null; type: string | null; reason: string }[] = [];
    const subject = this.deadLetterSubject(durable);
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(this.stream, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    if (count === 0) return found;
    // A throwaway consumer of that subject alone (one filter subject works on every server).
    const reader = await jsm.consumers.add(this.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subject,
      inactive_threshold: 60 * 1_000_000_000,
    });
    try {
      const consumer = await jetstream(this.nc).consumers.get(this.stream, reader.name);
      const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
      for await (const message of messages) {
        const raw = parse(message.data) as { id?: unknown; type?: unknown } | undefined;
        found.push({
          eventId: typeof raw?.id === 'string' ? raw.id : null,
          type: typeof raw?.type === 'string' ? raw.type : null,
          reason: message.headers?.get('Bastion-Reason') ?? '',
        });
        if (found.length === count) break;
      }
    } finally {
      await jsm.consumers.delete(this.stream, reader.name).catch(() => undefined);
    }
    return found;
  }

  async close(): Promise<void> {
    for (const s of [...this.subscriptions]) await s.stop();
    await this.nc.drain();
  }

  /** Deletes the stream (tests clean up their own). */
  async destroyStream(): Promise<void> {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    await (await jetstreamManager(this.nc)).streams.delete(this.stream).catch(() => undefined);
  }
}

/** A message's JSON, or undefined when it is not JSON (the catalog check then sets it aside). */
function parse(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    return undefined;
  }
}
