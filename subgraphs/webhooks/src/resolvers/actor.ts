import { requireUser } from '@bastion/platform';
import type { WebhooksContext } from '../context';
import type { RequestActor } from '../endpoints/endpoint.service';

/** The signed-in user a request acts as (the tiers let only users through), with where it came from. */
export function actorOf(ctx: WebhooksContext): RequestActor {
  return { actorId: requireUser(ctx.viewer).userId, client: ctx.client };
}
