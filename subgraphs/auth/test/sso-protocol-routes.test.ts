import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
import type { SsoIdentity } from '../src/sso/identity';
import { SsoConnectionEntity, SsoRequestEntity } from '../src/sso/sso.entities';
import {
  MFA_CONTEXT,
  SAML_ATTRIBUTES,
  decodeResponse,
  encodeResponse,
  makeTestKeyPair,
  startSamlIdp,
  type SamlAnswer,
  type SamlPost,
  type TestSamlIdp,
} from './saml-idp';

const REDIRECT_URI = 'http://localhost:3000/sso/callback';

/**
 * The SSO protocol routes end to end through the gateway's public listener, against a real SAML
 * IdP (samlp) and a real OIDC provider (oidc-provider): the IdP's answer goes to the gateway,
 * which forwards it raw to auth; auth validates it and redirects the browser to the
 * application's redirectUri with a code, or with `error=<reason>` and no code.
 *
 * Sign-in itself (completeSso, ssoLogin, accounts) is sso-admin's: here its seam is observed
 * (which identity it receives, and that a refusal never reaches it), and users and sessions are
 * counted to show a refusal created neither.
 */
describe('SSO protocol routes through the gateway', () => {
  let platform: TestPlatform;
  let idp: TestSamlIdp;
  let oidc: TestOidcProvider;
  let origin: string;
  let saml: SsoConnectionEntity;
  let openid: SsoConnectionEntity;
  const completed: SsoIdentity[] = [];
  const failures: string[] = [];

  const s = () => schemaOf(platform.auth.dataSource);
  const services = () => platform.auth.services;

  function connection(fields: Partial<SsoConnectionEntity>): SsoConnectionEntity {
    return Object.assign(new SsoConnectionEntity(), {
      id: randomUUID(),
      organizationId: randomUUID(),
      name: 'Test IdP',
      enabled: true,
      enforced: false,
      jitProvisioning: true,
      idpInitiated: false,
      defaultRole: 'EDITOR',
      groupRoles: [],
      emailAttribute: null,
      nameAttribute: null,
      groupsAttribute: null,
      samlIdpEntityId: null,
      samlSsoUrl: null,
      samlCertificates: [],
      oidcIssuer: null,
      oidcClientId: null,
      oidcClientSecret: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...fields,
    });
  }

  beforeAll(async () => {
    platform = await startTestPlatform({});
    origin = new URL(platform.gateway.url).origin;
    idp = await startSamlIdp();
    oidc = await startOidcProvider([`${origin}/sso/oidc/callback`]);
    saml = connection({
      kind: 'SAML',
      samlIdpEntityId: idp.entityId,
      samlSsoUrl: idp.ssoUrl,
      samlCertificates: [idp.cert],
      emailAttribute: SAML_ATTRIBUTES.email,
      nameAttribute: SAML_ATTRIBUTES.name,
      groupsAttribute: SAML_ATTRIBUTES.groups,
    });
    openid = connection({
      kind: 'OIDC',
      oidcIssuer: oidc.issuer,
      oidcClientId: oidc.clientId,
      oidcClientSecret: Buffer.from('sealed by sign-in'),
    });
    await platform.auth.dataSource.getRepository(SsoConnectionEntity).save([saml, openid]);
    // sso-admin's side of the seam, observed: the identity handed over, the code it answers.
    Object.assign(services().ssoSignIn, {
      completeSso: async (identity: SsoIdentity) => {
        completed.push(identity);
        return `code-${completed.length}`;
      },
      signInFailed: async (_connection: SsoConnectionEntity, reason: string) => {
        failures.push(reason);
      },
      openSecret: (sealed: Buffer, connectionId: string) => {
        if (connectionId !== openid.id || sealed.toString() !== 'sealed by sign-in')
          throw new Error('wrong secret');
        return oidc.clientSecret;
      },
    });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await idp?.stop();
    await oidc?.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  /** What ssoAuthorizationUrl does (sso-admin's resolver): a request row, then the IdP URL. */
  async function start(target: SsoConnectionEntity) {
    const secrets = await services().ssoProtocols.newRequest(target);
    const now = Date.now();
    const request = Object.assign(new SsoRequestEntity(), {
      ...secrets,
      connectionId: target.id,
      redirectUri: REDIRECT_URI,
      createdAt: new Date(now),
      expiresAt: new Date(now + 10 * 60_000),
      usedAt: null,
    });
    await platform.auth.dataSource.getRepository(SsoRequestEntity).save(request);
    return { request, url: await services().ssoProtocols.authorizationUrl(target, request) };
  }

  async function samlSignIn(answer: Partial<SamlAnswer> = {}): Promise<SamlPost> {
    const { url } = await start(saml);
    return idp.signIn(url, { user: ada, ...answer });
  }

  /** The browser posting the IdP's form to the ACS URL the AuthnRequest named (the gateway). */
  const post = (form: SamlPost) =>
    fetch(form.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }),
    });

  /** Where the browser is sent: the redirectUri's query (code or error). */
  function landing(response: Response) {
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    return Object.fromEntries(location.searchParams);
  }

  const counts = async () => {
    const [users] = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${s()}.users`,
    );
    const [sessions] = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${s()}.sessions`,
    );
    return { users: users.n as number, sessions: sessions.n as number };
  };

  /** A refusal: 302 with error=<reason>, no code, nothing completed, no user or session created. */
  async function expectRefused(response: Promise<Response>, reason: string) {
    const before = { completed: completed.length, ...(await counts()) };
    const query = landing(await response);
    expect(query).toEqual({ error: reason });
    expect(completed.length).toBe(before.completed);
    expect(failures.at(-1)).toBe(reason);
    expect(await counts()).toEqual({ users: before.users, sessions: before.sessions });
  }

  const ada = {
    nameId: 'ada@example.test',
    email: 'ada@example.test',
    name: 'Ada Lovelace',
    groups: ['engineering'],
  };

  describe('SAML', () => {
    it('posts the AuthnRequest to the IdP with the ACS on the gateway', async () => {
      const form = await samlSignIn();
      expect(form.acsUrl).toBe(`${origin}/sso/saml/acs`);
    });

    it('signs in: IdP -> POST /sso/saml/acs on the gateway -> 302 to redirectUri with a code', async () => {
      const query = landing(await post(await samlSignIn({ authnContextClassRef: MFA_CONTEXT })));
      expect(query).toEqual({ code: `code-${completed.length}` });
      expect(completed.at(-1)).toEqual({
        connectionId: saml.id,
        organizationId: saml.organizationId,
        subject: 'ada@example.test',
        email: 'ada@example.test',
        name: 'Ada Lovelace',
        groups: ['engineering'],
        amr: ['fed', 'mfa'],
      });
    });

    it("a password-only AuthnContextClassRef gives no 'mfa'", async () => {
      landing(await post(await samlSignIn()));
      expect(completed.at(-1)!.amr).toEqual(['fed']);
    });

    it('serves the SP metadata through the gateway', async () => {
      const response = await fetch(`${origin}/sso/saml/metadata?connection=${saml.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('samlmetadata+xml');
      const xml = await response.text();
      expect(xml).toContain(`Location="${origin}/sso/saml/acs"`);
      expect(xml).toContain(`/sso/saml/metadata?connection=${saml.id}`);
      expect((await fetch(`${origin}/sso/saml/metadata?connection=${randomUUID()}`)).status).toBe(
        404,
      );
    });

    it('refuses an unsigned response', async () => {
      await expectRefused(post(await samlSignIn({ signAssertion: false })), 'SAML_UNSIGNED');
    });

    it('refuses a response signed with another key', async () => {
      await expectRefused(
        post(await samlSignIn({ keyPair: makeTestKeyPair('mallory') })),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('refuses XML signature wrapping (signed assertion moved, evil one in its place)', async () => {
      const form = await samlSignIn();
      const document = decodeResponse(form.SAMLResponse);
      const signed = document.getElementsByTagNameNS('*', 'Assertion')[0];
      const evil = signed.cloneNode(true) as Element;
      evil.setAttribute('ID', '_evil');
      const signature = evil.getElementsByTagNameNS(
        'http://www.w3.org/2000/09/xmldsig#',
        'Signature',
      )[0];
      signature.parentNode!.removeChild(signature);
      evil.getElementsByTagNameNS('*', 'NameID')[0].textContent = 'ceo@example.test';
      const extensions = document.createElementNS(
        'urn:oasis:names:tc:SAML:2.0:protocol',
        'samlp:Extensions',
      );
      document.documentElement.replaceChild(evil, signed);
      extensions.appendChild(signed);
      document.documentElement.insertBefore(extensions, evil);
      await expectRefused(
        post({ ...form, SAMLResponse: encodeResponse(document) }),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('reads a NameID with an injected comment whole (the raw body reaches auth intact)', async () => {
      const byNameId = { ...saml, emailAttribute: null };
      await platform.auth.dataSource.getRepository(SsoConnectionEntity).save(byNameId);
      try {
        const form = await samlSignIn({ user: { nameId: 'user@example.test.evil.com' } });
        const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
        const injected = xml.replace(
          '>user@example.test.evil.com<',
          '>user@example.test<!---->.evil.com<',
        );
        expect(injected).not.toBe(xml);
        landing(await post({ ...form, SAMLResponse: Buffer.from(injected).toString('base64') }));
        expect(completed.at(-1)!.email).toBe('user@example.test.evil.com');
      } finally {
        await platform.auth.dataSource.getRepository(SsoConnectionEntity).save(saml);
      }
    });

    it('refuses a wrong audience', async () => {
      await expectRefused(
        post(await samlSignIn({ audience: 'https://another-sp.example' })),
        'SAML_AUDIENCE_MISMATCH',
      );
    });

    it('refuses a wrong recipient', async () => {
      await expectRefused(
        post(await samlSignIn({ recipient: 'https://evil.example/acs' })),
        'SAML_RECIPIENT_MISMATCH',
      );
    });

    it('refuses a wrong destination', async () => {
      await expectRefused(
        post(await samlSignIn({ signResponse: true, destination: 'https://evil.example/acs' })),
        'SAML_DESTINATION_MISMATCH',
      );
    });

    it('refuses an expired and a not-yet-valid assertion', async () => {
      const atIdpTime = async (offsetMs: number) => {
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
          now: Date.now() + offsetMs,
        });
        const { url } = await (async () => {
          jest.useRealTimers();
          const started = await start(saml);
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
            now: Date.now() + offsetMs,
          });
          return started;
        })();
        try {
          return await idp.signIn(url, { user: ada });
        } finally {
          jest.useRealTimers();
        }
      };
      await expectRefused(post(await atIdpTime(-10 * 60_000)), 'SAML_EXPIRED');
      await expectRefused(post(await atIdpTime(5 * 60_000)), 'SAML_NOT_YET_VALID');
    });

    it('refuses the same response posted twice', async () => {
      const form = await samlSignIn();
      expect(landing(await post(form)).code).toBeDefined();
      await expectRefused(post(form), 'SAML_REPLAYED');
    });

    it('refuses an unsolicited response while IdP-initiated sign-in is off', async () => {
      const { request } = await start(saml);
      const samlResponse = await idp.unsolicited({
        user: ada,
        acsUrl: `${origin}/sso/saml/acs`,
        audience: `${origin}/sso/saml/metadata?connection=${saml.id}`,
      });
      await expectRefused(
        post({
          SAMLResponse: samlResponse,
          RelayState: request.id,
          acsUrl: `${origin}/sso/saml/acs`,
        }),
        'SAML_UNSOLICITED',
      );
    });

    it('answers 400 to a response without a known RelayState, completing nothing', async () => {
      const form = await samlSignIn();
      const before = completed.length;
      const response = await post({ ...form, RelayState: 'not-a-request' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'SSO_REQUEST_UNKNOWN' });
      expect(completed.length).toBe(before);
    });
  });

  describe('OIDC', () => {
    const callback = (query: { code: string; state: string }) =>
      fetch(`${origin}/sso/oidc/callback?${new URLSearchParams(query)}`, { redirect: 'manual' });

    it('signs in: IdP -> GET /sso/oidc/callback on the gateway -> 302 with a code', async () => {
      const { url } = await start(openid);
      const params = new URL(url).searchParams;
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('nonce')).toBeTruthy();
      expect(params.get('redirect_uri')).toBe(`${origin}/sso/oidc/callback`);
      const answer = await oidc.authorize(url, {
        sub: 'okta-123',
        email: 'Grace@Example.test',
        emailVerified: true,
        name: 'Grace Hopper',
      });
      expect(landing(await callback(answer)).code).toBeDefined();
      expect(completed.at(-1)).toEqual({
        connectionId: openid.id,
        organizationId: openid.organizationId,
        subject: 'okta-123',
        email: 'grace@example.test',
        name: 'Grace Hopper',
        groups: [],
        // The test provider sends no amr: federated, no second factor claimed.
        amr: ['fed'],
      });
    });

    it('refuses a wrong state: 400 SSO_REQUEST_UNKNOWN, nothing completed', async () => {
      const { url } = await start(openid);
      const answer = await oidc.authorize(url, { sub: 'okta-789', email: 'eve@example.test' });
      const before = completed.length;
      const response = await callback({ ...answer, state: 'forged-state' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'SSO_REQUEST_UNKNOWN' });
      expect(completed.length).toBe(before);
    });

    it("refuses an ID token whose nonce is not the request's", async () => {
      const { url, request } = await start(openid);
      const answer = await oidc.authorize(url, { sub: 'okta-000', email: 'eve@example.test' });
      await platform.auth.dataSource.query(
        `UPDATE ${s()}.sso_requests SET oidc_nonce = $2 WHERE id = $1`,
        [request.id, 'another-flows-nonce'],
      );
      await expectRefused(callback(answer), 'OIDC_NONCE_MISMATCH');
    });
  });
});
