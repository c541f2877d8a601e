import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, checkPayload, type EventType } from './catalog';
import type { EventEnvelope } from './types';
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_SOURCE_EVENT_TYPES,
  isWebhookEventType,
  webhookEventsOf,
} from './webhook-catalog';

const ORG = 'c0a80101-0000-4000-8000-0000000000aa';
const ALICE = 'c0a80101-0000-4000-8000-000000000001';
const BOB = 'c0a80101-0000-4000-8000-000000000002';
const INVITATION = 'c0a80101-0000-4000-8000-0000000000b1';
const CONNECTION = 'c0a80101-0000-4000-8000-0000000000cc';
const DOMAIN = 'c0a80101-0000-4000-8000-0000000000dd';
const TRANSACTION = 'c0a80101-0000-4000-8000-0000000000bb';
const GENERATION = 'c0a80101-0000-4000-8000-0000000000ee';
const ENDPOINT = 'c0a80101-0000-4000-8000-0000000000e1';
const AT = '2026-12-07T06:00:00.000Z';

/** A bus event as a consumer receives it; the payload is checked as its producer's would be. */
function event<T extends EventType>(type: T, data: unknown): EventEnvelope {
  return {
    id: 'c0a80101-0000-4000-8000-00000000ffff',
    type,
    occurredAt: AT,
    source: 'test',
    data: checkPayload(type, data),
  } as EventEnvelope;
}

/** An audit entry as the orgs and auth producers write it (their actions and metadata). */
function audit(
  action: string,
  fields: { actorId?: string | null; targetType: string; targetId: string | null },
  metadata: Record<string, unknown>,
  organizationId: string | null | undefined = ORG,
): EventEnvelope {
  return event('AUDIT_RECORDED', {
    ...(organizationId !== undefined && { organizationId }),
    actorId: fields.actorId === undefined ? ALICE : fields.actorId,
    action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    ip: '127.0.0.1',
    userAgent: 'curl/8',
    metadata,
    at: AT,
  });
}

/**
 * Each source event with the webhook event it must become, written out by hand from the
 * documented data fields (README "Webhooks"), never computed from the code under test.
 */
const CASES: { name: string; event: EventEnvelope; expected: object[] }[] = [
  {
    name: 'organization.updated from its audit entry',
    event: audit(
      'organization.updated',
      { targetType: 'organization', targetId: ORG },
      { name: 'Acme Two', slug: 'acme-two' },
    ),
    expected: [
      {
        type: 'organization.updated',
        organizationId: ORG,
        data: { organizationId: ORG, name: 'Acme Two', slug: 'acme-two', actorId: ALICE },
      },
    ],
  },
  {
    name: 'member.invited from its audit entry (the replaced invitations stay internal)',
    event: audit(
      'member.invited',
      { targetType: 'invitation', targetId: INVITATION },
      { email: 'bob@example.com', role: 'EDITOR', replaced: [] },
    ),
    expected: [
      {
        type: 'member.invited',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          invitationId: INVITATION,
          email: 'bob@example.com',
          role: 'EDITOR',
          actorId: ALICE,
        },
      },
    ],
  },
  {
    name: 'invitation.revoked from its audit entry',
    event: audit(
      'invitation.revoked',
      { targetType: 'invitation', targetId: INVITATION },
      { email: 'bob@example.com' },
    ),
    expected: [
      {
        type: 'invitation.revoked',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          invitationId: INVITATION,
          email: 'bob@example.com',
          actorId: ALICE,
        },
      },
    ],
  },
  {
    name: 'invitation.accepted from its audit entry (the accepting user is the actor)',
    event: audit(
      'invitation.accepted',
      { actorId: BOB, targetType: 'invitation', targetId: INVITATION },
      { role: 'VIEWER' },
    ),
    expected: [
      {
        type: 'invitation.accepted',
        organizationId: ORG,
        data: { organizationId: ORG, invitationId: INVITATION, userId: BOB, role: 'VIEWER' },
      },
    ],
  },
  {
    name: 'member.provisioned from the SSO provisioning audit entry',
    event: audit(
      'member.sso_provisioned',
      { actorId: `sso:${CONNECTION}`, targetType: 'user', targetId: BOB },
      { role: 'EDITOR', source: 'sso', connectionId: CONNECTION },
    ),
    expected: [
      {
        type: 'member.provisioned',
        organizationId: ORG,
        data: { organizationId: ORG, userId: BOB, role: 'EDITOR', connectionId: CONNECTION },
      },
    ],
  },
  {
    name: 'sso.domain_added from auth audit entry',
    event: audit(
      'sso.domain_added',
      { targetType: 'sso_domain', targetId: DOMAIN },
      { domain: 'example.test' },
    ),
    expected: [
      {
        type: 'sso.domain_added',
        organizationId: ORG,
        data: { organizationId: ORG, domainId: DOMAIN, domain: 'example.test', actorId: ALICE },
      },
    ],
  },
  {
    name: 'sso.domain_removed from auth audit entry',
    event: audit(
      'sso.domain_removed',
      { targetType: 'sso_domain', targetId: DOMAIN },
      { domain: 'example.test', wasVerified: true },
    ),
    expected: [
      {
        type: 'sso.domain_removed',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          domainId: DOMAIN,
          domain: 'example.test',
          wasVerified: true,
          actorId: ALICE,
        },
      },
    ],
  },
  {
    name: 'member.role_changed from ORGANIZATION_MEMBERSHIP_CHANGED',
    event: event('ORGANIZATION_MEMBERSHIP_CHANGED', {
      organizationId: ORG,
      userId: BOB,
      role: 'ADMIN',
      reason: 'promoted_last_admin_deleted',
      changedAt: AT,
    }),
    expected: [
      {
        type: 'member.role_changed',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          userId: BOB,
          role: 'ADMIN',
          reason: 'promoted_last_admin_deleted',
        },
      },
    ],
  },
  {
    name: 'member.removed from ORGANIZATION_MEMBERSHIP_CHANGED with no role',
    event: event('ORGANIZATION_MEMBERSHIP_CHANGED', {
      organizationId: ORG,
      userId: BOB,
      role: null,
      reason: 'left',
      changedAt: AT,
    }),
    expected: [
      {
        type: 'member.removed',
        organizationId: ORG,
        data: { organizationId: ORG, userId: BOB, reason: 'left' },
      },
    ],
  },
  {
    name: 'organization.security_changed from ORGANIZATION_SECURITY_CHANGED',
    event: event('ORGANIZATION_SECURITY_CHANGED', {
      organizationId: ORG,
      requireMfa: true,
      actorId: ALICE,
      changedAt: AT,
    }),
    expected: [
      {
        type: 'organization.security_changed',
        organizationId: ORG,
        data: { organizationId: ORG, requireMfa: true, actorId: ALICE },
      },
    ],
  },
  {
    name: 'organization.deleted from ORGANIZATION_DELETED (no member list, address or agent)',
    event: event('ORGANIZATION_DELETED', {
      organizationId: ORG,
      name: 'Acme',
      memberIds: [ALICE, BOB],
      actorId: ALICE,
      reason: 'deleted',
      ip: '127.0.0.1',
      userAgent: 'curl/8',
      at: AT,
    }),
    expected: [
      {
        type: 'organization.deleted',
        organizationId: ORG,
        data: { organizationId: ORG, name: 'Acme', reason: 'deleted', actorId: ALICE },
      },
    ],
  },
  {
    name: 'sso.connection_changed from SSO_CONNECTION_CHANGED',
    event: event('SSO_CONNECTION_CHANGED', {
      organizationId: ORG,
      connectionId: CONNECTION,
      change: 'updated',
      kind: 'OIDC',
      name: 'Okta',
      actorId: ALICE,
      ip: '127.0.0.1',
      userAgent: null,
      at: AT,
    }),
    expected: [
      {
        type: 'sso.connection_changed',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          connectionId: CONNECTION,
          change: 'updated',
          kind: 'OIDC',
          name: 'Okta',
          actorId: ALICE,
        },
      },
    ],
  },
  {
    name: 'sso.domain_verified from SSO_DOMAIN_VERIFIED',
    event: event('SSO_DOMAIN_VERIFIED', {
      organizationId: ORG,
      domainId: DOMAIN,
      domain: 'example.test',
      method: 'operator',
      actorId: null,
      ip: null,
      userAgent: null,
      at: AT,
    }),
    expected: [
      {
        type: 'sso.domain_verified',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          domainId: DOMAIN,
          domain: 'example.test',
          method: 'operator',
          actorId: null,
        },
      },
    ],
  },
  {
    name: 'sso.sign_in from SSO_SIGN_IN',
    event: event('SSO_SIGN_IN', {
      organizationId: ORG,
      connectionId: CONNECTION,
      userId: BOB,
      account: 'provisioned',
      role: null,
      ip: '127.0.0.1',
      userAgent: 'Firefox',
      at: AT,
    }),
    expected: [
      {
        type: 'sso.sign_in',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          connectionId: CONNECTION,
          userId: BOB,
          account: 'provisioned',
          role: null,
        },
      },
    ],
  },
  {
    name: 'sso.sign_in_failed from SSO_SIGN_IN_FAILED',
    event: event('SSO_SIGN_IN_FAILED', {
      organizationId: ORG,
      connectionId: CONNECTION,
      reason: 'SSO_NO_ACCOUNT',
      ip: '127.0.0.1',
      userAgent: null,
      at: AT,
    }),
    expected: [
      {
        type: 'sso.sign_in_failed',
        organizationId: ORG,
        data: { organizationId: ORG, connectionId: CONNECTION, reason: 'SSO_NO_ACCOUNT' },
      },
    ],
  },
  {
    name: 'webhook.endpoint_changed from WEBHOOK_ENDPOINT_CHANGED (disabled by the platform)',
    event: event('WEBHOOK_ENDPOINT_CHANGED', {
      organizationId: ORG,
      endpointId: ENDPOINT,
      change: 'disabled',
      reason: 'GONE',
      actorId: null,
      at: AT,
    }),
    expected: [
      {
        type: 'webhook.endpoint_changed',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          endpointId: ENDPOINT,
          change: 'disabled',
          reason: 'GONE',
          actorId: null,
        },
      },
    ],
  },
  {
    name: 'credits.purchased from CREDITS_PURCHASED with the buyer organization',
    event: event('CREDITS_PURCHASED', {
      userId: ALICE,
      packageId: 'starter',
      credits: 1000,
      transactionId: TRANSACTION,
      checkoutSessionId: 'cs_test_1',
      amountCents: 500,
      currency: 'usd',
      organizationId: ORG,
    }),
    expected: [
      {
        type: 'credits.purchased',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          userId: ALICE,
          packageId: 'starter',
          credits: 1000,
          transactionId: TRANSACTION,
          checkoutSessionId: 'cs_test_1',
          amountCents: 500,
          currency: 'usd',
        },
      },
    ],
  },
  {
    name: 'credits.granted from CREDITS_GRANTED',
    event: event('CREDITS_GRANTED', {
      userId: ALICE,
      organizationId: ORG,
      credits: 500,
      source: 'subscription',
      packageId: 'monthly',
      transactionId: TRANSACTION,
    }),
    expected: [
      {
        type: 'credits.granted',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          userId: ALICE,
          credits: 500,
          source: 'subscription',
          packageId: 'monthly',
          transactionId: TRANSACTION,
        },
      },
    ],
  },
  {
    name: 'credits.low from CREDITS_LOW',
    event: event('CREDITS_LOW', {
      userId: ALICE,
      organizationId: ORG,
      available: 7,
      threshold: 20,
      transactionId: TRANSACTION,
    }),
    expected: [
      {
        type: 'credits.low',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          userId: ALICE,
          available: 7,
          threshold: 20,
          transactionId: TRANSACTION,
        },
      },
    ],
  },
  {
    name: 'ai.generation_completed from AI_GENERATION_COMPLETED',
    event: event('AI_GENERATION_COMPLETED', {
      generationId: GENERATION,
      userId: ALICE,
      organizationId: ORG,
      model: 'gemini-2.5-flash',
      inputTokens: 5,
      outputTokens: 42,
      thinkingTokens: 0,
      creditsCharged: 3,
    }),
    expected: [
      {
        type: 'ai.generation_completed',
        organizationId: ORG,
        data: {
          organizationId: ORG,
          generationId: GENERATION,
          userId: ALICE,
          model: 'gemini-2.5-flash',
          inputTokens: 5,
          outputTokens: 42,
          thinkingTokens: 0,
          creditsCharged: 3,
        },
      },
    ],
  },
];

/** Events that concern no organization's endpoints, or that another event already covers. */
const NONE: { name: string; event: EventEnvelope }[] = [
  {
    name: 'a personal audit entry (no organizationId)',
    event: audit(
      'user.login',
      { targetType: 'user', targetId: ALICE },
      { method: 'password' },
      undefined,
    ),
  },
  {
    name: 'an audit entry whose organizationId is null',
    event: audit('member.invited', { targetType: 'invitation', targetId: INVITATION }, {}, null),
  },
  {
    name: 'member.role_changed audit entry (ORGANIZATION_MEMBERSHIP_CHANGED carries it)',
    event: audit(
      'member.role_changed',
      { targetType: 'user', targetId: BOB },
      { from: 'VIEWER', to: 'EDITOR', voidedInvitations: [] },
    ),
  },
  {
    name: 'member.removed audit entry (ORGANIZATION_MEMBERSHIP_CHANGED carries it)',
    event: audit(
      'member.removed',
      { targetType: 'user', targetId: BOB },
      { role: 'VIEWER', voidedInvitations: [] },
    ),
  },
  {
    name: 'organization.security_changed audit entry (its typed event carries it)',
    event: audit(
      'organization.security_changed',
      { targetType: 'organization', targetId: ORG },
      { requireMfa: true },
    ),
  },
  {
    name: 'organization.created (no endpoint can exist yet)',
    event: audit(
      'organization.created',
      { targetType: 'organization', targetId: ORG },
      { name: 'Acme' },
    ),
  },
  {
    name: 'access.denied in an organization',
    event: audit(
      'access.denied',
      { targetType: 'field', targetId: 'orgs:organization' },
      { code: 'FORBIDDEN' },
    ),
  },
  {
    name: 'member.invited whose metadata lacks the email (never a malformed payload)',
    event: audit(
      'member.invited',
      { targetType: 'invitation', targetId: INVITATION },
      { role: 'EDITOR' },
    ),
  },
  {
    name: 'CREDITS_PURCHASED without an organization',
    event: event('CREDITS_PURCHASED', {
      userId: ALICE,
      packageId: 'starter',
      credits: 1000,
      transactionId: TRANSACTION,
      checkoutSessionId: 'cs_test_1',
      amountCents: 500,
      currency: 'usd',
    }),
  },
  {
    name: 'CREDITS_GRANTED without an organization (the sign-up grant)',
    event: event('CREDITS_GRANTED', {
      userId: ALICE,
      organizationId: null,
      credits: 100,
      source: 'signup',
      packageId: null,
      transactionId: TRANSACTION,
    }),
  },
  {
    name: 'CREDITS_LOW without an organization',
    event: event('CREDITS_LOW', {
      userId: ALICE,
      organizationId: null,
      available: 0,
      threshold: 20,
      transactionId: TRANSACTION,
    }),
  },
  {
    name: 'AI_GENERATION_COMPLETED without an organization',
    event: event('AI_GENERATION_COMPLETED', {
      generationId: GENERATION,
      userId: ALICE,
      organizationId: null,
      model: 'gemini-2.5-flash',
      inputTokens: 5,
      outputTokens: 42,
      thinkingTokens: 0,
      creditsCharged: 3,
    }),
  },
  {
    name: 'USER_CREATED (not an event of an organization)',
    event: event('USER_CREATED', { userId: ALICE, email: 'a@example.com', displayName: null }),
  },
];

/**
 * Each webhook event's data fields, written out by hand (API for customers' systems): whether a
 * field may be null. README "Webhooks" documents these; the cases above must produce them.
 */
const FIELDS: Record<string, Record<string, 'required' | 'nullable'>> = {
  'webhook.ping': { endpointId: 'required', organizationId: 'required' },
  'organization.updated': {
    organizationId: 'required',
    name: 'required',
    slug: 'required',
    actorId: 'nullable',
  },
  'organization.security_changed': {
    organizationId: 'required',
    requireMfa: 'required',
    actorId: 'nullable',
  },
  'organization.deleted': {
    organizationId: 'required',
    name: 'nullable',
    reason: 'required',
    actorId: 'nullable',
  },
  'member.invited': {
    organizationId: 'required',
    invitationId: 'required',
    email: 'required',
    role: 'required',
    actorId: 'nullable',
  },
  'invitation.revoked': {
    organizationId: 'required',
    invitationId: 'required',
    email: 'required',
    actorId: 'nullable',
  },
  'invitation.accepted': {
    organizationId: 'required',
    invitationId: 'required',
    userId: 'required',
    role: 'required',
  },
  'member.provisioned': {
    organizationId: 'required',
    userId: 'required',
    role: 'required',
    connectionId: 'required',
  },
  'member.role_changed': {
    organizationId: 'required',
    userId: 'required',
    role: 'required',
    reason: 'required',
  },
  'member.removed': { organizationId: 'required', userId: 'required', reason: 'required' },
  'sso.connection_changed': {
    organizationId: 'required',
    connectionId: 'required',
    change: 'required',
    kind: 'required',
    name: 'required',
    actorId: 'nullable',
  },
  'sso.domain_added': {
    organizationId: 'required',
    domainId: 'required',
    domain: 'required',
    actorId: 'nullable',
  },
  'sso.domain_verified': {
    organizationId: 'required',
    domainId: 'required',
    domain: 'required',
    method: 'required',
    actorId: 'nullable',
  },
  'sso.domain_removed': {
    organizationId: 'required',
    domainId: 'required',
    domain: 'required',
    wasVerified: 'required',
    actorId: 'nullable',
  },
  'sso.sign_in': {
    organizationId: 'required',
    connectionId: 'required',
    userId: 'required',
    account: 'required',
    role: 'nullable',
  },
  'sso.sign_in_failed': {
    organizationId: 'required',
    connectionId: 'required',
    reason: 'required',
  },
  'webhook.endpoint_changed': {
    organizationId: 'required',
    endpointId: 'required',
    change: 'required',
    reason: 'nullable',
    actorId: 'nullable',
  },
  'credits.purchased': {
    organizationId: 'required',
    userId: 'required',
    packageId: 'required',
    credits: 'required',
    transactionId: 'required',
    checkoutSessionId: 'required',
    amountCents: 'required',
    currency: 'required',
  },
  'credits.granted': {
    organizationId: 'required',
    userId: 'required',
    credits: 'required',
    source: 'required',
    packageId: 'nullable',
    transactionId: 'required',
  },
  'credits.low': {
    organizationId: 'required',
    userId: 'required',
    available: 'required',
    threshold: 'required',
    transactionId: 'required',
  },
  'ai.generation_completed': {
    organizationId: 'required',
    generationId: 'required',
    userId: 'required',
    model: 'required',
    inputTokens: 'required',
    outputTokens: 'required',
    thinkingTokens: 'required',
    creditsCharged: 'required',
  },
};

describe('webhook event catalog', () => {
  it.each(CASES)('$name', ({ event: source, expected }) => {
    expect(webhookEventsOf(source)).toEqual(expected);
  });

  it.each(NONE)('$name makes no webhook event', ({ event: source }) => {
    expect(webhookEventsOf(source)).toEqual([]);
  });

  it('publishes exactly these names, each described, and makes only published names', () => {
    expect(Object.keys(WEBHOOK_EVENT_TYPES).sort()).toEqual(
      [
        'webhook.ping',
        'organization.updated',
        'organization.security_changed',
        'organization.deleted',
        'member.invited',
        'invitation.revoked',
        'invitation.accepted',
        'member.provisioned',
        'member.role_changed',
        'member.removed',
        'sso.connection_changed',
        'sso.domain_added',
        'sso.domain_verified',
        'sso.domain_removed',
        'sso.sign_in',
        'sso.sign_in_failed',
        'webhook.endpoint_changed',
        'credits.purchased',
        'credits.granted',
        'credits.low',
        'ai.generation_completed',
      ].sort(),
    );
    for (const [name, description] of Object.entries(WEBHOOK_EVENT_TYPES)) {
      expect(name).toMatch(/^[a-z]+(\.[a-z_]+)+$/);
      expect(description.length).toBeGreaterThan(10);
    }
    expect(isWebhookEventType('member.invited')).toBe(true);
    expect(isWebhookEventType('MEMBER_INVITED')).toBe(false);
    expect(isWebhookEventType('constructor')).toBe(false);
    // Every published name but the on-demand ping is made from some source event.
    const made = new Set(CASES.flatMap((c) => c.expected.map((e) => (e as { type: string }).type)));
    expect([...made].sort()).toEqual(
      Object.keys(WEBHOOK_EVENT_TYPES)
        .filter((name) => name !== 'webhook.ping')
        .sort(),
    );
  });

  it('makes each type with exactly its documented data fields, null only where allowed', () => {
    expect(Object.keys(FIELDS).sort()).toEqual(Object.keys(WEBHOOK_EVENT_TYPES).sort());
    for (const { event: source } of CASES)
      for (const made of webhookEventsOf(source)) {
        const fields = FIELDS[made.type];
        expect({ type: made.type, fields: Object.keys(made.data).sort() }).toEqual({
          type: made.type,
          fields: Object.keys(fields).sort(),
        });
        for (const [field, value] of Object.entries(made.data))
          if (value === null)
            expect({ field, kind: fields[field] }).toEqual({ field, kind: 'nullable' });
        expect(made.data.organizationId).toBe(made.organizationId);
      }
  });

  it('is the event catalog table of README "Webhooks", row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Webhooks\n'));
    const table = section.slice(0, section.indexOf('\n## ', 1));
    const rows = new Map<string, { fields: string; meaning: string }>();
    for (const match of table.matchAll(/^\|\s*`([a-z_.]+)`\s*\|([^|]*)\|([^|]*)\|\s*$/gm))
      rows.set(match[1], { fields: match[2], meaning: match[3].trim() });
    expect([...rows.keys()].sort()).toEqual(Object.keys(WEBHOOK_EVENT_TYPES).sort());
    for (const [name, description] of Object.entries(WEBHOOK_EVENT_TYPES)) {
      const row = rows.get(name)!;
      expect({ name, meaning: row.meaning }).toEqual({ name, meaning: description });
      const documented = [...row.fields.matchAll(/`(\w+)(\??)`/g)].map((m) => `${m[1]}${m[2]}`);
      const expected = Object.entries(FIELDS[name]).map(
        ([field, kind]) => `${field}${kind === 'nullable' ? '?' : ''}`,
      );
      expect({ name, fields: documented.sort() }).toEqual({ name, fields: expected.sort() });
    }
  });

  it('names as sources exactly the bus events the cases come from, all in the bus catalog', () => {
    const sources = new Set([...CASES, ...NONE].map((c) => c.event.type));
    sources.delete('USER_CREATED');
    expect([...WEBHOOK_SOURCE_EVENT_TYPES].sort()).toEqual([...sources].sort());
    for (const type of WEBHOOK_SOURCE_EVENT_TYPES) expect(EVENT_CATALOG[type]).toBeDefined();
  });
});
