import type { Logger } from '../../logging/logger';
import type { WireEvent } from '../types';

export interface StoredEvent {
  seq: bigint;
  /** As stored: the loop's handler reads it against the catalog. */
  event: WireEvent;
}

/** What a loop hands each stored event to: the bus's guard around the consumer's typed handler. */
export type StoredEventHandler = (event: WireEvent, seq: bigint) => Promise<void>;

/** What a consumer loop reads from: the database bus's stream table and cursors. */
export interface EventSource {
  read(after: bigint, types: readonly string[], limit: number): Promise<StoredEvent[]>;
  /** Takes or renews a group's lease; its position when this instance holds it, else null. */
  lease(consumer: string): Promise<bigint | null>;
  ack(consumer: string, seq: bigint): Promise<void>;
  release(consumer: string): Promise<void>;
}

export type LoopSpec =
  | {
      kind: 'group';
      name: string;
      types: readonly string[];
      handler: StoredEventHandler;
      logger: Logger;
    }
  | {
      kind: 'broadcast';
      name: string;
      position: bigint;
      types: readonly string[];
      handler: StoredEventHandler;
      logger: Logger;
    };

const BATCH = 50;
const IDLE_MS = 4_000; // well inside the lease, so an idle group keeps it
const MAX_BACKOFF_MS = 30_000;

/**
 * Delivers a stream in order to one handler. A group's position lives in the database and moves
 * only after its handler succeeded, so a crash redelivers (the inbox absorbs it) and never skips;
 * a failing handler is retried with backoff before anything after it (like a nak with delay,
 * but in order). A broadcast keeps its position in memory and logs a failing handler.
 */
export class ConsumerLoop {
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wakeSleeper: (() => void) | undefined;
  private position: bigint;

  constructor(
    private readonly source: EventSource,
    private readonly spec: LoopSpec,
  ) {
    this.position = spec.kind === 'broadcast' ? spec.position : 0n;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Whether an event of this type is one the loop delivers (others never wake it). */
  consumes(type: string): boolean {
    return this.spec.types.includes(type);
  }

  /** Something it consumes was published: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    await this.running;
    if (this.spec.kind === 'group') await this.source.release(this.spec.name);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.woken = false;
      try {
        const more = await this.pass();
        if (failures > 0)
          this.spec.logger.info({ consumer: this.spec.name }, 'event consumer recovered');
        failures = 0;
        // An event published since the read woke the loop, so the sleep ends at once.
        if (!more) await this.sleep(IDLE_MS);
      } catch (error) {
        failures += 1;
        const level = failures === 1 ? 'warn' : 'debug';
        this.spec.logger[level](
          { err: error, consumer: this.spec.name, failures },
          'event consumer pass failed; retrying',
        );
        await this.sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7)), true);
      }
    }
  }

  /**
   * Delivers one batch; whether the batch was full (more may be waiting: read again at once).
   * A shorter batch held everything committed before the read.
   */
  private async pass(): Promise<boolean> {
    const { spec } = this;
    if (spec.kind === 'group') {
      const leased = await this.source.lease(spec.name);
      if (leased === null) return false; // another process of this group holds the lease
      this.position = leased;
    }
    const batch = await this.source.read(this.position, spec.types, BATCH);
    for (const { seq, event } of batch) {
      if (this.stopped) return false;
      if (spec.kind === 'group') {
        await spec.handler(event, seq);
        await this.source.ack(spec.name, seq);
      } else {
        await spec
          .handler(event, seq)
          .catch((error: unknown) =>
            spec.logger.warn({ err: error, eventId: event.id }, 'broadcast handler failed'),
          );
      }
      this.position = seq;
    }
    return batch.length === BATCH;
  }

  private sleep(ms: number, ignoreWake = false): Promise<void> {
    if (this.stopped || (this.woken && !ignoreWake)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = ignoreWake ? () => this.stopped && done() : done;
    });
  }
}
