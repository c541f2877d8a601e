import type { BaseContext } from '@bastion/platform';
import type { WebhooksServices } from './services';

export interface WebhooksContext extends BaseContext, WebhooksServices {
  /** The webhook event catalog: what an endpoint can subscribe to. */
  eventTypes: readonly { name: string; description: string }[];
}
