import { AppError } from '../errors/app-error';
import { requireOrganizationMfa } from './organization-mfa';
import type { Viewer } from './viewer';

const user = (amr: string[], mfaEnrolled: boolean): Viewer => ({
  kind: 'user',
  userId: 'c0a80101-0000-4000-8000-000000000001',
  sessionId: 'c0a80101-0000-4000-8000-000000000002',
  emailVerified: true,
  organizationId: null,
  role: null,
  tokenId: 't',
  issuedAt: 0,
  amr,
  authTime: 0,
  mfaEnrolled,
});

const policy = (requireMfa: boolean) => ({
  organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
  name: 'Acme',
  requireMfa,
});

/** Hand-written from docs/security.md "Organizations that require MFA": what was used counts, not what is enrolled. */
const TABLE: [string, Viewer, boolean, 'pass' | 'refused'][] = [
  ['password only, no factor', user(['pwd'], false), true, 'refused'],
  ['password only, has a factor', user(['pwd'], true), true, 'refused'],
  ['federated sign-in only', user(['fed'], true), true, 'refused'],
  ['recovery code', user(['pwd', 'rcv'], true), true, 'refused'],
  ['password and TOTP', user(['pwd', 'otp', 'mfa'], true), true, 'pass'],
  ['passkey alone with user verification', user(['hwk', 'user', 'mfa'], true), true, 'pass'],
  ['token from before amr existed', user([], true), true, 'refused'],
  ['password only, organization without the rule', user(['pwd'], false), false, 'pass'],
  ['service', { kind: 'service', name: 'svc', scopes: ['orgs:read'] }, true, 'pass'],
];

describe('requireOrganizationMfa', () => {
  it.each(TABLE)('%s', (_, viewer, requireMfa, expected) => {
    let outcome: 'pass' | 'refused' = 'pass';
    try {
      requireOrganizationMfa(viewer, policy(requireMfa), 'member:read');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const refusal = error as AppError;
      expect(refusal.code).toBe('FORBIDDEN');
      expect(refusal.extensions).toEqual({
        code: 'FORBIDDEN',
        reason: 'MFA_REQUIRED_BY_ORGANIZATION',
      });
      expect(refusal.message).toBe(
        'The organization Acme requires a second factor: enrol one (an authenticator app or a passkey) and sign in with it.',
      );
      expect(refusal.denied).toEqual({
        organizationId: 'c0a80101-0000-4000-8000-0000000000aa',
        permission: 'member:read',
      });
      outcome = 'refused';
    }
    expect(outcome).toBe(expected);
  });
});
