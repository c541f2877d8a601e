import { randomUUID } from 'node:crypto';
import {
  signForwardedClaims,
  verifyForwardedClaims,
  type ClaimsRejection,
} from './forwarded-claims';
import { deriveKey } from './keys';
import { MemoryReplayGuard } from './replay-guard';
import type { Viewer } from './viewer';

// jose, an independent implementation (a test dependency): claims must pass its checks too.
const loadJose = () => import('jose');

const key = deriveKey('k'.repeat(40), 'forwarded-claims');
const viewer: Viewer = {
  kind: 'user',
  userId: randomUUID(),
  sessionId: randomUUID(),
  emailVerified: true,
  organizationId: null,
  role: null,
  tokenId: randomUUID(),
  issuedAt: 0,
  amr: ['pwd'],
  authTime: Math.floor(Date.now() / 1000),
  mfaEnrolled: false,
};
const op = { query: '{ me { id } }', operationName: null, variables: {} };
const client = { ip: '127.0.0.1', userAgent: 'jest' };
const now = () => Math.floor(Date.now() / 1000);
const verify = (header: string, operation = op) =>
  verifyForwardedClaims(header, {
    audience: 'auth',
    operation,
    key,
    replayGuard: new MemoryReplayGuard(),
  });

/** The payload of genuine claims, re-signed as an attacker (or a careless key holder) would. */
async function resigned(
  change: (claims: Record<string, unknown>) => Record<string, unknown>,
  alg = 'HS256',
  signingKey = key,
) {
  const { decodeJwt, SignJWT } = await loadJose();
  const claims = change(decodeJwt(await signForwardedClaims(viewer, client, 'auth', op, key)));
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(signingKey);
}

describe('forwarded claims (jose, HS256)', () => {
  it('carry the viewer and the client to the subgraph they were signed for', async () => {
    const result = await verify(await signForwardedClaims(viewer, client, 'auth', op, key));
    expect(result).toEqual({ viewer, client: { ...client, refreshCookie: null } });
  });

  it('carry the request’s cookie mode to auth only, and never make it up', async () => {
    const { decodeJwt } = await loadJose();
    const asked = { ...client, refreshCookieMode: true };
    const toAuth = await signForwardedClaims(viewer, asked, 'auth', op, key);
    expect(await verify(toAuth)).toMatchObject({ client: { refreshCookieMode: true } });
    expect(decodeJwt(await signForwardedClaims(viewer, asked, 'orgs', op, key)).cm).toBeUndefined();
    const notAsked = await verify(await signForwardedClaims(viewer, client, 'auth', op, key));
    expect('refreshCookieMode' in notAsked.client).toBe(false);
    // Only `true` reads back as cookie mode.
    const odd = await verify(await resigned((claims) => ({ ...claims, cm: 'yes' })));
    expect(odd.rejection).toBeUndefined();
    expect('refreshCookieMode' in odd.client).toBe(false);
  });

  it('carry an API key grant and an impersonating actor, and read them back', async () => {
    const keyed: Viewer = {
      ...viewer,
      apiKey: {
        id: randomUUID(),
        capabilities: ['profile:read', 'ai:generate'],
        creditCeiling: 50,
        ceilingPeriod: 'DAY',
      },
    };
    const header = await signForwardedClaims(keyed, client, 'auth', op, key);
    expect((await verify(header)).viewer).toEqual(keyed);
    const unbounded: Viewer = {
      ...viewer,
      apiKey: { id: randomUUID(), capabilities: [], creditCeiling: null, ceilingPeriod: null },
    };
    expect(
      (await verify(await signForwardedClaims(unbounded, client, 'auth', op, key))).viewer,
    ).toEqual(unbounded);
    const acted: Viewer = { ...viewer, actor: { sub: 'support-desk' } };
    const actedHeader = await signForwardedClaims(acted, client, 'auth', op, key);
    expect((await verify(actedHeader)).viewer).toEqual(acted);
    const { decodeJwt } = await loadJose();
    expect(decodeJwt(actedHeader)).toMatchObject({ act: 'support-desk' });
    // A plain user's claims name neither.
    expect(
      decodeJwt(await signForwardedClaims(viewer, client, 'auth', op, key)),
    ).not.toHaveProperty('apk');
  });

  it.each<[string, unknown]>([
    ['capabilities not a list', { id: 'k', cap: 'ai:generate', cc: null, cp: null }],
    ['a negative ceiling', { id: 'k', cap: [], cc: -1, cp: 'DAY' }],
    ['an unknown period', { id: 'k', cap: [], cc: 5, cp: 'WEEK' }],
    ['no id', { cap: [], cc: null, cp: null }],
  ])('refuse a key grant with %s (never read as a full user)', async (_name, grant) => {
    const header = await resigned((c) => ({ ...c, apk: grant }));
    expect(await verify(header)).toMatchObject({
      viewer: { kind: 'anonymous' },
      rejection: 'malformed',
    });
  });

  it('are a JWT that jose verifies with the pinned options, and jose-signed claims verify here', async () => {
    const { jwtVerify, SignJWT, decodeJwt } = await loadJose();
    const header = await signForwardedClaims(viewer, client, 'auth', op, key);
    const { payload, protectedHeader } = await jwtVerify(header, key, {
      algorithms: ['HS256'],
      issuer: 'bastion-gateway',
      audience: 'auth',
      requiredClaims: ['exp', 'iat', 'jti'],
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ k: 'u', sub: viewer.userId, sid: viewer.sessionId });
    const byJose = await new SignJWT(decodeJwt(header))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key);
    expect((await verify(byJose)).viewer).toEqual(viewer);
  });

  it('are single-use', async () => {
    const header = await signForwardedClaims(viewer, client, 'auth', op, key);
    const replayGuard = new MemoryReplayGuard();
    const expected = { audience: 'auth', operation: op, key, replayGuard };
    expect((await verifyForwardedClaims(header, expected)).viewer).toEqual(viewer);
    expect(await verifyForwardedClaims(header, expected)).toMatchObject({
      viewer: { kind: 'anonymous' },
      rejection: 'replayed',
    });
  });

  it('are bound to the operation they were signed for', async () => {
    const header = await signForwardedClaims(viewer, client, 'auth', op, key);
    expect(await verify(header, { ...op, query: '{ me { email } }' })).toMatchObject({
      viewer: { kind: 'anonymous' },
      rejection: 'operation',
    });
  });

  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  it.each<[string, () => Promise<string>, ClaimsRejection | undefined]>([
    ['no header', async () => '', undefined],
    [
      'another key',
      async () =>
        signForwardedClaims(
          viewer,
          client,
          'auth',
          op,
          deriveKey('x'.repeat(40), 'forwarded-claims'),
        ),
      'signature',
    ],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none' })}.${b64({ k: 'u', sub: randomUUID(), aud: 'auth', iss: 'bastion-gateway', exp: now() + 30, iat: now(), jti: 'j' })}.`,
      'signature',
    ],
    ['HS512 with the right key', () => resigned((c) => c, 'HS512'), 'signature'],
    ['another subgraph', () => signForwardedClaims(viewer, client, 'credits', op, key), 'audience'],
    ['expired', () => resigned((c) => ({ ...c, iat: now() - 120, exp: now() - 90 })), 'expired'],
    [
      'an iat older than one hop with a fresh exp',
      () => resigned((c) => ({ ...c, iat: now() - 120 })),
      'expired',
    ],
    [
      'an iat a minute in the future',
      () => resigned((c) => ({ ...c, iat: now() + 60, exp: now() + 90 })),
      'malformed',
    ],
    ['no jti', () => resigned(({ jti: _jti, ...c }) => c), 'malformed'],
    ['no exp', () => resigned(({ exp: _exp, ...c }) => c), 'malformed'],
    ['a day-long lifetime', () => resigned((c) => ({ ...c, exp: now() + 86_400 })), 'malformed'],
    [
      'a tampered payload',
      async () => {
        const [h, , sig] = (await signForwardedClaims(viewer, client, 'auth', op, key)).split('.');
        return `${h}.${b64({ k: 'u', sub: randomUUID(), sid: randomUUID(), aud: 'auth', iss: 'bastion-gateway', exp: now() + 30, iat: now(), jti: 'j' })}.${sig}`;
      },
      'signature',
    ],
    [
      'a crit header',
      async () => {
        const { SignJWT } = await loadJose();
        return new SignJWT({
          k: 'a',
          op: 'x',
          aud: 'auth',
          iss: 'bastion-gateway',
          exp: now() + 30,
          iat: now(),
          jti: 'j',
        })
          .setProtectedHeader({ alg: 'HS256', crit: ['b64'], b64: true })
          .sign(key);
      },
      'signature',
    ],
    ['another issuer', () => resigned((c) => ({ ...c, iss: 'someone' })), 'malformed'],
  ])('refuse %s: the caller is anonymous', async (_name, make, rejection) => {
    const result = await verify(await make());
    expect(result.viewer).toEqual({ kind: 'anonymous' });
    expect(result.rejection).toBe(rejection);
  });
});
