import type { BaseContext } from '@bastion/platform';
import type { WebhooksServices } from './services';
import type { webhooksDataExport } from './users/data-export';

export interface WebhooksContext extends BaseContext, WebhooksServices {
  /** The webhook event catalog: what an endpoint can subscribe to. */
  eventTypes: readonly { name: string; description: string }[];
  /** Webhooks' part of a user's data export. */
  dataExport: (userId: string) => ReturnType<typeof webhooksDataExport>;
}
