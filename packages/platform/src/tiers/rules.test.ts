import { randomUUID } from 'node:crypto';
import type { Viewer } from '../auth/viewer';
import type { AppError } from '../errors/app-error';
import { checkNotImpersonated, checkStepUp, checkTier, type TierSpec } from './rules';

const user = (emailVerified: boolean, userId = randomUUID()): Viewer => ({
  kind: 'user',
  userId,
  sessionId: randomUUID(),
  emailVerified,
  organizationId: null,
  role: null,
  tokenId: '',
  issuedAt: 0,
  amr: ['pwd'],
  authTime: Math.floor(Date.now() / 1000),
  mfaEnrolled: false,
});
const code = (result: true | { code: string }) => (result === true ? 'PASS' : result.code);

describe('checkTier', () => {
  it('refuses user tokens on INTERNAL fields and services without the scope', () => {
    const spec = { level: 'INTERNAL' as const, scopes: ['users:read'] };
    expect(code(checkTier(spec, { kind: 'anonymous' }))).toBe('UNAUTHENTICATED');
    expect(code(checkTier(spec, user(true)))).toBe('FORBIDDEN');
    expect(code(checkTier(spec, { kind: 'service', name: 's', scopes: ['credits:read'] }))).toBe(
      'FORBIDDEN',
    );
    expect(code(checkTier(spec, { kind: 'service', name: 's', scopes: ['users:read'] }))).toBe(
      'PASS',
    );
  });

  it('needs a verified email on VERIFIED fields', () => {
    expect(code(checkTier({ level: 'VERIFIED', scopes: [] }, user(false)))).toBe(
      'EMAIL_NOT_VERIFIED',
    );
    expect(code(checkTier({ level: 'VERIFIED', scopes: [] }, user(true)))).toBe('PASS');
  });

  it('lets only the owner, a scoped service or a just-proven user read owned fields', () => {
    const owner = user(true);
    const spec = { level: 'AUTHENTICATED' as const, scopes: ['users:read'], owner: 'id' };
    const parent = { id: owner.kind === 'user' ? owner.userId : '' };
    expect(code(checkTier(spec, owner, parent))).toBe('PASS');
    expect(code(checkTier(spec, user(true), parent))).toBe('FORBIDDEN');
    expect(
      code(checkTier(spec, { kind: 'service', name: 's', scopes: ['users:read'] }, parent)),
    ).toBe('PASS');
    expect(code(checkTier(spec, { kind: 'anonymous' }, parent))).toBe('UNAUTHENTICATED');
    expect(code(checkTier(spec, { kind: 'anonymous' }, parent, new Set([parent.id])))).toBe('PASS');
  });
});

describe('checkTier for an API key (@tier(capability:))', () => {
  const keyed = (capabilities: string[], emailVerified = true): Viewer => ({
    ...(user(emailVerified) as Extract<Viewer, { kind: 'user' }>),
    apiKey: { id: randomUUID(), capabilities, creditCeiling: null, ceilingPeriod: null },
  });
  const outcome = (result: true | { code: string; extensions: Record<string, unknown> }) =>
    result === true ? 'PASS' : `${result.code}/${String(result.extensions.reason ?? '')}`;
  const owned = { level: 'AUTHENTICATED' as const, scopes: [], owner: 'userId' };
  // Written by hand from the rule: a key passes a non-public field only when
  // the field names a capability it holds; then the user's own rules still apply.
  const TABLE: [string, TierSpec, string[], boolean, string][] = [
    ['public field, no capability held', { level: 'PUBLIC', scopes: [] }, [], true, 'PASS'],
    [
      'field naming a held capability',
      { level: 'AUTHENTICATED', scopes: [], capability: 'profile:read' },
      ['profile:read'],
      true,
      'PASS',
    ],
    [
      'field naming a capability not held',
      { level: 'AUTHENTICATED', scopes: [], capability: 'orgs:write' },
      ['orgs:read', 'profile:read'],
      true,
      'FORBIDDEN/KEY_CAPABILITY',
    ],
    [
      'field without a capability (a credential field)',
      { level: 'VERIFIED', scopes: [], stepUp: 600 },
      [...['profile:read', 'orgs:read', 'orgs:write', 'credits:read', 'ai:generate']],
      true,
      'FORBIDDEN/KEY_CAPABILITY',
    ],
    [
      'internal field',
      { level: 'INTERNAL', scopes: ['users:read'] },
      ['profile:read'],
      true,
      'FORBIDDEN/KEY_CAPABILITY',
    ],
    [
      'verified field, capability held, user unverified',
      { level: 'VERIFIED', scopes: [], capability: 'ai:generate' },
      ['ai:generate'],
      false,
      'EMAIL_NOT_VERIFIED/',
    ],
  ];

  it.each(TABLE)('%s', (_name, spec, capabilities, verified, expected) => {
    expect(outcome(checkTier(spec, keyed(capabilities, verified)))).toBe(expected);
  });

  it('still applies the owner rule: a key reads only its own user', () => {
    const viewer = keyed(['profile:read']) as Extract<Viewer, { kind: 'user' }>;
    const spec = { ...owned, capability: 'profile:read' };
    expect(outcome(checkTier(spec, viewer, { userId: viewer.userId }))).toBe('PASS');
    expect(outcome(checkTier(spec, viewer, { userId: randomUUID() }))).toBe('FORBIDDEN/');
  });

  it('is not asked of a session user or a service', () => {
    const spec = { level: 'AUTHENTICATED' as const, scopes: [], capability: 'orgs:write' };
    expect(code(checkTier(spec, user(true)))).toBe('PASS');
    expect(code(checkTier({ level: 'AUTHENTICATED', scopes: [] }, user(true)))).toBe('PASS');
  });
});

describe('checkNotImpersonated', () => {
  it('refuses a viewer with an actor, and no one else', () => {
    const acted = { ...(user(true) as Extract<Viewer, { kind: 'user' }>), actor: { sub: 'desk' } };
    const refused = checkNotImpersonated(acted);
    expect(refused).not.toBe(true);
    expect((refused as AppError).extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'IMPERSONATION_READ_ONLY',
    });
    expect(checkNotImpersonated(user(true))).toBe(true);
    expect(checkNotImpersonated(service([]))).toBe(true);
    expect(checkNotImpersonated({ kind: 'anonymous' })).toBe(true);
  });
});

describe('step-up (@tier(stepUp:))', () => {
  const NOW = 1_800_000_000;
  const spec = { level: 'VERIFIED' as const, scopes: [], stepUp: 600 };
  const at = (ageSeconds: number, amr: string[], mfaEnrolled: boolean) => ({
    ...(user(true) as Extract<Viewer, { kind: 'user' }>),
    authTime: NOW - ageSeconds,
    amr,
    mfaEnrolled,
  });
  // Written by hand from docs/security.md "Sign-in security": recent enough, and multi-factor
  // when the user has a factor; a token without auth_time (0) is never recent.
  const TABLE: [string, number, string[], boolean, string][] = [
    ['fresh password, no factor', 10, ['pwd'], false, 'PASS'],
    ['password exactly at the limit, no factor', 600, ['pwd'], false, 'PASS'],
    ['stale password, no factor', 601, ['pwd'], false, 'STEP_UP_REQUIRED'],
    ['fresh password only, factor enrolled', 10, ['pwd'], true, 'STEP_UP_REQUIRED'],
    ['fresh recovery code, factor enrolled', 10, ['pwd', 'rcv'], true, 'STEP_UP_REQUIRED'],
    ['fresh password + TOTP', 10, ['pwd', 'otp', 'mfa'], true, 'PASS'],
    ['stale password + TOTP', 3600, ['pwd', 'otp', 'mfa'], true, 'STEP_UP_REQUIRED'],
    ['fresh passkey alone', 10, ['hwk', 'user', 'mfa'], true, 'PASS'],
  ];

  it.each(TABLE)('%s', (_name, age, amr, enrolled, expected) => {
    expect(code(checkStepUp(at(age, amr, enrolled), 600, NOW))).toBe(expected);
  });

  it('says how old a sign-in may be and which methods step up', () => {
    const refused = checkStepUp(at(900, ['pwd'], true), 600, NOW);
    expect(refused).not.toBe(true);
    expect((refused as AppError).extensions).toEqual({
      code: 'STEP_UP_REQUIRED',
      maxAge: 600,
      methods: ['TOTP', 'PASSKEY'],
    });
    const withoutFactor = checkStepUp(at(900, ['pwd'], false), 600, NOW) as AppError;
    expect(withoutFactor.extensions.methods).toEqual(['PASSWORD', 'PASSKEY']);
  });

  it('is checked by the tier rule for users and never asked of services', () => {
    expect(code(checkTier(spec, { ...at(0, ['pwd'], false), authTime: 0 }))).toBe(
      'STEP_UP_REQUIRED',
    );
    expect(code(checkTier(spec, user(true)))).toBe('PASS');
    expect(code(checkTier({ ...spec, scopes: ['users:read'] }, service(['users:read'])))).toBe(
      'PASS',
    );
  });
});

function service(scopes: string[]): Viewer {
  return { kind: 'service', name: 's', scopes };
}
