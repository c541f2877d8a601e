import type { IncomingMessage } from 'node:http';
import {
  ServiceTokenRegistry,
  generateServiceToken,
  serviceTokenEntry,
  sha256Hex,
  type AccessTokenVerifier,
} from '@bastion/platform';
import { Authenticator, type CredentialState } from './authenticate';

// Two configured entries for one service (a rotation), and two issued tokens sharing a display
// name, one of them issued with tokens:admin before only configuration could grant it.
const rotationOld = generateServiceToken();
const rotationNew = generateServiceToken();
const issuedReader = generateServiceToken();
const issuedLegacyAdmin = generateServiceToken();
const issued = new Map([
  [sha256Hex(issuedReader), { name: 'nightly-report', scopes: ['users:read'] }],
  [
    sha256Hex(issuedLegacyAdmin),
    { name: 'nightly-report', scopes: ['tokens:admin', 'users:read'] },
  ],
]);
const state: CredentialState = {
  isRevoked: async () => false,
  findIssued: async (sha256) => issued.get(sha256) ?? null,
};
const authenticator = new Authenticator(
  // Only service tokens are presented below: the access-token verifier is never reached.
  {} as AccessTokenVerifier,
  new ServiceTokenRegistry([
    serviceTokenEntry('ai', ['credits:read', 'credits:write'], rotationOld),
    serviceTokenEntry('ai', ['credits:read', 'credits:write'], rotationNew),
  ]),
  state,
);
const withToken = (token: string) =>
  authenticator.authenticate({
    headers: { 'x-service-token': token },
  } as unknown as IncomingMessage);

describe('Authenticator: service tokens', () => {
  it('identifies a configured service by its entry name, shared by its rotation', async () => {
    expect(await withToken(rotationOld)).toEqual({
      kind: 'service',
      name: 'ai',
      scopes: ['credits:read', 'credits:write'],
      tokenId: 'configured:ai',
    });
    expect(await withToken(rotationNew)).toMatchObject({ tokenId: 'configured:ai' });
  });

  it('identifies an issued token by its hash, not its display name', async () => {
    const first = await withToken(issuedReader);
    const second = await withToken(issuedLegacyAdmin);
    expect(first).toMatchObject({
      name: 'nightly-report',
      tokenId: `issued:${sha256Hex(issuedReader)}`,
    });
    expect(second).toMatchObject({
      name: 'nightly-report',
      tokenId: `issued:${sha256Hex(issuedLegacyAdmin)}`,
    });
  });

  it('never lets an issued token hold tokens:admin, even one issued with it', async () => {
    expect(await withToken(issuedLegacyAdmin)).toMatchObject({ scopes: ['users:read'] });
  });
});
