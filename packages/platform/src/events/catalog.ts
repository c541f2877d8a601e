import { z } from 'zod';
import { ROLES } from '../auth/viewer';

/**
 * The one catalog of events services exchange: each type's payload schema and version. Names and
 * payload field names are API (docs/api.md "Events"); payloads only grow. An added optional field keeps
 * the version; anything else is a new version and stays readable by the consumers that exist.
 * Producers are checked strictly (a field the catalog does not know is a mistake); consumers
 * ignore fields they do not know, so a newer producer never breaks an older consumer.
 */

const id = z.guid();
const time = z.iso.datetime({ offset: true });
const role = z.enum(ROLES);
const mfaKind = z.enum(['TOTP', 'PASSKEY']);

interface CatalogEntry<S extends z.ZodObject = z.ZodObject> {
  version: number;
  description: string;
  payload: S;
}

function entry<S extends z.ZodObject>(
  version: number,
  description: string,
  payload: S,
): CatalogEntry<S> {
  return { version, description, payload };
}

export const EVENT_CATALOG = {
  USER_CREATED: entry(
    1,
    'An account was registered (password or first federated sign-in).',
    z.object({ userId: id, email: z.string(), displayName: z.string().nullable() }),
  ),
  USER_EMAIL_VERIFIED: entry(
    1,
    'An address was proven (verification link, email change, federated sign-in).',
    z.object({ userId: id, email: z.string() }),
  ),
  USER_DELETED: entry(1, 'An account was deleted.', z.object({ userId: id })),
  ORGANIZATION_DELETED: entry(
    1,
    'An organization was deleted (by an ADMIN, or with its last member).',
    z.object({
      organizationId: id,
      name: z.string().nullable(),
      memberIds: z.array(id),
      actorId: z.string().nullable(),
      reason: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      at: time,
    }),
  ),
  ORGANIZATION_MEMBERSHIP_CHANGED: entry(
    1,
    "A member's role changed or the membership ended (`role` null).",
    z.object({
      organizationId: id,
      userId: id,
      role: role.nullable(),
      reason: z.string(),
      changedAt: time,
    }),
  ),
  ORGANIZATION_SECURITY_CHANGED: entry(
    1,
    "An organization's security settings changed (`requireMfa`: members must have used a second factor).",
    z.object({
      organizationId: id,
      requireMfa: z.boolean(),
      actorId: z.string().nullable(),
      changedAt: time,
    }),
  ),
  CREDITS_PURCHASED: entry(
    1,
    'A Stripe checkout was paid and its package credited.',
    z.object({
      userId: id,
      packageId: z.string(),
      credits: z.number().int(),
      transactionId: z.string(),
      checkoutSessionId: z.string(),
      amountCents: z.number().int(),
      currency: z.string(),
    }),
  ),
  SESSION_REVOKED: entry(
    1,
    'A session (refresh-token family) was revoked: its access tokens are void at once.',
    z.object({ sessionId: id, userId: id, reason: z.string() }),
  ),
  USER_TOKENS_REVOKED: entry(
    1,
    'Every token of the user issued before `validAfter` (Unix seconds) is void.',
    z.object({ userId: id, validAfter: z.number().int(), reason: z.string() }),
  ),
  ORGANIZATION_TOKENS_REVOKED: entry(
    1,
    'Access tokens carrying the organization (of `userId`, or of everyone when null) with a role other than `role`, issued no later than `changedAt`, are void.',
    z.object({
      organizationId: id,
      userId: id.nullable(),
      role: role.nullable(),
      changedAt: time,
      reason: z.string(),
    }),
  ),
  SERVICE_TOKEN_ISSUED: entry(
    1,
    'A service token was issued: gateways accept it from now on.',
    z.object({ name: z.string(), scopes: z.array(z.string()), sha256: z.string() }),
  ),
  SERVICE_TOKEN_REVOKED: entry(
    1,
    'Issued service tokens were revoked: gateways refuse them from now on.',
    z.object({ name: z.string(), sha256s: z.array(z.string()) }),
  ),
  API_KEY_CREATED: entry(
    1,
    'A user created a personal API key: gateways accept it from now on (until `expiresAt`).',
    z.object({
      keyId: id,
      userId: id,
      sha256: z.string(),
      capabilities: z.array(z.string()),
      organizationId: id.nullable(),
      creditCeiling: z.number().int().nullable(),
      ceilingPeriod: z.enum(['DAY', 'MONTH']).nullable(),
      expiresAt: time.nullable(),
    }),
  ),
  API_KEY_REVOKED: entry(
    1,
    "A personal API key was revoked (by its user, or with the user's account): gateways refuse it from now on.",
    z.object({ keyId: id, userId: id, sha256: z.string(), reason: z.string() }),
  ),
  SSO_CONNECTION_CHANGED: entry(
    1,
    "An organization's SSO connection was created, updated or deleted (for its audit log).",
    z.object({
      organizationId: id,
      connectionId: id,
      change: z.enum(['created', 'updated', 'deleted']),
      kind: z.enum(['SAML', 'OIDC']),
      name: z.string(),
      actorId: z.string().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      at: time,
    }),
  ),
  SSO_DOMAIN_VERIFIED: entry(
    1,
    "A domain was verified for an organization's single sign-on (`method` dns or operator).",
    z.object({
      organizationId: id,
      domainId: id,
      domain: z.string(),
      method: z.enum(['dns', 'operator']),
      actorId: z.string().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      at: time,
    }),
  ),
  SSO_SIGN_IN: entry(
    1,
    'A user signed in through an SSO connection: an account `provisioned` (new), `linked` (existing, now linked) or `existing` (linked before); `role` is the membership after the group mapping (null: none).',
    z.object({
      organizationId: id,
      connectionId: id,
      userId: id,
      account: z.enum(['provisioned', 'linked', 'existing']),
      role: role.nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      at: time,
    }),
  ),
  SSO_SIGN_IN_FAILED: entry(
    1,
    'An SSO sign-in through a connection was refused (`reason`: the error code or reason given to the browser).',
    z.object({
      organizationId: id,
      connectionId: id,
      reason: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      at: time,
    }),
  ),
  MFA_FACTOR_ADDED: entry(
    1,
    'A second factor (TOTP or passkey) was confirmed for the user.',
    z.object({ userId: id, factorId: id, kind: mfaKind }),
  ),
  MFA_FACTOR_REMOVED: entry(
    1,
    'A second factor was removed; `mfaEnabled` false when it was the last one.',
    z.object({ userId: id, factorId: id, kind: mfaKind, mfaEnabled: z.boolean() }),
  ),
  MFA_RECOVERY_CODE_USED: entry(
    1,
    'A recovery code signed the user in; `remaining` unused codes are left.',
    z.object({ userId: id, remaining: z.number().int() }),
  ),
  MFA_RESET: entry(
    1,
    'Support removed every second factor and recovery code of the user, and signed out their sessions.',
    z.object({ userId: id, actorId: z.string(), reason: z.string() }),
  ),
  AUDIT_RECORDED: entry(
    1,
    'A security-relevant action, for the audit log (`organizationId` absent or null: a personal or platform entry).',
    z.object({
      organizationId: id.nullable().optional(),
      actorId: z.string().nullable(),
      action: z.string(),
      targetType: z.string(),
      targetId: z.string().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      metadata: z.record(z.string(), z.unknown()),
      at: time,
    }),
  ),
} as const;

export type EventCatalog = typeof EVENT_CATALOG;
export type EventType = keyof EventCatalog;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** What a producer passes for an event of type T (and what a consumer receives). */
export type EventPayload<T extends EventType> = z.infer<EventCatalog[T]['payload']>;

export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_CATALOG, type);
}

/** A producer's payload is refused: an unknown type, or a payload the catalog does not describe. */
export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly reason: string,
  ) {
    super(`event ${type} refused: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
    )
    .join('; ');
}

/** Checks a payload before it enters the outbox: strict, so a field the catalog lacks is refused. */
export function checkPayload<T extends EventType>(type: T, data: unknown): EventPayload<T> {
  if (!isEventType(type)) throw new InvalidEventError(String(type), 'unknown event type');
  const result = EVENT_CATALOG[type].payload.strict().safeParse(data);
  if (!result.success) throw new InvalidEventError(type, describe(result.error));
  return result.data as EventPayload<T>;
}

/** Reads a payload a consumer received: unknown fields are ignored, so payloads may grow. */
export function readPayload(
  type: EventType,
  data: unknown,
): { ok: true; data: unknown } | { ok: false; reason: string } {
  const result = EVENT_CATALOG[type].payload.safeParse(data);
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, reason: describe(result.error) };
}
