import { createHmac, randomUUID } from 'node:crypto';
import { ClaimsKeys, claimsKeyVar, deriveSubgraphClaimsKey } from './claims-keys';
import { signForwardedClaims, verifyForwardedClaims } from './forwarded-claims';
import { MemoryReplayGuard } from './replay-guard';
import type { Viewer } from './viewer';

const MASTER = 'the-gateway-master-claims-secret-0123456789';

/** RFC 5869 written out with HMAC-SHA256 (no hkdfSync): extract with a zero salt, one expand block. */
function hkdfByHand(ikm: string, info: string): string {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from(info), Buffer.from([1])]))
    .digest('base64url');
}

describe('claims keys, one per receiving subgraph', () => {
  const gateway = ClaimsKeys.fromMaster(MASTER);
  const admin: Viewer = { kind: 'service', name: 'gateway', scopes: ['tokens:admin'] };
  const op = { query: '{ tokenRevocationState { revokedSessionIds } }', variables: {} };
  const client = { ip: null, userAgent: null };
  const accepts = async (audience: string, header: string, key = gateway.keyFor(audience)) =>
    (
      await verifyForwardedClaims(header, {
        audience,
        operation: op,
        key,
        replayGuard: new MemoryReplayGuard(),
      })
    ).viewer.kind !== 'anonymous';

  it('derives each key as HKDF-SHA256(master, "bastion claims <name>"), written base64url', () => {
    for (const name of ['auth', 'orgs', 'credits', 'ai'])
      expect(deriveSubgraphClaimsKey(MASTER, name)).toBe(
        hkdfByHand(MASTER, `bastion claims ${name}`),
      );
    expect(claimsKeyVar('credits')).toBe('CREDITS_CLAIMS_KEY');
  });

  it("refuses, at auth and at credits, claims forged with ai's key; ai's own claims still pass", async () => {
    const ai = ClaimsKeys.own('ai', deriveSubgraphClaimsKey(MASTER, 'ai'));
    const aiKey = ai.keyFor('ai');
    // What a compromised ai would try: an admin service addressed to auth, credits for itself.
    for (const target of ['auth', 'credits']) {
      const forged = await signForwardedClaims(admin, client, target, op, aiKey);
      expect([target, await accepts(target, forged)]).toEqual([target, false]);
    }
    // ai's own key is the one the gateway derives for ai: claims addressed to ai still pass.
    const genuine = await signForwardedClaims(admin, client, 'ai', op, aiKey);
    expect(await accepts('ai', genuine)).toBe(true);
  });

  it("refuses claims signed with the receiver's own key but addressed to another subgraph", async () => {
    const forCredits = await signForwardedClaims(
      admin,
      client,
      'credits',
      op,
      gateway.keyFor('auth'),
    );
    expect(await accepts('auth', forCredits, gateway.keyFor('auth'))).toBe(false);
    const forAuth = await signForwardedClaims(admin, client, 'auth', op, gateway.keyFor('auth'));
    expect(await accepts('auth', forAuth)).toBe(true);
  });

  it("gives a subgraph its own key only: asking it for another subgraph's fails", () => {
    const credits = gateway.only('credits');
    expect(credits.subgraphs).toEqual(['credits']);
    expect(credits.holdsMaster).toBe(false);
    expect(credits.keyFor('credits').export()).toEqual(gateway.keyFor('credits').export());
    for (const other of ['auth', 'orgs', 'ai'])
      expect(() => credits.keyFor(other)).toThrow(`no claims key for the ${other} subgraph`);
    expect(() => gateway.keyFor('billing')).toThrow('no claims key for the billing subgraph');
    const keys = ['auth', 'orgs', 'credits', 'ai'].map((name) =>
      gateway.keyFor(name).export().toString('hex'),
    );
    expect(new Set(keys).size).toBe(4);
  });

  it('refuses a key that is not 43 base64url characters (e.g. the master pasted by mistake)', () => {
    const composeMaster = 'q'.repeat(60) + '+/A=';
    expect(() => ClaimsKeys.own('auth', composeMaster)).toThrow(
      'AUTH_CLAIMS_KEY must be 43 base64url',
    );
    expect(() => ClaimsKeys.own('auth', randomUUID())).toThrow('AUTH_CLAIMS_KEY');
  });
});
