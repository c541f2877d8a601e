import {
  SamlServiceProvider,
  newSamlRequestId,
  type SamlConnectionSettings,
} from '../src/sso/saml';
import { failureReason } from '../src/sso/failure';
import {
  MFA_CONTEXT,
  SAML_ATTRIBUTES,
  decodeResponse,
  encodeResponse,
  makeTestKeyPair,
  startSamlIdp,
  type SamlAnswer,
  type TestSamlIdp,
} from './saml-idp';

/**
 * The SAML adapter against a real IdP (samlp 8.0.0, in this process): what it accepts, and each
 * bad input of issue 19 refused with its reason. The expected answers come from the SAML 2.0
 * core/profiles rules (signature, audience, recipient, destination, time window, InResponseTo,
 * one use), not from the adapter.
 */
describe('SAML service provider (node-saml) against a samlp IdP', () => {
  const ORIGIN = 'http://127.0.0.1:4999';
  let idp: TestSamlIdp;
  let sp: SamlServiceProvider;
  const seen = new Set<string>();
  let connection: SamlConnectionSettings;

  beforeAll(async () => {
    idp = await startSamlIdp();
    sp = new SamlServiceProvider(
      { publicOrigin: () => ORIGIN },
      {
        remember: async (connectionId, assertionId) => {
          const key = `${connectionId} ${assertionId}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        },
      },
    );
    connection = {
      id: '0b8e5c2e-6d1b-4a8e-9d59-5f0c1d3f7a10',
      organizationId: '5e1c0f8a-3b7d-4c2e-8f6a-9d0b1c2e3f40',
      idpEntityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      certificates: [idp.cert],
      idpInitiated: false,
      emailAttribute: SAML_ATTRIBUTES.email,
      nameAttribute: SAML_ATTRIBUTES.name,
      groupsAttribute: SAML_ATTRIBUTES.groups,
    };
  });
  afterAll(() => idp?.stop());

  const ada = {
    nameId: 'ada@example.test',
    email: 'Ada@Example.test',
    name: 'Ada',
    groups: ['eng', 'admins'],
  };

  /** An SP-initiated round: the AuthnRequest, the IdP's answer, and the pending request it answers. */
  async function round(answer: Partial<SamlAnswer> = {}, settings = connection) {
    const request = { id: `relay-${newSamlRequestId()}`, samlRequestId: newSamlRequestId() };
    const url = await sp.authorizationUrl(settings, request);
    const post = await idp.signIn(url, { user: ada, ...answer });
    const pending = { samlRequestId: request.samlRequestId, createdAt: new Date() };
    return { request, post, pending, url };
  }

  async function refusal(promise: Promise<unknown>): Promise<string | null> {
    try {
      await promise;
    } catch (error) {
      return failureReason(error);
    }
    return 'ACCEPTED';
  }

  it('sends an AuthnRequest over HTTP-Redirect with its ID, the ACS and RelayState', async () => {
    const { request, post, url } = await round();
    expect(new URL(url).origin + new URL(url).pathname).toBe(idp.ssoUrl);
    expect(new URL(url).searchParams.get('RelayState')).toBe(request.id);
    expect(post.acsUrl).toBe(`${ORIGIN}/sso/saml/acs`);
    expect(post.RelayState).toBe(request.id);
    const xml = Buffer.from(post.SAMLResponse, 'base64').toString('utf8');
    expect(xml).toContain(`InResponseTo="${request.samlRequestId}"`);
  });

  it('accepts a signed assertion and reads the identity (e-mail lower-cased, name, groups, amr fed)', async () => {
    const { post, pending } = await round();
    await expect(sp.identity(connection, pending, post.SAMLResponse)).resolves.toEqual({
      connectionId: connection.id,
      organizationId: connection.organizationId,
      subject: 'ada@example.test',
      email: 'ada@example.test',
      name: 'Ada',
      groups: ['eng', 'admins'],
      amr: ['fed'],
    });
  });

  it('accepts a signed response with an unsigned assertion', async () => {
    const { post, pending } = await round({ signResponse: true, signAssertion: false });
    await expect(sp.identity(connection, pending, post.SAMLResponse)).resolves.toMatchObject({
      email: 'ada@example.test',
    });
  });

  it("maps an MFA AuthnContextClassRef to 'mfa', a password-only one not", async () => {
    const mfa = await round({ authnContextClassRef: MFA_CONTEXT });
    expect((await sp.identity(connection, mfa.pending, mfa.post.SAMLResponse)).amr).toEqual([
      'fed',
      'mfa',
    ]);
    const pwd = await round({
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    });
    expect((await sp.identity(connection, pwd.pending, pwd.post.SAMLResponse)).amr).toEqual([
      'fed',
    ]);
  });

  it('accepts a certificate being rotated in: any of the connection certificates', async () => {
    const { post, pending } = await round();
    const other = makeTestKeyPair('rotated-in');
    const rotating = { ...connection, certificates: [other.cert, idp.cert] };
    await expect(sp.identity(rotating, pending, post.SAMLResponse)).resolves.toMatchObject({
      subject: 'ada@example.test',
    });
  });

  it('refuses an unsigned response: SAML_UNSIGNED', async () => {
    const { post, pending } = await round({ signAssertion: false, signResponse: false });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_UNSIGNED',
    );
  });

  it('refuses a response signed with another key: SAML_SIGNATURE_INVALID', async () => {
    const { post, pending } = await round({ keyPair: makeTestKeyPair('mallory') });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('refuses a tampered assertion (NameID changed after signing): SAML_SIGNATURE_INVALID', async () => {
    const { post, pending } = await round();
    const document = decodeResponse(post.SAMLResponse);
    document.getElementsByTagNameNS('*', 'NameID')[0].textContent = 'root@example.test';
    expect(await refusal(sp.identity(connection, pending, encodeResponse(document)))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('refuses XML signature wrapping: signed assertion moved into Extensions, an evil unsigned one in its place', async () => {
    const { post, pending } = await round({
      user: { nameId: 'eve@example.test', email: 'eve@example.test' },
    });
    const document = decodeResponse(post.SAMLResponse);
    const response = document.documentElement;
    const signed = document.getElementsByTagNameNS('*', 'Assertion')[0];
    const evil = signed.cloneNode(true);
    evil.setAttribute('ID', '_evil');
    const signature = evil.getElementsByTagNameNS(
      'http://www.w3.org/2000/09/xmldsig#',
      'Signature',
    )[0];
    signature.parentNode!.removeChild(signature);
    evil.getElementsByTagNameNS('*', 'NameID')[0].textContent = 'ceo@example.test';
    for (const value of Array.from(evil.getElementsByTagNameNS('*', 'AttributeValue')))
      if (value.textContent === 'eve@example.test') value.textContent = 'ceo@example.test';
    const extensions = document.createElementNS(
      'urn:oasis:names:tc:SAML:2.0:protocol',
      'samlp:Extensions',
    );
    response.replaceChild(evil, signed);
    extensions.appendChild(signed);
    response.insertBefore(extensions, response.firstChild!.nextSibling);
    const wrapped = encodeResponse(document);
    expect(Buffer.from(wrapped, 'base64').toString()).toContain('ceo@example.test');
    expect(await refusal(sp.identity(connection, pending, wrapped))).toBe('SAML_SIGNATURE_INVALID');
  });

  it('refuses XML signature wrapping: an evil unsigned assertion next to the signed one', async () => {
    const { post, pending } = await round();
    const document = decodeResponse(post.SAMLResponse);
    const signed = document.getElementsByTagNameNS('*', 'Assertion')[0];
    const evil = signed.cloneNode(true);
    evil.setAttribute('ID', '_evil');
    const signature = evil.getElementsByTagNameNS(
      'http://www.w3.org/2000/09/xmldsig#',
      'Signature',
    )[0];
    signature.parentNode!.removeChild(signature);
    evil.getElementsByTagNameNS('*', 'NameID')[0].textContent = 'ceo@example.test';
    document.documentElement.insertBefore(evil, signed);
    expect(await refusal(sp.identity(connection, pending, encodeResponse(document)))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('reads a NameID with an injected comment whole: the signed address, not its prefix', async () => {
    const byNameId = { ...connection, emailAttribute: null };
    const { post, pending } = await round(
      { user: { nameId: 'user@example.test.evil.com' } },
      byNameId,
    );
    const xml = Buffer.from(post.SAMLResponse, 'base64').toString('utf8');
    const injected = xml.replace(
      '>user@example.test.evil.com<',
      '>user@example.test<!---->.evil.com<',
    );
    expect(injected).not.toBe(xml);
    const identity = await sp.identity(
      byNameId,
      pending,
      Buffer.from(injected, 'utf8').toString('base64'),
    );
    expect(identity.subject).toBe('user@example.test.evil.com');
    expect(identity.email).toBe('user@example.test.evil.com');
  });

  it('refuses a response with a DOCTYPE (entity expansion): SAML_RESPONSE_MALFORMED', async () => {
    const { post, pending } = await round();
    const xml = Buffer.from(post.SAMLResponse, 'base64').toString('utf8');
    const at = xml.indexOf('<samlp:Response');
    expect(at).toBeGreaterThanOrEqual(0);
    const withDtd = `${xml.slice(0, at)}<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${xml.slice(at)}`;
    expect(
      await refusal(
        sp.identity(connection, pending, Buffer.from(withDtd, 'utf8').toString('base64')),
      ),
    ).toBe('SAML_RESPONSE_MALFORMED');
  });

  it('refuses a wrong audience: SAML_AUDIENCE_MISMATCH', async () => {
    const { post, pending } = await round({ audience: 'https://another-sp.example/metadata' });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_AUDIENCE_MISMATCH',
    );
  });

  it("refuses another connection's audience (same IdP, another organization): SAML_AUDIENCE_MISMATCH", async () => {
    const { post, pending } = await round();
    const other = { ...connection, id: '9f0e3c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b' };
    expect(await refusal(sp.identity(other, pending, post.SAMLResponse))).toBe(
      'SAML_AUDIENCE_MISMATCH',
    );
  });

  it('refuses a wrong recipient: SAML_RECIPIENT_MISMATCH', async () => {
    const { post, pending } = await round({ recipient: 'https://evil.example/acs' });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_RECIPIENT_MISMATCH',
    );
  });

  it('refuses a wrong destination on a signed response: SAML_DESTINATION_MISMATCH', async () => {
    const { post, pending } = await round({
      signResponse: true,
      destination: 'https://evil.example/acs',
    });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_DESTINATION_MISMATCH',
    );
  });

  it('refuses an expired assertion (IdP clock 10 minutes behind, lifetime 5 minutes): SAML_EXPIRED', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
        'performance',
        'hrtime',
      ],
      now: Date.now() - 10 * 60_000,
    });
    let answered;
    try {
      answered = await round();
    } finally {
      jest.useRealTimers();
    }
    expect(
      await refusal(sp.identity(connection, answered.pending, answered.post.SAMLResponse)),
    ).toBe('SAML_EXPIRED');
  });

  it('refuses a not-yet-valid assertion (IdP clock 5 minutes ahead, skew 60 s): SAML_NOT_YET_VALID', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
        'performance',
        'hrtime',
      ],
      now: Date.now() + 5 * 60_000,
    });
    let answered;
    try {
      answered = await round();
    } finally {
      jest.useRealTimers();
    }
    expect(
      await refusal(sp.identity(connection, answered.pending, answered.post.SAMLResponse)),
    ).toBe('SAML_NOT_YET_VALID');
  });

  it('refuses the same response posted twice: SAML_REPLAYED the second time', async () => {
    const { post, pending } = await round();
    await expect(sp.identity(connection, pending, post.SAMLResponse)).resolves.toBeDefined();
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_REPLAYED',
    );
  });

  it('refuses a response to another AuthnRequest: SAML_IN_RESPONSE_TO_MISMATCH', async () => {
    const { post } = await round();
    const other = { samlRequestId: newSamlRequestId(), createdAt: new Date() };
    expect(await refusal(sp.identity(connection, other, post.SAMLResponse))).toBe(
      'SAML_IN_RESPONSE_TO_MISMATCH',
    );
  });

  it('refuses an unsolicited response while IdP-initiated sign-in is off: SAML_UNSOLICITED', async () => {
    const samlResponse = await idp.unsolicited({
      user: ada,
      acsUrl: sp.acsUrl(),
      audience: sp.entityId(connection.id),
    });
    const pending = { samlRequestId: newSamlRequestId(), createdAt: new Date() };
    expect(await refusal(sp.identity(connection, pending, samlResponse))).toBe('SAML_UNSOLICITED');
    // The same response is accepted by a connection that allows IdP-initiated sign-in.
    const idpInitiated = { ...connection, idpInitiated: true };
    await expect(
      sp.identity(idpInitiated, { samlRequestId: null, createdAt: new Date() }, samlResponse),
    ).resolves.toMatchObject({ email: 'ada@example.test' });
  });

  it('refuses an assertion from another issuer signed with a trusted key: SAML_ISSUER_MISMATCH', async () => {
    const { post, pending } = await round({ issuer: 'https://other-idp.example' });
    expect(await refusal(sp.identity(connection, pending, post.SAMLResponse))).toBe(
      'SAML_ISSUER_MISMATCH',
    );
  });

  it('serves SP metadata naming the entity id and the ACS', () => {
    const xml = sp.metadata(connection);
    expect(xml).toContain(`entityID="${sp.entityId(connection.id).replace(/&/g, '&amp;')}"`);
    expect(xml).toContain(`Location="${ORIGIN}/sso/saml/acs"`);
  });
});
