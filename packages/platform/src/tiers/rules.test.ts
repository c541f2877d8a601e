import { randomUUID } from 'node:crypto';
import type { Viewer } from '../auth/viewer';
import { checkTier } from './rules';

const user = (emailVerified: boolean, userId = randomUUID()): Viewer => ({
  kind: 'user',
  userId,
  sessionId: randomUUID(),
  emailVerified,
  organizationId: null,
  role: null,
  tokenId: '',
  issuedAt: 0,
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
