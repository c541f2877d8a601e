import type { DataSource } from 'typeorm';
import {
  consumeOnce,
  type EventBus,
  type EventHandler,
  type Subscription,
} from '@bastion/platform';
import { GenerationRepository } from '../generations/generation.repository';

export const AI_CONSUMER = 'ai';

/** USER_DELETED erases the user's prompts and outputs (amounts and token counts stay), once per event. */
export function userEventHandler(dataSource: DataSource): EventHandler {
  return async (event) => {
    const userId = (event.data as { userId?: unknown }).userId;
    if (event.type !== 'USER_DELETED' || typeof userId !== 'string') return;
    await consumeOnce(dataSource, AI_CONSUMER, event, (manager) =>
      GenerationRepository.erase(manager, userId),
    );
  };
}

export function subscribeToUserEvents(bus: EventBus, handler: EventHandler): Promise<Subscription> {
  return bus.subscribe(AI_CONSUMER, ['USER_DELETED'], handler);
}
