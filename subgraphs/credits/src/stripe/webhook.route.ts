import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { readBody, scanJsonDepth, schemaOf, sendJson, type Route } from '@bastion/platform';
import { UUID } from '../accounts/validate';
import {
  handleStripeEvent,
  prefetchForEvent,
  type HandlerResult,
  type WebhookDeps,
} from './webhook-handlers';
import { auditStripe } from './audit';
import { stripeSdk } from './client';

/** Stripe's own default: a signature older than five minutes is refused (replay window). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const WEBHOOK_BODY_LIMIT = 512 * 1024;

/**
 * POST /webhooks/stripe (the gateway forwards the raw body here). The signature is checked with
 * the SDK over the exact bytes received; each event id is recorded in the transaction that
 * applies it, so a replay or a concurrent duplicate finds the row and credits nothing. A failure
 * while applying rolls everything back and answers 500, and Stripe delivers again later. An event
 * that does not match the configured package, user or price is FLAGGED: nothing granted, 200.
 */
export function stripeWebhookRoute(
  dataSource: DataSource,
  webhookSecret: string | undefined,
  deps: WebhookDeps,
): Route {
  return async (req, res) => {
    if (!webhookSecret) {
      sendJson(res, 503, { error: 'Stripe webhooks are not configured.' });
      return;
    }
    const body = await readBody(req, WEBHOOK_BODY_LIMIT);
    // The SDK parses the body once the signature holds; Stripe's events nest a few levels.
    if (scanJsonDepth(body).tooDeep) {
      sendJson(res, 400, { error: 'The body nests too deeply.' });
      return;
    }
    const header = req.headers['stripe-signature'];
    const sdk = await stripeSdk();
    let event: Stripe.Event;
    try {
      event = sdk.webhooks.constructEvent(
        body,
        typeof header === 'string' ? header : '',
        webhookSecret,
        SIGNATURE_TOLERANCE_SECONDS,
      );
    } catch (error) {
      deps.logger.warn(
        { reason: (error as Error).message },
        'stripe webhook refused: bad signature',
      );
      sendJson(res, 400, { error: 'Invalid signature.' });
      return;
    }
    const s = schemaOf(dataSource);
    const prefetched = await prefetchForEvent(deps, event);
    const result = await dataSource.transaction(async (manager): Promise<HandlerResult | null> => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${s}.stripe_events (id, type, outcome, received_at) VALUES ($1, $2, 'RECEIVED', now()) ON CONFLICT DO NOTHING RETURNING id`,
        [event.id, event.type],
      );
      if (inserted.length === 0) return null;
      const outcome = await handleStripeEvent(manager, deps, event, prefetched);
      const userId = outcome.userId && UUID.test(outcome.userId) ? outcome.userId : null;
      await manager.query(
        `UPDATE ${s}.stripe_events SET outcome = $2, user_id = $3, detail = $4 WHERE id = $1`,
        [event.id, outcome.outcome, userId, outcome.detail ?? null],
      );
      // A signed event that grants nothing is answered 200 (Stripe would retry anything else
      // for days, and a retry cannot fix it) and left for review: flagged row, audit, warn log.
      if (outcome.outcome === 'FLAGGED')
        await auditStripe(manager, 'credits.stripe_event_flagged', userId, {
          eventId: event.id,
          eventType: event.type,
          detail: outcome.detail ?? null,
        });
      return outcome;
    });
    if (result?.outcome === 'FLAGGED')
      deps.logger.warn(
        { eventId: event.id, type: event.type, detail: result.detail },
        'stripe event flagged',
      );
    sendJson(res, 200, {
      received: true,
      duplicate: result === null,
      outcome: result?.outcome ?? 'DUPLICATE',
    });
  };
}
