import type { DataSource, EntityManager } from 'typeorm';
import {
  consumeOnce,
  type EventBus,
  type EventHandler,
  type Subscription,
} from '@bastion/platform';
import type { LedgerService } from './ledger.service';
import { anonymizeAccount } from './user-deletion';

export const CREDITS_CONSUMER = 'credits';

type UserEventType = 'USER_CREATED' | 'USER_DELETED';

export type UserCleanup = (manager: EntityManager, userId: string) => Promise<void>;

/** Opens an account with the sign-up grant on USER_CREATED; anonymizes it on USER_DELETED. At most once per event. */
export function userEventHandler(
  dataSource: DataSource,
  ledger: LedgerService,
  signupGrant: number,
  cleanups: UserCleanup[] = [],
): EventHandler<UserEventType> {
  return async (event) => {
    const { userId } = event.data;
    await consumeOnce(dataSource, CREDITS_CONSUMER, event, (manager) =>
      event.type === 'USER_CREATED'
        ? ledger.openAccount(manager, userId, signupGrant)
        : anonymizeAccount(manager, ledger, userId, cleanups),
    );
  };
}

export function subscribeToUserEvents(
  bus: EventBus,
  handler: EventHandler<UserEventType>,
): Promise<Subscription> {
  return bus.subscribe(CREDITS_CONSUMER, ['USER_CREATED', 'USER_DELETED'], handler);
}
