import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf, type Logger } from '@bastion/platform';
import type { Clock } from '../clock';
import type { WebhookPayload } from '../deliveries/delivery.entity';
import type { DisabledReason } from '../endpoints/endpoint.entity';
import type { EndpointSecrets } from '../secrets/endpoint-secrets';
import { dispatchWebhook, type DispatchResult } from './http-dispatch';
import { nextAttemptDelay, type Random } from './schedule';
import { webhookHeaders } from './signature';
import { systemLookup, type HostLookup } from './url-guard';

/** An endpoint whose failures began this long before a failed attempt is disabled (FAILING). */
export const FAILING_DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * Beyond an attempt's deadline (which covers resolving, connecting and reading the answer): time
 * for recording its outcome. A lease that still lapsed first would only let another process send
 * the delivery again (at least once), never lose it.
 */
export const LEASE_MARGIN_MS = 5000;

export interface DispatcherSettings {
  /** Attempts in flight at once in this process (WEBHOOKS_CONCURRENCY). */
  concurrency: number;
  /** Attempts in flight at once to one endpoint (WEBHOOKS_ENDPOINT_CONCURRENCY). */
  endpointConcurrency: number;
  /** One attempt's deadline (WEBHOOKS_TIMEOUT_MS). */
  timeoutMs: number;
  /** WEBHOOKS_ALLOW_PRIVATE: loopback receivers (development, tests). */
  allowPrivate: boolean;
  /**
   * How long a claimed delivery is held; default and minimum: the attempt's deadline plus
   * LEASE_MARGIN_MS, so only a dead holder loses it and its deliveries go out again soon after.
   */
  leaseMs?: number;
  /** The longest the dispatcher sleeps between looks at the table. */
  pollMs?: number;
}

/** The endpoint as the engine reports a change of it. */
export interface DisabledEndpoint {
  id: string;
  organizationId: string;
  url: string;
  eventTypes: string[];
  reason: DisabledReason;
  at: Date;
}

export interface DispatcherDeps {
  dataSource: DataSource;
  clock: Clock;
  secrets: EndpointSecrets;
  logger: Logger;
  lookup?: HostLookup;
  random?: Random;
  /** In the transaction that disables an endpoint: its audit entry and event. */
  recordDisabled?: (manager: EntityManager, endpoint: DisabledEndpoint) => Promise<void>;
  /** After that transaction committed: tell people (the ADMINs' mail for FAILING). */
  disabled?: (endpoint: DisabledEndpoint) => void;
}

export interface Dispatcher {
  /** Look for due deliveries now (after an insert, a replay, or a move of the clock). */
  kick(): void;
  /** Resolves once nothing due is claimable by this process and nothing is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The rows of an UPDATE ... RETURNING (TypeORM answers [rows, count] for an UPDATE). */
async function updateReturning<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return result as T[];
}

interface Claimed {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: WebhookPayload;
  attempt_count: number;
  lease_until: Date;
}

interface EndpointRow {
  id: string;
  organization_id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret: Buffer;
  previous_secret: Buffer | null;
  previous_secret_expires_at: Date | null;
}

/**
 * Sends due deliveries. A delivery is claimed in a short transaction (`FOR UPDATE SKIP LOCKED`)
 * that sets a lease; only then is it sent, outside any transaction, and its outcome recorded in a
 * second one. Two processes on one database therefore never send one delivery at once, and a
 * delivery whose process died (kill -9) is claimed again once its lease lapses. In flight at once:
 * at most `concurrency`, and at most `endpointConcurrency` per endpoint; an endpoint at its limit
 * is left out of the next claim, so a slow or dead endpoint never holds back another's deliveries.
 * Wakes at the earliest due time (at most `pollMs` later), and on kick().
 */
export function startDispatcher(settings: DispatcherSettings, deps: DispatcherDeps): Dispatcher {
  const { dataSource, clock, logger } = deps;
  const schema = schemaOf(dataSource);
  const leaseMs = Math.max(settings.leaseMs ?? 0, settings.timeoutMs + LEASE_MARGIN_MS);
  const pollMs = settings.pollMs ?? 1000;
  const random = deps.random ?? Math.random;
  const lookup = deps.lookup ?? systemLookup;

  const inFlight = new Map<string, Promise<void>>();
  const perEndpoint = new Map<string, number>();
  let pumping: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let waking: Promise<void> | undefined;
  let outage = false;
  // Stopping cuts attempts in flight short; their deliveries are released for the next process.
  const shutdown = new AbortController();

  const claim = async (room: number): Promise<Claimed[]> => {
    const now = clock.now();
    const full = [...perEndpoint]
      .filter(([, n]) => n >= settings.endpointConcurrency)
      .map(([id]) => id);
    return dataSource.transaction(async (manager) => {
      const candidates: { id: string; endpoint_id: string }[] = await manager.query(
        `SELECT d.id, d.endpoint_id
           FROM ${schema}.deliveries d JOIN ${schema}.endpoints e ON e.id = d.endpoint_id
          WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1
            AND (d.lease_until IS NULL OR d.lease_until <= $1)
            AND e.enabled
            AND NOT (d.endpoint_id = ANY ($2::uuid[])) AND NOT (d.id = ANY ($3::uuid[]))
          ORDER BY d.next_attempt_at, d.id
          LIMIT $4
          FOR UPDATE OF d SKIP LOCKED`,
        [now, full, [...inFlight.keys()], Math.max(room * 4, 50)],
      );
      const room_ = new Map<string, number>();
      const chosen: string[] = [];
      for (const { id, endpoint_id: endpointId } of candidates) {
        if (chosen.length >= room) break;
        const left =
          room_.get(endpointId) ??
          settings.endpointConcurrency - (perEndpoint.get(endpointId) ?? 0);
        if (left <= 0) continue;
        room_.set(endpointId, left - 1);
        chosen.push(id);
      }
      if (chosen.length === 0) return [];
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const claimed = await updateReturning<Claimed>(
        manager,
        `UPDATE ${schema}.deliveries SET lease_until = $1
          WHERE id = ANY ($2::uuid[])
          RETURNING id, endpoint_id, event_id, payload, attempt_count, lease_until`,
        [leaseUntil, chosen],
      );
      return claimed.map((row) => ({ ...row, lease_until: leaseUntil }));
    });
  };

  const release = (delivery: Claimed) =>
    dataSource.query(
      `UPDATE ${schema}.deliveries SET lease_until = NULL WHERE id = $1 AND lease_until = $2`,
      [delivery.id, delivery.lease_until],
    );

  const attempt = async (delivery: Claimed): Promise<void> => {
    const [endpoint]: EndpointRow[] = await dataSource.query(
      `SELECT id, organization_id, url, event_types, enabled, secret, previous_secret, previous_secret_expires_at
         FROM ${schema}.endpoints WHERE id = $1`,
      [delivery.endpoint_id],
    );
    if (!endpoint?.enabled) {
      // Disabled between the claim and now: leave it PENDING for when it is enabled again.
      await release(delivery);
      return;
    }
    const startedAt = clock.now();
    let secrets: string[];
    try {
      secrets = [deps.secrets.open(endpoint.secret, endpoint.id)];
      if (
        endpoint.previous_secret &&
        endpoint.previous_secret_expires_at &&
        new Date(endpoint.previous_secret_expires_at).getTime() > startedAt.getTime()
      ) {
        secrets.push(deps.secrets.open(endpoint.previous_secret, endpoint.id));
      }
    } catch (error) {
      // WEBHOOKS_ENCRYPTION_KEY changed under the sealed secret: a failed attempt in the log (the
      // ADMINs see it and rotate), not an error that repeats unseen at every lease.
      logger.error({ err: error, endpointId: endpoint.id }, 'webhook signing secret unreadable');
      const disabled = await record(delivery, endpoint, startedAt, {
        durationMs: 0,
        error: 'signing secret unreadable',
      });
      if (disabled) deps.disabled?.(disabled);
      return;
    }
    const { type, timestamp, data } = delivery.payload;
    // Built in this key order on every attempt (jsonb keeps its own order), so a retry sends the
    // same bytes as the first attempt.
    const body = JSON.stringify({ type, timestamp, data });
    // The receiver checks webhook-timestamp against its own clock (Standard Webhooks: a few
    // minutes of tolerance), so it is the real time of sending, not the service's test clock.
    const headers = webhookHeaders(secrets, delivery.event_id, new Date(), body);
    const result = await dispatchWebhook(
      { url: endpoint.url, headers, body },
      {
        timeoutMs: settings.timeoutMs,
        allowPrivate: settings.allowPrivate,
        lookup,
        signal: shutdown.signal,
      },
    );
    if (result.error === 'aborted') {
      // Stopped mid-attempt: not the receiver's failure. Released now rather than at the lease's
      // end, so the next process sends it again at once (at least once, maybe twice).
      await release(delivery);
      return;
    }
    const disabled = await record(delivery, endpoint, startedAt, result);
    if (disabled) deps.disabled?.(disabled);
  };

  /** The attempt's row and its consequences, in one transaction. Returns an endpoint it disabled. */
  const record = (
    delivery: Claimed,
    endpoint: EndpointRow,
    at: Date,
    result: DispatchResult,
  ): Promise<DisabledEndpoint | undefined> =>
    dataSource.transaction(async (manager) => {
      const now = clock.now();
      const attempts = delivery.attempt_count + 1;
      // Nothing to record when the delivery went with its endpoint (deleted meanwhile).
      const logged: unknown[] = await manager.query(
        `INSERT INTO ${schema}.attempts (id, delivery_id, at, response_status, duration_ms, error, response_body)
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM ${schema}.deliveries WHERE id = $2)
         RETURNING id`,
        [
          randomUUID(),
          delivery.id,
          at,
          result.status ?? null,
          result.durationMs,
          result.error ?? null,
          result.body ?? null,
        ],
      );
      if (logged.length === 0) return undefined;
      const settle = (status: 'PENDING' | 'SUCCEEDED' | 'FAILED', nextAt: Date | null) =>
        // Only while the lease is still this attempt's (a replay or another process after a lapse
        // owns it otherwise); the attempt stays in the log either way.
        manager.query(
          `UPDATE ${schema}.deliveries
              SET status = $1, attempt_count = $2, next_attempt_at = $3, lease_until = NULL, updated_at = $4
            WHERE id = $5 AND lease_until = $6`,
          [status, attempts, nextAt, now, delivery.id, delivery.lease_until],
        );
      const disable = async (reason: DisabledReason): Promise<DisabledEndpoint | undefined> => {
        const flipped = await updateReturning<{ id: string }>(
          manager,
          `UPDATE ${schema}.endpoints SET enabled = false, disabled_reason = $1, updated_at = $2
            WHERE id = $3 AND enabled RETURNING id`,
          [reason, now, endpoint.id],
        );
        // Another attempt may have disabled it first: one audit entry, one mail.
        if (flipped.length === 0) return undefined;
        const change: DisabledEndpoint = {
          id: endpoint.id,
          organizationId: endpoint.organization_id,
          url: endpoint.url,
          eventTypes: endpoint.event_types,
          reason,
          at: now,
        };
        await deps.recordDisabled?.(manager, change);
        return change;
      };

      const status = result.status;
      if (status !== undefined && status >= 200 && status < 300) {
        await settle('SUCCEEDED', null);
        await manager.query(
          `UPDATE ${schema}.endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
          [endpoint.id],
        );
        return undefined;
      }
      if (status === 410) {
        await settle('FAILED', null);
        return disable('GONE');
      }
      const delay = nextAttemptDelay(
        { attempt: attempts, status, retryAfter: result.retryAfter, now },
        random,
      );
      await settle(
        delay === null ? 'FAILED' : 'PENDING',
        delay === null ? null : new Date(now.getTime() + delay),
      );
      const [{ failing_since: failingSince }] = await updateReturning<{ failing_since: Date }>(
        manager,
        `UPDATE ${schema}.endpoints SET failing_since = COALESCE(failing_since, $1)
          WHERE id = $2 RETURNING failing_since`,
        [at, endpoint.id],
      );
      if (at.getTime() - new Date(failingSince).getTime() >= FAILING_DISABLE_AFTER_MS) {
        return disable('FAILING');
      }
      return undefined;
    });

  const start = (delivery: Claimed) => {
    perEndpoint.set(delivery.endpoint_id, (perEndpoint.get(delivery.endpoint_id) ?? 0) + 1);
    const running = attempt(delivery)
      .catch((error: unknown) =>
        // The lease lapses and the delivery is tried again; nothing is lost.
        logger.error({ err: error, deliveryId: delivery.id }, 'webhook attempt failed to run'),
      )
      .finally(() => {
        inFlight.delete(delivery.id);
        const left = (perEndpoint.get(delivery.endpoint_id) ?? 1) - 1;
        if (left > 0) perEndpoint.set(delivery.endpoint_id, left);
        else perEndpoint.delete(delivery.endpoint_id);
        void pump();
      });
    inFlight.set(delivery.id, running);
  };

  const fill = async () => {
    while (!stopped && inFlight.size < settings.concurrency) {
      const claimed = await claim(settings.concurrency - inFlight.size);
      if (claimed.length === 0) return;
      for (const delivery of claimed) start(delivery);
    }
  };

  const pump = (): Promise<void> => {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        again = false;
        await fill();
      } while (again && !stopped);
    })()
      .then(() => {
        if (outage) logger.info('webhook dispatch resumed');
        outage = false;
      })
      .catch((error: unknown) => {
        // The database away: retried at every wake-up, one warning per outage.
        if (!outage) logger.warn({ err: error }, 'webhook dispatch pass failed');
        outage = true;
      })
      .finally(() => {
        pumping = undefined;
        waking = scheduleWake();
      });
    return pumping;
  };

  const scheduleWake = async () => {
    if (stopped) return;
    let delay = pollMs;
    try {
      const [row]: { due: Date | null }[] = await dataSource.query(
        `SELECT min(GREATEST(d.next_attempt_at, COALESCE(d.lease_until, d.next_attempt_at))) AS due
           FROM ${schema}.deliveries d JOIN ${schema}.endpoints e ON e.id = d.endpoint_id
          WHERE d.status = 'PENDING' AND e.enabled`,
      );
      if (row?.due) delay = Math.min(pollMs, new Date(row.due).getTime() - clock.now().getTime());
    } catch {
      // The pass that follows fails too and says so (once per outage).
    }
    if (stopped) return;
    clearTimeout(timer);
    // Never a busy loop: a due delivery another process holds, or one waiting for an endpoint's
    // room, is looked at again shortly, and finishing attempts pump anyway.
    timer = setTimeout(() => void pump(), Math.max(delay, 100));
    timer.unref();
  };

  void pump();

  return {
    kick: () => {
      if (!stopped) void pump();
    },
    async idle() {
      for (;;) {
        await pump();
        if (inFlight.size === 0 && !pumping) return;
        await Promise.allSettled([...inFlight.values()]);
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      shutdown.abort();
      await pumping;
      await Promise.allSettled([...inFlight.values()]);
      await waking;
      clearTimeout(timer);
    },
  };
}
