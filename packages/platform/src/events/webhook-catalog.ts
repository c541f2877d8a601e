import type { EventType } from './catalog';
import type { EventEnvelope } from './types';

/**
 * The webhook event catalog: the public names an organization's endpoints subscribe to, and how
 * the bus events become them. Names and data fields are API (README "Webhooks"): data only grows.
 * Each data payload is an explicit object built here, never an event's raw payload or an audit
 * entry's metadata, so an internal change cannot leak into a customer's system. Payloads carry no
 * IP addresses or user agents (the organization's audit log keeps those).
 */
export const WEBHOOK_EVENT_TYPES = {
  'webhook.ping': 'A test event, sent only on demand (sendTestWebhook).',
  'organization.updated': 'The organization was renamed.',
  'organization.security_changed': "The organization's requireMfa setting changed.",
  'organization.deleted': 'The organization was deleted.',
  'member.invited': 'Someone was invited to join the organization.',
  'invitation.revoked': 'An open invitation was revoked.',
  'invitation.accepted': 'An invitation was accepted: the user is a member.',
  'member.provisioned': 'Single sign-on added a user to the organization.',
  'member.role_changed': "A member's role changed.",
  'member.removed': 'A membership ended (removed, left, account deleted or by single sign-on).',
  'sso.connection_changed': 'An SSO connection was created, updated or deleted.',
  'sso.domain_added': 'A domain was added for single sign-on (not yet verified).',
  'sso.domain_verified': 'A domain was verified for single sign-on.',
  'sso.domain_removed': 'A single sign-on domain was removed.',
  'sso.sign_in': 'A user signed in through an SSO connection.',
  'sso.sign_in_failed': 'A sign-in through an SSO connection was refused.',
  'webhook.endpoint_changed':
    'A webhook endpoint was created, updated, deleted, disabled or had its secret rotated.',
  'credits.purchased': 'A member bought credits while the organization was active.',
  'credits.granted': 'A member was granted credits while the organization was active.',
  'credits.low': "A charge took a member's available credits below the low-balance threshold.",
  'ai.generation_completed':
    'A member completed an AI generation while the organization was active.',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;

/** The test event's type: sent on demand to one endpoint, whether it subscribes to it or not. */
export const WEBHOOK_PING: WebhookEventType = 'webhook.ping';

export function isWebhookEventType(name: unknown): name is WebhookEventType {
  return typeof name === 'string' && Object.hasOwn(WEBHOOK_EVENT_TYPES, name);
}

/** The bus events webhook deliveries are made from: the webhooks consumer subscribes to these. */
export const WEBHOOK_SOURCE_EVENT_TYPES = [
  'AUDIT_RECORDED',
  'ORGANIZATION_MEMBERSHIP_CHANGED',
  'ORGANIZATION_SECURITY_CHANGED',
  'ORGANIZATION_DELETED',
  'SSO_CONNECTION_CHANGED',
  'SSO_DOMAIN_VERIFIED',
  'SSO_SIGN_IN',
  'SSO_SIGN_IN_FAILED',
  'WEBHOOK_ENDPOINT_CHANGED',
  'CREDITS_PURCHASED',
  'CREDITS_GRANTED',
  'CREDITS_LOW',
  'AI_GENERATION_COMPLETED',
] as const satisfies readonly EventType[];

export type WebhookSourceEventType = (typeof WEBHOOK_SOURCE_EVENT_TYPES)[number];

/** One webhook event a bus event makes: its type, the organization whose endpoints get it, its data. */
export interface WebhookEvent {
  type: WebhookEventType;
  organizationId: string;
  data: Record<string, unknown>;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/**
 * The webhook events a bus event makes: none (not an organization's event, or not one the catalog
 * publishes), or one per organization it concerns. Never two for one organization: a delivery is
 * unique per endpoint and bus event id (`webhook-id`), so a second would be dropped.
 */
export function webhookEventsOf(event: EventEnvelope): WebhookEvent[] {
  const made = webhookEventOf(event);
  return made ? [made] : [];
}

function webhookEventOf(event: EventEnvelope): WebhookEvent | null {
  switch (event.type) {
    case 'AUDIT_RECORDED':
      return fromAudit(event.data);
    case 'ORGANIZATION_MEMBERSHIP_CHANGED': {
      const { organizationId, userId, role, reason } = event.data;
      return role === null
        ? { type: 'member.removed', organizationId, data: { organizationId, userId, reason } }
        : {
            type: 'member.role_changed',
            organizationId,
            data: { organizationId, userId, role, reason },
          };
    }
    case 'ORGANIZATION_SECURITY_CHANGED': {
      const { organizationId, requireMfa, actorId } = event.data;
      return {
        type: 'organization.security_changed',
        organizationId,
        data: { organizationId, requireMfa, actorId },
      };
    }
    case 'ORGANIZATION_DELETED': {
      const { organizationId, name, reason, actorId } = event.data;
      return {
        type: 'organization.deleted',
        organizationId,
        data: { organizationId, name, reason, actorId },
      };
    }
    case 'SSO_CONNECTION_CHANGED': {
      const { organizationId, connectionId, change, kind, name, actorId } = event.data;
      return {
        type: 'sso.connection_changed',
        organizationId,
        data: { organizationId, connectionId, change, kind, name, actorId },
      };
    }
    case 'SSO_DOMAIN_VERIFIED': {
      const { organizationId, domainId, domain, method, actorId } = event.data;
      return {
        type: 'sso.domain_verified',
        organizationId,
        data: { organizationId, domainId, domain, method, actorId },
      };
    }
    case 'SSO_SIGN_IN': {
      const { organizationId, connectionId, userId, account, role } = event.data;
      return {
        type: 'sso.sign_in',
        organizationId,
        data: { organizationId, connectionId, userId, account, role },
      };
    }
    case 'SSO_SIGN_IN_FAILED': {
      const { organizationId, connectionId, reason } = event.data;
      return {
        type: 'sso.sign_in_failed',
        organizationId,
        data: { organizationId, connectionId, reason },
      };
    }
    case 'WEBHOOK_ENDPOINT_CHANGED': {
      const { organizationId, endpointId, change, reason, actorId } = event.data;
      return {
        type: 'webhook.endpoint_changed',
        organizationId,
        data: { organizationId, endpointId, change, reason, actorId },
      };
    }
    case 'CREDITS_PURCHASED': {
      const { organizationId, userId, packageId, credits, transactionId, checkoutSessionId } =
        event.data;
      if (!organizationId) return null;
      const { amountCents, currency } = event.data;
      return {
        type: 'credits.purchased',
        organizationId,
        data: {
          organizationId,
          userId,
          packageId,
          credits,
          transactionId,
          checkoutSessionId,
          amountCents,
          currency,
        },
      };
    }
    case 'CREDITS_GRANTED': {
      const { organizationId, userId, credits, source, packageId, transactionId } = event.data;
      if (!organizationId) return null;
      return {
        type: 'credits.granted',
        organizationId,
        data: { organizationId, userId, credits, source, packageId, transactionId },
      };
    }
    case 'CREDITS_LOW': {
      const { organizationId, userId, available, threshold, transactionId } = event.data;
      if (!organizationId) return null;
      return {
        type: 'credits.low',
        organizationId,
        data: { organizationId, userId, available, threshold, transactionId },
      };
    }
    case 'AI_GENERATION_COMPLETED': {
      const { organizationId, generationId, userId, model, creditsCharged } = event.data;
      if (!organizationId) return null;
      const { inputTokens, outputTokens, thinkingTokens } = event.data;
      return {
        type: 'ai.generation_completed',
        organizationId,
        data: {
          organizationId,
          generationId,
          userId,
          model,
          inputTokens,
          outputTokens,
          thinkingTokens,
          creditsCharged,
        },
      };
    }
    default:
      return null;
  }
}

type AuditData = EventEnvelope<'AUDIT_RECORDED'>['data'];

/**
 * The audit actions that become webhook events. Changes that also have a typed event are taken
 * from that event instead (membership changes, requireMfa, SSO connections and verifications),
 * so no change is delivered twice; organization.created is left out (no endpoint exists yet).
 * An entry whose metadata lacks a field its webhook needs makes none rather than a malformed one.
 */
function fromAudit(entry: AuditData): WebhookEvent | null {
  const organizationId = text(entry.organizationId);
  if (!organizationId) return null;
  const meta = entry.metadata;
  const actorId = entry.actorId;
  const make = (type: WebhookEventType, data: Record<string, unknown>): WebhookEvent | null =>
    Object.values(data).some((value) => value === undefined)
      ? null
      : { type, organizationId, data: { organizationId, ...data } };
  const targetId = text(entry.targetId) ?? undefined;
  const field = (name: string): string | undefined => text(meta[name]) ?? undefined;
  switch (entry.action) {
    case 'organization.updated':
      return make('organization.updated', { name: field('name'), slug: field('slug'), actorId });
    case 'member.invited':
      return make('member.invited', {
        invitationId: targetId,
        email: field('email'),
        role: field('role'),
        actorId,
      });
    case 'invitation.revoked':
      return make('invitation.revoked', { invitationId: targetId, email: field('email'), actorId });
    case 'invitation.accepted':
      return make('invitation.accepted', {
        invitationId: targetId,
        userId: text(actorId) ?? undefined,
        role: field('role'),
      });
    case 'member.sso_provisioned':
      return make('member.provisioned', {
        userId: targetId,
        role: field('role'),
        connectionId: field('connectionId'),
      });
    case 'sso.domain_added':
      return make('sso.domain_added', { domainId: targetId, domain: field('domain'), actorId });
    case 'sso.domain_removed':
      return make('sso.domain_removed', {
        domainId: targetId,
        domain: field('domain'),
        wasVerified: typeof meta.wasVerified === 'boolean' ? meta.wasVerified : undefined,
        actorId,
      });
    default:
      return null;
  }
}
