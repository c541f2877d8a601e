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
export function userEventHandler(dataSource: DataSource): EventHandler<'USER_DELETED'> {
  return async (event) => {
    await consumeOnce(dataSource, AI_CONSUMER, event, (manager) =>
      GenerationRepository.erase(manager, event.data.userId),
    );
  };
}

export function subscribeToUserEvents(
  bus: EventBus,
  handler: EventHandler<'USER_DELETED'>,
): Promise<Subscription> {
  return bus.subscribe(AI_CONSUMER, ['USER_DELETED'], handler);
}
