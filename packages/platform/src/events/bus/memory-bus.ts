import type { Logger } from '../../logging/logger';
import type { EventType } from '../catalog';
import { guardHandler, reportSetAside, type Rejection } from '../set-aside';
import type {
  BroadcastOptions,
  BusHealth,
  EventBus,
  EventHandler,
  Subscription,
  WireEvent,
} from '../types';

type RawHandler = (raw: unknown) => Promise<void>;

interface Group {
  types: ReadonlySet<string>;
  handlers: RawHandler[];
  next: number;
}

/** An event a consumer group of this process set aside. */
export interface MemoryDeadLetter extends Rejection {
  consumer: string;
  event: unknown;
}

/**
 * The bus of a process with neither NATS nor a database (a lone gateway in development): it can
 * only deliver inside this process and keeps nothing, so no service with an outbox runs on it.
 * `publish` resolves after one handler of every subscribed group has handled the event. Events
 * set aside stay in `deadLetters` for the life of the process.
 */
export class MemoryBus implements EventBus {
  private readonly groups = new Map<string, Group>();
  private broadcasts = 0;
  readonly deadLetters: MemoryDeadLetter[] = [];

  constructor(private readonly logger?: Logger) {}

  async publish(event: WireEvent): Promise<void> {
    const failures: unknown[] = [];
    // A copy, as a real bus would deliver: a handler never shares the publisher's objects.
    const delivered: unknown = JSON.parse(JSON.stringify(event));
    for (const group of this.groups.values()) {
      if (!group.types.has(event.type) || group.handlers.length === 0) continue;
      const handler = group.handlers[group.next++ % group.handlers.length];
      try {
        await handler(delivered);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} consumer(s) failed on ${event.type}`);
  }

  async subscribe<T extends EventType>(
    consumer: string,
    types: readonly T[],
    handler: EventHandler<T>,
  ): Promise<Subscription> {
    let group = this.groups.get(consumer);
    if (!group) {
      group = { types: new Set(types), handlers: [], next: 0 };
      this.groups.set(consumer, group);
    }
    const raw = guardHandler(types, handler, async (event, rejection) => {
      this.deadLetters.push({ consumer, event, ...rejection });
      reportSetAside(this.logger, consumer, rejection);
    });
    group.handlers.push(raw);
    const owner = group;
    return {
      stop: async () => {
        owner.handlers = owner.handlers.filter((h) => h !== raw);
      },
    };
  }

  /** In one process every broadcast listener is a group of its own that hears events from now on. */
  async broadcast<T extends EventType>(
    types: readonly T[],
    handler: EventHandler<T>,
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
