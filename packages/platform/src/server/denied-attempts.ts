import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { ClientInfo } from '../auth/forwarded-claims';
import type { Viewer } from '../auth/viewer';
import type { DeniedSubject } from '../errors/app-error';
import { recordAudit } from '../audit/record-audit';
import type { Logger } from '../logging/logger';
import type { RateLimiter } from '../limits/rate-limiter';

/** Audit actions of refusals; names are API for the log's readers. */
export const ACCESS_DENIED = 'access.denied';
export const ACCESS_DENIED_SUPPRESSED = 'access.denied.suppressed';

export interface DeniedAttemptLimits {
  /** Refusals recorded per actor and window; the next one is a single summary, the rest nothing. */
  perActor: number;
  /** Refusals one process records per window over every actor (many accounts, many addresses). */
  overall: number;
  windowSeconds: number;
}

/** 10 per actor and 10 minutes, 1,000 per process and 10 minutes. */
export const DENIED_ATTEMPT_LIMITS: DeniedAttemptLimits = {
  perActor: 10,
  overall: 1000,
  windowSeconds: 600,
};

/** One refusal of one field (repeats of it in one request are counted, not recorded again). */
export interface DeniedAttempt {
  viewer: Viewer;
  client: ClientInfo | null;
  /** The field's response path without list indices, e.g. `organization.invitations`. */
  field: string;
  /** The operation's type and name, e.g. `mutation Invite`. */
  operation: string | null;
  reason: string;
  subject?: DeniedSubject;
  /** How often the request was refused this field. */
  count: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actorOf(viewer: Viewer, client: ClientInfo | null): { id: string | null; key: string } {
  if (viewer.kind === 'user') return { id: viewer.userId, key: `user:${viewer.userId}` };
  if (viewer.kind === 'service') return { id: viewer.name, key: `service:${viewer.name}` };
  return { id: null, key: `ip:${client?.ip ?? 'unknown'}` };
}

/**
 * Records refused attempts (FORBIDDEN) as AUDIT_RECORDED events. The request's own transaction
 * failed with the refusal, so each entry is written to the outbox in a transaction of its own.
 * Bounded: an attacker repeating refused requests costs at most `perActor` entries per window,
 * plus one summary saying the rest of the window goes unrecorded, and every actor together at
 * most `overall` per process and window (counters in Redis when configured, else in memory).
 */
export class DeniedAttemptRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limiter: RateLimiter,
    private readonly logger: Logger,
    private readonly service: string,
    private readonly published: () => void = () => {},
    private readonly limits: DeniedAttemptLimits = DENIED_ATTEMPT_LIMITS,
  ) {}

  async record(attempt: DeniedAttempt): Promise<void> {
    const actor = actorOf(attempt.viewer, attempt.client);
    const { windowSeconds, perActor, overall } = this.limits;
    const { count } = await this.limiter.hit(`denied:${actor.key}`, windowSeconds);
    if (count > perActor + 1) return;
    const total = await this.limiter.hit(`denied:*:${this.service}`, windowSeconds);
    if (total.count > overall) {
      if (total.count === overall + 1)
        this.logger.warn(
          { overall, windowSeconds },
          'refused attempts: recording paused for this window',
        );
      return;
    }
    const suppressed = count === perActor + 1;
    const organizationId = attempt.subject?.organizationId;
    await this.dataSource.transaction((manager) =>
      recordAudit(manager, {
        organizationId: organizationId && UUID.test(organizationId) ? organizationId : null,
        actorId: actor.id,
        action: suppressed ? ACCESS_DENIED_SUPPRESSED : ACCESS_DENIED,
        targetType: 'field',
        targetId: `${this.service}:${attempt.field}`,
        client: attempt.client,
        metadata: suppressed
          ? { service: this.service, limit: perActor, windowSeconds }
          : {
              service: this.service,
              field: attempt.field,
              operation: attempt.operation,
              code: 'FORBIDDEN',
              reason: attempt.reason,
              permission: attempt.subject?.permission ?? null,
              count: attempt.count,
              // An impersonation session's refusals name the support actor in the user's log.
              ...(attempt.viewer.kind === 'user' && attempt.viewer.actor
                ? { impersonatedBy: attempt.viewer.actor.sub }
                : {}),
            },
      }),
    );
    this.published();
  }
}

/** The refusals among a request's errors, one per field (indices dropped), reason and organization. */
export function deniedAttemptsOf(
  errors: readonly GraphQLError[],
): Omit<DeniedAttempt, 'viewer' | 'client' | 'operation'>[] {
  const byField = new Map<string, Omit<DeniedAttempt, 'viewer' | 'client' | 'operation'>>();
  for (const error of errors) {
    if (error.extensions?.code !== 'FORBIDDEN') continue;
    const field = (error.path ?? []).filter((p) => typeof p === 'string').join('.') || '(request)';
    const original = error.originalError as { denied?: DeniedSubject } | undefined;
    const key = `${field}\n${error.message}\n${original?.denied?.organizationId ?? ''}`;
    const seen = byField.get(key);
    if (seen) seen.count += 1;
    else byField.set(key, { field, reason: error.message, subject: original?.denied, count: 1 });
  }
  return [...byField.values()];
}

/**
 * Every FORBIDDEN a subgraph answers, whether its tier refused the field (graphql-shield) or the
 * service's own check did (e.g. a role), goes to the recorder once the request is done. A failure
 * to record is logged; it never changes the answer.
 */
export function deniedAttemptsPlugin<C extends { viewer: Viewer; client: ClientInfo }>(
  recorder: DeniedAttemptRecorder,
  logger: Logger,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operation, operationName }) {
          const attempts = deniedAttemptsOf(errors);
          if (attempts.length === 0 || !contextValue?.viewer) return;
          // The client's own name: the gateway's query plan adds `__<subgraph>__<step>`.
          const own = operationName?.replace(/__[a-z0-9_]+__\d+$/, '');
          const name = operation ? `${operation.operation}${own ? ` ${own}` : ''}` : null;
          for (const attempt of attempts) {
            try {
              await recorder.record({
                ...attempt,
                viewer: contextValue.viewer,
                client: contextValue.client ?? null,
                operation: name,
              });
            } catch (error) {
              logger.warn(
                { err: error, field: attempt.field },
                'a refused attempt was not recorded',
              );
            }
          }
        },
      };
    },
  };
}
