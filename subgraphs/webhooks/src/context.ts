import type { BaseContext } from '@bastion/platform';
import type { WebhookAttemptEntity } from './deliveries/attempt.entity';
import type { WebhooksServices } from './services';

export interface WebhooksContext extends BaseContext, WebhooksServices {
  /** The webhook event catalog: what an endpoint can subscribe to. */
  eventTypes: readonly { name: string; description: string }[];
  /** A delivery's attempts, batched over the request (WebhookDeliveries.attemptsLoader). */
  attemptsOf(deliveryId: string): Promise<WebhookAttemptEntity[]>;
}
