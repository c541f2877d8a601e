import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_CATALOG,
  EVENT_TYPES,
  InvalidEventError,
  checkPayload,
  readPayload,
  type EventType,
} from './catalog';

/**
 * The public contract's event payloads, written out by hand (field names are API: consumers in
 * other deployments read them): each type's fields, with whether the field may be null, and one
 * payload exactly as its producer sends it today.
 */
const CONTRACT: Record<
  string,
  { fields: Record<string, 'required' | 'nullable' | 'optional'>; sample: object }
> = {
  USER_CREATED: {
    fields: { userId: 'required', email: 'required', displayName: 'nullable' },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      email: 'a@example.com',
      displayName: null,
    },
  },
  USER_EMAIL_VERIFIED: {
    fields: { userId: 'required', email: 'required' },
    sample: { userId: 'c0a80101-0000-4000-8000-000000000001', email: 'a@example.com' },
  },
  USER_DELETED: {
    fields: { userId: 'required' },
    sample: { userId: 'c0a80101-0000-4000-8000-000000000001' },
  },
  ORGANIZATION_DELETED: {
    fields: {
      organizationId: 'required',
      name: 'nullable',
      memberIds: 'required',
      actorId: 'nullable',
      reason: 'required',
      ip: 'nullable',
      userAgent: 'nullable',
      at: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      name: 'Acme',
      memberIds: ['c0a80101-0000-4000-8000-000000000001'],
      actorId: 'c0a80101-0000-4000-8000-000000000001',
      reason: 'deleted_by_admin',
      ip: '127.0.0.1',
      userAgent: null,
      at: '2026-12-07T06:00:00.000Z',
    },
  },
  ORGANIZATION_MEMBERSHIP_CHANGED: {
    fields: {
      organizationId: 'required',
      userId: 'required',
      role: 'nullable',
      reason: 'required',
      changedAt: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      userId: 'c0a80101-0000-4000-8000-000000000001',
      role: 'EDITOR',
      reason: 'role_changed',
      changedAt: '2026-12-07T06:00:00.000Z',
    },
  },
  ORGANIZATION_SECURITY_CHANGED: {
    fields: {
      organizationId: 'required',
      requireMfa: 'required',
      actorId: 'nullable',
      changedAt: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      requireMfa: true,
      actorId: 'c0a80101-0000-4000-8000-000000000001',
      changedAt: '2026-12-07T06:00:00.000Z',
    },
  },
  CREDITS_PURCHASED: {
    fields: {
      userId: 'required',
      packageId: 'required',
      credits: 'required',
      transactionId: 'required',
      checkoutSessionId: 'required',
      amountCents: 'required',
      currency: 'required',
    },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      packageId: 'starter',
      credits: 1000,
      transactionId: 'c0a80101-0000-4000-8000-0000000000bb',
      checkoutSessionId: 'cs_test_1',
      amountCents: 500,
      currency: 'usd',
    },
  },
  SESSION_REVOKED: {
    fields: { sessionId: 'required', userId: 'required', reason: 'required' },
    sample: {
      sessionId: 'c0a80101-0000-4000-8000-0000000000cc',
      userId: 'c0a80101-0000-4000-8000-000000000001',
      reason: 'logout',
    },
  },
  USER_TOKENS_REVOKED: {
    fields: { userId: 'required', validAfter: 'required', reason: 'required' },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      validAfter: 1_796_623_200,
      reason: 'password_changed',
    },
  },
  ORGANIZATION_TOKENS_REVOKED: {
    fields: {
      organizationId: 'required',
      userId: 'nullable',
      role: 'nullable',
      changedAt: 'required',
      reason: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      userId: null,
      role: null,
      changedAt: '2026-12-07T06:00:00.000Z',
      reason: 'last_member_deleted',
    },
  },
  SERVICE_TOKEN_ISSUED: {
    fields: { name: 'required', scopes: 'required', sha256: 'required' },
    sample: { name: 'billing-bot', scopes: ['users:read'], sha256: 'ab'.repeat(32) },
  },
  SERVICE_TOKEN_REVOKED: {
    fields: { name: 'required', sha256s: 'required' },
    sample: { name: 'billing-bot', sha256s: ['ab'.repeat(32)] },
  },
  API_KEY_CREATED: {
    fields: {
      keyId: 'required',
      userId: 'required',
      sha256: 'required',
      capabilities: 'required',
      organizationId: 'nullable',
      creditCeiling: 'nullable',
      ceilingPeriod: 'nullable',
      expiresAt: 'nullable',
    },
    sample: {
      keyId: 'c0a80101-0000-4000-8000-0000000000b1',
      userId: 'c0a80101-0000-4000-8000-000000000001',
      sha256: 'cd'.repeat(32),
      capabilities: ['ai:generate'],
      organizationId: null,
      creditCeiling: 50,
      ceilingPeriod: 'DAY',
      expiresAt: null,
    },
  },
  API_KEY_REVOKED: {
    fields: { keyId: 'required', userId: 'required', sha256: 'required', reason: 'required' },
    sample: {
      keyId: 'c0a80101-0000-4000-8000-0000000000b1',
      userId: 'c0a80101-0000-4000-8000-000000000001',
      sha256: 'cd'.repeat(32),
      reason: 'revoked_by_user',
    },
  },
  SSO_CONNECTION_CHANGED: {
    fields: {
      organizationId: 'required',
      connectionId: 'required',
      change: 'required',
      kind: 'required',
      name: 'required',
      actorId: 'nullable',
      ip: 'nullable',
      userAgent: 'nullable',
      at: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      connectionId: 'c0a80101-0000-4000-8000-0000000000cc',
      change: 'created',
      kind: 'SAML',
      name: 'Okta',
      actorId: 'c0a80101-0000-4000-8000-000000000001',
      ip: '127.0.0.1',
      userAgent: null,
      at: '2026-12-07T06:00:00.000Z',
    },
  },
  SSO_DOMAIN_VERIFIED: {
    fields: {
      organizationId: 'required',
      domainId: 'required',
      domain: 'required',
      method: 'required',
      actorId: 'nullable',
      ip: 'nullable',
      userAgent: 'nullable',
      at: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      domainId: 'c0a80101-0000-4000-8000-0000000000dd',
      domain: 'example.test',
      method: 'dns',
      actorId: 'c0a80101-0000-4000-8000-000000000001',
      ip: '127.0.0.1',
      userAgent: null,
      at: '2026-12-07T06:00:00.000Z',
    },
  },
  SSO_SIGN_IN: {
    fields: {
      organizationId: 'required',
      connectionId: 'required',
      userId: 'required',
      account: 'required',
      role: 'nullable',
      ip: 'nullable',
      userAgent: 'nullable',
      at: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      connectionId: 'c0a80101-0000-4000-8000-0000000000cc',
      userId: 'c0a80101-0000-4000-8000-000000000002',
      account: 'provisioned',
      role: 'EDITOR',
      ip: '127.0.0.1',
      userAgent: null,
      at: '2026-12-07T06:00:00.000Z',
    },
  },
  SSO_SIGN_IN_FAILED: {
    fields: {
      organizationId: 'required',
      connectionId: 'required',
      reason: 'required',
      ip: 'nullable',
      userAgent: 'nullable',
      at: 'required',
    },
    sample: {
      organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
      connectionId: 'c0a80101-0000-4000-8000-0000000000cc',
      reason: 'SSO_NO_ACCOUNT',
      ip: '127.0.0.1',
      userAgent: null,
      at: '2026-12-07T06:00:00.000Z',
    },
  },
  MFA_FACTOR_ADDED: {
    fields: { userId: 'required', factorId: 'required', kind: 'required' },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      factorId: 'c0a80101-0000-4000-8000-0000000000dd',
      kind: 'TOTP',
    },
  },
  MFA_FACTOR_REMOVED: {
    fields: { userId: 'required', factorId: 'required', kind: 'required', mfaEnabled: 'required' },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      factorId: 'c0a80101-0000-4000-8000-0000000000dd',
      kind: 'PASSKEY',
      mfaEnabled: false,
    },
  },
  MFA_RECOVERY_CODE_USED: {
    fields: { userId: 'required', remaining: 'required' },
    sample: { userId: 'c0a80101-0000-4000-8000-000000000001', remaining: 9 },
  },
  MFA_RESET: {
    fields: { userId: 'required', actorId: 'required', reason: 'required' },
    sample: {
      userId: 'c0a80101-0000-4000-8000-000000000001',
      actorId: 'support-desk',
      reason: 'lost phone, identity checked by ticket 4711',
    },
  },
  AUDIT_RECORDED: {
    fields: {
      organizationId: 'optional',
      actorId: 'nullable',
      action: 'required',
      targetType: 'required',
      targetId: 'nullable',
      ip: 'nullable',
      userAgent: 'nullable',
      metadata: 'required',
      at: 'required',
    },
    // auth's entries carry no organizationId; a refused attempt's actor is a service name.
    sample: {
      actorId: 'billing-bot',
      action: 'access.denied',
      targetType: 'field',
      targetId: 'orgs:organization',
      ip: null,
      userAgent: null,
      metadata: { code: 'FORBIDDEN' },
      at: '2026-12-07T06:00:00.000Z',
    },
  },
};

const types = Object.keys(CONTRACT) as EventType[];

describe('event catalog', () => {
  it('holds exactly the contract event types, each with a version', () => {
    expect([...EVENT_TYPES].sort()).toEqual([...types].sort());
    for (const type of types) expect(EVENT_CATALOG[type].version).toBeGreaterThanOrEqual(1);
    // The contract's first five.
    for (const type of [
      'USER_CREATED',
      'USER_EMAIL_VERIFIED',
      'USER_DELETED',
      'ORGANIZATION_DELETED',
      'CREDITS_PURCHASED',
    ])
      expect(EVENT_TYPES).toContain(type);
  });

  it.each(types)('%s has exactly the contract fields, and its producer payload passes', (type) => {
    expect(Object.keys(EVENT_CATALOG[type].payload.shape).sort()).toEqual(
      Object.keys(CONTRACT[type].fields).sort(),
    );
    expect(checkPayload(type, CONTRACT[type].sample)).toEqual(CONTRACT[type].sample);
  });

  it.each(types)(
    '%s refuses a payload missing a required field, and null where none is allowed',
    (type) => {
      const { fields, sample } = CONTRACT[type];
      for (const [field, kind] of Object.entries(fields)) {
        const without = { ...sample } as Record<string, unknown>;
        delete without[field];
        if (kind === 'optional') expect(() => checkPayload(type, without)).not.toThrow();
        else expect(() => checkPayload(type, without)).toThrow(InvalidEventError);
        const nulled = { ...sample, [field]: null };
        if (kind === 'required')
          expect(() => checkPayload(type, nulled)).toThrow(InvalidEventError);
        else expect(() => checkPayload(type, nulled)).not.toThrow();
      }
    },
  );

  it('refuses an unknown type, a wrong field type and (at publish only) a field the catalog lacks', () => {
    expect(() => checkPayload('USER_PURGED' as EventType, { userId: 'x' })).toThrow(
      'event USER_PURGED refused: unknown event type',
    );
    expect(() => checkPayload('USER_DELETED', { userId: 42 })).toThrow(
      /^event USER_DELETED refused: userId: /,
    );
    expect(() => checkPayload('USER_DELETED', { userId: 'not-a-uuid' })).toThrow(InvalidEventError);
    expect(() =>
      checkPayload('USER_TOKENS_REVOKED', {
        ...CONTRACT.USER_TOKENS_REVOKED.sample,
        validAfter: 1.5,
      }),
    ).toThrow(InvalidEventError);
    expect(() =>
      checkPayload('ORGANIZATION_MEMBERSHIP_CHANGED', {
        ...CONTRACT.ORGANIZATION_MEMBERSHIP_CHANGED.sample,
        role: 'OWNER',
      }),
    ).toThrow(InvalidEventError);
    const grown = { ...CONTRACT.USER_DELETED.sample, deletedBy: 'support' };
    expect(() => checkPayload('USER_DELETED', grown)).toThrow(InvalidEventError);
    // A consumer reads a grown payload (a newer producer) and drops what it does not know.
    expect(readPayload('USER_DELETED', grown)).toEqual({
      ok: true,
      data: CONTRACT.USER_DELETED.sample,
    });
  });

  it('is the Events table of docs/api.md, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../../docs/api.md'), 'utf8');
    const rows = new Map<string, { version: string; fields: string }>();
    for (const match of readme.matchAll(
      /^\|\s*`([A-Z_]+)`\s*\|\s*(\d+)\s*\|([^|]*)\|[^|]*\|\s*$/gm,
    ))
      rows.set(match[1], { version: match[2], fields: match[3] });
    expect([...rows.keys()].sort()).toEqual([...types].sort());
    for (const type of types) {
      const documented = [...rows.get(type)!.fields.matchAll(/`(\w+)(\??)`/g)].map(
        (m) => `${m[1]}${m[2]}`,
      );
      const expected = Object.entries(CONTRACT[type].fields).map(
        ([field, kind]) => `${field}${kind === 'required' ? '' : '?'}`,
      );
      expect({ type, fields: documented.sort() }).toEqual({ type, fields: expected.sort() });
      expect(rows.get(type)!.version).toBe(String(EVENT_CATALOG[type].version));
    }
  });
});
