import type { Clock } from './clock';
import type { WebhookDeliveries } from './deliveries/delivery.service';
import type { Dispatcher } from './delivery/dispatcher';
import type { HostLookup } from './delivery/url-guard';
import type { WebhookEndpoints } from './endpoints/endpoint.service';
import type { EndpointSecrets } from './secrets/endpoint-secrets';

/**
 * The webhooks service's domain objects (in its own module: context.ts and server.ts both need it),
 * reached by tests and the all-in-one process as `platform.subgraphs.webhooks.services`.
 */
export interface WebhooksServices {
  /** Every time the service writes; tests move it instead of waiting. */
  clock: Clock;
  /** Seals and opens endpoint signing secrets. */
  secrets: EndpointSecrets;
  /**
   * How endpoint host names are resolved, at registration and at every dispatch: the system's
   * resolver; tests replace `lookup` to map names to chosen addresses.
   */
  hosts: { lookup: HostLookup };
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  /** Sends due deliveries; tests kick it after moving the clock and wait for idle(). */
  dispatcher: Dispatcher;
}
