import type { BaseContext } from '@bastion/platform';
import type { WebhookAttemptEntity } from './deliveries/attempt.entity';
import type { WebhooksServices } from './services';
import type { webhooksDataExport } from './users/data-export';

export interface WebhooksContext extends BaseContext, WebhooksServices {
  /** The webhook event catalog: what an endpoint can subscribe to. */
  eventTypes: readonly { name: string; description: string }[];
  /** Webhooks' part of a user's data export. */
  dataExport: (userId: string) => ReturnType<typeof webhooksDataExport>;
  /** A delivery's attempts, batched over the request (WebhookDeliveries.attemptsLoader). */
  attemptsOf(deliveryId: string): Promise<WebhookAttemptEntity[]>;
}
