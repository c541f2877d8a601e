import { createClaimsChannel } from './in-process-claims';
import type { Viewer } from './viewer';

const viewer: Viewer = {
  kind: 'user',
  userId: 'u-1',
  sessionId: 's-1',
  emailVerified: true,
  organizationId: null,
  role: null,
  tokenId: 't-1',
  issuedAt: 0,
  amr: ['pwd'],
  authTime: 0,
  mfaEnrolled: false,
};
const client = { ip: '127.0.0.1', userAgent: 'jest', refreshCookie: 'brt_secret' };

describe('in-process claims channel', () => {
  it('accepts claims it minted, once, for their subgraph and request object', () => {
    const channel = createClaimsChannel();
    const request = { query: '{ me { id } }' };
    const claims = channel.mint(viewer, client, 'orgs', request, 'req-1');
    expect(Object.isFrozen(claims)).toBe(true);
    const accepted = channel.accept(claims, 'orgs', request);
    expect(accepted).toEqual({
      viewer,
      client: { ip: '127.0.0.1', userAgent: 'jest', refreshCookie: null },
      requestId: 'req-1',
    });
    // Spent, like a signed claims' jti.
    expect(channel.accept(claims, 'orgs', request)).toEqual({ rejection: 'signature' });
  });

  it('refuses objects it did not mint: a literal, a copy, a spread, a prototype, a proxy, another channel', () => {
    const channel = createClaimsChannel();
    const request = { query: '{ me { id } }' };
    const genuine = channel.mint(viewer, client, 'orgs', request, 'req-1');
    const forgeries: unknown[] = [
      undefined,
      null,
      'claims',
      { audience: 'orgs', requestId: 'req-1' },
      { ...genuine },
      Object.assign({}, genuine),
      structuredClone(genuine),
      Object.create(genuine),
      new Proxy(genuine, {}),
      createClaimsChannel().mint(viewer, client, 'orgs', request, 'req-1'),
    ];
    for (const forged of forgeries)
      expect(channel.accept(forged, 'orgs', request)).toEqual({ rejection: 'signature' });
    // The genuine claims were not spent by those attempts.
    expect(channel.accept(genuine, 'orgs', request)).toMatchObject({ viewer });
  });

  it('refuses claims presented to another subgraph or with another request object, without spending them', () => {
    const channel = createClaimsChannel();
    const request = { query: '{ me { id } }' };
    const claims = channel.mint(viewer, client, 'orgs', request, 'req-1');
    expect(channel.accept(claims, 'auth', request)).toEqual({ rejection: 'audience' });
    expect(channel.accept(claims, 'orgs', { ...request })).toEqual({ rejection: 'operation' });
    expect(channel.accept(claims, 'orgs', request)).toMatchObject({ viewer });
  });

  it('gives the refresh cookie to auth only, and what signed claims carry of the client', () => {
    const channel = createClaimsChannel();
    const request = {};
    const long = { ip: '10.0.0.1', userAgent: 'x'.repeat(600), refreshCookie: 'brt_secret' };
    const forAuth = channel.accept(
      channel.mint(viewer, long, 'auth', request, 'r'),
      'auth',
      request,
    );
    const forCredits = channel.accept(
      channel.mint(viewer, long, 'credits', request, 'r'),
      'credits',
      request,
    );
    expect(forAuth).toMatchObject({ client: { refreshCookie: 'brt_secret' } });
    expect(forCredits).toMatchObject({ client: { refreshCookie: null } });
    expect('client' in forAuth && forAuth.client.userAgent).toHaveLength(512);
    const hosts = { ip: null, userAgent: null, cookieHosts: { host: 'a.test', origin: 'b.test' } };
    const toAuth = channel.accept(
      channel.mint(viewer, hosts, 'auth', request, 'r'),
      'auth',
      request,
    );
    const toOrgs = channel.accept(
      channel.mint(viewer, hosts, 'orgs', request, 'r'),
      'orgs',
      request,
    );
    expect(toAuth).toMatchObject({ client: { cookieHosts: { host: 'a.test', origin: 'b.test' } } });
    expect('client' in toOrgs && toOrgs.client.cookieHosts).toBeUndefined();
    const asked = { ip: null, userAgent: null, refreshCookieMode: true };
    const modeToAuth = channel.accept(
      channel.mint(viewer, asked, 'auth', request, 'r'),
      'auth',
      request,
    );
    const modeToOrgs = channel.accept(
      channel.mint(viewer, asked, 'orgs', request, 'r'),
      'orgs',
      request,
    );
    expect(modeToAuth).toMatchObject({ client: { refreshCookieMode: true } });
    expect('client' in modeToOrgs && modeToOrgs.client.refreshCookieMode).toBeUndefined();
  });
});
