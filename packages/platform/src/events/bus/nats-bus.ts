import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../../logging/logger';
import type {
  BroadcastOptions,
  BusHealth,
  EventBus,
  EventEnvelope,
  EventHandler,
  EventType,
  Subscription,
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
 * a handler failure naks with a delay so the event comes back.
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

  private subject(type: EventType): string {
    return `${this.stream.toLowerCase()}.${type.toLowerCase()}`;
  }

  async publish(event: EventEnvelope): Promise<void> {
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
  async subscribe(
    consumer: string,
    types: readonly EventType[],
    handler: EventHandler,
  ): Promise<Subscription> {
    const stops = await Promise.all(
      types.map((type) => this.consume(`${consumer}_${type}`, this.subject(type), handler)),
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
  async broadcast(
    types: readonly EventType[],
    handler: EventHandler,
    options: BroadcastOptions = {},
  ): Promise<Subscription> {
    const subs = types.map((type) => this.nc.subscribe(this.subject(type)));
    const loops = subs.map(async (sub) => {
      for await (const message of sub) {
        try {
          await handler(JSON.parse(decoder.decode(message.data)) as EventEnvelope);
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

  private async consume(
    name: string,
    subject: string,
    handler: EventHandler,
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
        let event: EventEnvelope;
        try {
          event = JSON.parse(decoder.decode(message.data)) as EventEnvelope;
        } catch {
          this.logger.error({ subject: message.subject }, 'dropping unreadable event');
          message.term();
          continue;
        }
        try {
          await handler(event);
          message.ack();
        } catch (error) {
          this.logger.warn(
            { err: error, eventId: event.id, consumer: durable },
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
