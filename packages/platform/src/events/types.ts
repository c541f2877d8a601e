/** The events services exchange. Names are API; payloads only grow. */
export const EVENT_TYPES = [
  'USER_CREATED',
  'USER_EMAIL_VERIFIED',
  'USER_DELETED',
  'ORGANIZATION_DELETED',
  /**
   * A member's role changed or the membership ended (`organizationId`, `userId`, `role`: the role
   * from now on or null, `changedAt`, `reason`): published by orgs with the change.
   */
  'ORGANIZATION_MEMBERSHIP_CHANGED',
  'CREDITS_PURCHASED',
  /** A session (refresh-token family) was revoked: the gateway refuses its access tokens at once. */
  'SESSION_REVOKED',
  /** Every token of a user issued before `validAfter` is void (logout-all, password change, deletion). */
  'USER_TOKENS_REVOKED',
  /**
   * Access tokens carrying `organizationId` (of `userId`, or of every user when it is null) with a
   * role other than `role` (any role when null), issued no later than `changedAt`, are void.
   */
  'ORGANIZATION_TOKENS_REVOKED',
  /** A service token was issued (its hash, name and scopes): gateways accept it from now on. */
  'SERVICE_TOKEN_ISSUED',
  /** Issued service tokens were revoked (`name`, `sha256s`): gateways refuse them from now on. */
  'SERVICE_TOKEN_REVOKED',
  /** A security-relevant action, for the audit log. */
  'AUDIT_RECORDED',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventEnvelope<T = Record<string, unknown>> {
  /** Unique; consumers record it so a redelivery has no second effect. */
  id: string;
  type: EventType;
  occurredAt: string;
  /** The service whose outbox the event left. */
  source: string;
  data: T;
}

export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

export interface BroadcastOptions {
  /**
   * Called when this instance may have missed broadcasts (the connection to the bus dropped and
   * came back): a cache fed by broadcasts reloads from its source of truth then.
   */
  onGap?: () => void;
}

/** Whether the bus can take events now, for readiness and for the relay to pause. */
export interface BusHealth {
  connected: boolean;
}

/**
 * At-least-once delivery between services. Two kinds of subscriber: a consumer group (durable;
 * one handler of the group takes each event, including events published before it subscribed
 * or while it was down) and a broadcast (every instance hears every event from now on).
 */
export interface EventBus {
  /**
   * Resolves once the bus has durably stored the event (never merely because some handler
   * happened to be listening). Publishing one id twice stores it once.
   */
  publish(event: EventEnvelope): Promise<void>;
  /** One durable consumer group per name: each event reaches one handler of each group. */
  subscribe(
    consumer: string,
    types: readonly EventType[],
    handler: EventHandler,
  ): Promise<Subscription>;
  /** Every instance that calls this hears every event of these types published from now on. */
  broadcast(
    types: readonly EventType[],
    handler: EventHandler,
    options?: BroadcastOptions,
  ): Promise<Subscription>;
  health(): BusHealth;
  close(): Promise<void>;
}
