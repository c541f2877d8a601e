import type { Logger } from '../../logging/logger';
import type { EventBus } from '../types';
import { MemoryBus } from './memory-bus';
import { NatsBus } from './nats-bus';

export { MemoryBus, NatsBus };

/** NATS JetStream when a URL is configured, else the in-process bus. */
export async function createEventBus(options: { natsUrl?: string; stream?: string; logger: Logger }): Promise<EventBus> {
  if (options.natsUrl) return NatsBus.connect({ url: options.natsUrl, stream: options.stream, logger: options.logger });
  return new MemoryBus();
}
