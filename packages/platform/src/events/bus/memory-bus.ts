import type {
  BroadcastOptions,
  BusHealth,
  EventBus,
  EventEnvelope,
  EventHandler,
  EventType,
  Subscription,
} from '../types';

interface Group {
  types: ReadonlySet<EventType>;
  handlers: EventHandler[];
  next: number;
}

/**
 * The bus of a process with neither NATS nor a database (a lone gateway in development): it can
 * only deliver inside this process and keeps nothing, so no service with an outbox runs on it.
 * `publish` resolves after one handler of every subscribed group has handled the event.
 */
export class MemoryBus implements EventBus {
  private readonly groups = new Map<string, Group>();
  private broadcasts = 0;

  async publish(event: EventEnvelope): Promise<void> {
    const failures: unknown[] = [];
    for (const group of this.groups.values()) {
      if (!group.types.has(event.type) || group.handlers.length === 0) continue;
      const handler = group.handlers[group.next++ % group.handlers.length];
      try {
        await handler(event);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} consumer(s) failed on ${event.type}`);
  }

  async subscribe(
    consumer: string,
    types: readonly EventType[],
    handler: EventHandler,
  ): Promise<Subscription> {
    let group = this.groups.get(consumer);
    if (!group) {
      group = { types: new Set(types), handlers: [], next: 0 };
      this.groups.set(consumer, group);
    }
    group.handlers.push(handler);
    const owner = group;
    return {
      stop: async () => {
        owner.handlers = owner.handlers.filter((h) => h !== handler);
      },
    };
  }

  /** In one process every broadcast listener is a group of its own that hears events from now on. */
  async broadcast(
    types: readonly EventType[],
    handler: EventHandler,
    _options?: BroadcastOptions,
  ): Promise<Subscription> {
    return this.subscribe(`broadcast:${++this.broadcasts}`, types, handler);
  }

  health(): BusHealth {
    return { connected: true };
  }

  async close(): Promise<void> {
    this.groups.clear();
  }
}
