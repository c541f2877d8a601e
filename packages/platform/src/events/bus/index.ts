import type { Logger } from '../../logging/logger';
import type { EventBus } from '../types';
import { DatabaseBus } from './database-bus';
import { MemoryBus } from './memory-bus';
import { NatsBus } from './nats-bus';

export { DatabaseBus, MemoryBus, NatsBus };

export interface EventBusOptions {
  natsUrl?: string;
  stream?: string;
  /** Without NATS, the bus lives in this database (the embedded one in `npm start`). */
  databaseUrl?: string;
  /** Schema of the database bus's stream table and cursors. */
  schema?: string;
  /** The database is embedded in this process, which alone uses it. */
  soleProcess?: boolean;
  logger: Logger;
}

/**
 * NATS JetStream when a URL is configured; else a durable bus in the database. Only a process
 * with neither (a lone gateway in development) gets the in-process bus, which hears nobody else.
 */
export async function createEventBus(options: EventBusOptions): Promise<EventBus> {
  if (options.natsUrl)
    return NatsBus.connect({
      url: options.natsUrl,
      stream: options.stream,
      logger: options.logger,
    });
  if (options.databaseUrl) {
    return DatabaseBus.connect({
      url: options.databaseUrl,
      schema: options.schema ?? 'bus',
      soleProcess: options.soleProcess,
      logger: options.logger.child({ component: 'bus' }),
    });
  }
  options.logger.warn(
    'neither NATS_URL nor DATABASE_URL is set: this process hears no events from other processes',
  );
  return new MemoryBus(options.logger);
}
