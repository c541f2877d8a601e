import { AppError, isWebhookEventType } from '@bastion/platform';
import { checkWebhookUrl, WebhookUrlError, type HostLookup } from '../delivery/url-guard';

export const MAX_EVENT_TYPES = 50;
export const MAX_DESCRIPTION_LENGTH = 500;

/**
 * What createWebhookEndpoint and updateWebhookEndpoint take (the SDL's WebhookEndpointInput,
 * written out here so the service does not import the generated resolver types).
 */
export interface EndpointFields {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string | null;
  readonly enabled?: boolean | null;
}

/** The fields once checked: the URL as given, the event types without repeats. */
export interface CheckedFields {
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean | null;
}

export interface UrlPolicy {
  /** NODE_ENV=production: https only. */
  production: boolean;
  /** WEBHOOKS_ALLOW_PRIVATE: loopback admitted. */
  allowPrivate: boolean;
  lookup: HostLookup;
}

/** BAD_USER_INPUT naming the field, with a `reason` a client can branch on. */
function refused(field: string, reason: string, message: string): AppError {
  return new AppError('BAD_USER_INPUT', {
    message,
    extensions: { fieldErrors: { [field]: message }, reason },
  });
}

/**
 * Checks an endpoint's fields before anything is stored: event types from the catalog, the
 * description's length, and the URL (syntax, then every address its host resolves to, by the
 * same guard every dispatch goes through). `checkUrl` false: the URL is unchanged and was checked.
 */
export async function checkEndpointFields(
  input: EndpointFields,
  policy: UrlPolicy,
  checkUrl = true,
): Promise<CheckedFields> {
  const eventTypes = [...new Set(input.eventTypes)];
  if (eventTypes.length === 0)
    throw refused('eventTypes', 'NO_EVENT_TYPES', 'Name at least one event type.');
  if (eventTypes.length > MAX_EVENT_TYPES)
    throw refused(
      'eventTypes',
      'TOO_MANY_EVENT_TYPES',
      `Name at most ${MAX_EVENT_TYPES} event types.`,
    );
  const unknown = eventTypes.find((name) => !isWebhookEventType(name));
  if (unknown !== undefined)
    throw refused(
      'eventTypes',
      'UNKNOWN_EVENT_TYPE',
      `${JSON.stringify(unknown.slice(0, 100))} is not a webhook event type (see webhookEventTypes).`,
    );
  const description = input.description ?? null;
  if (description !== null && description.length > MAX_DESCRIPTION_LENGTH)
    throw refused(
      'description',
      'DESCRIPTION_TOO_LONG',
      `Use at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    );
  if (checkUrl) {
    try {
      await checkWebhookUrl(input.url, policy);
    } catch (error) {
      if (error instanceof WebhookUrlError) throw refused('url', error.reason, error.message);
      throw error;
    }
  }
  return { url: input.url, eventTypes, description, enabled: input.enabled ?? null };
}
