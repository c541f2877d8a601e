import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  loadJose,
  registerUser,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
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
 * application's redirectUri with a code that ssoLogin (through the gateway) turns into an
 * AuthPayload, or with `error=<reason>` and no code: then SSO_SIGN_IN_FAILED is in auth's outbox
 * and no user, session or code exists for it.
 *
 * The organizations, their verified domains and connections are set up as an ADMIN would
 * (createOrganization, createSsoConnection); every sign-in starts with ssoAuthorizationUrl.
 */
describe('SSO protocol routes through the gateway', () => {
  let platform: TestPlatform;
  let idp: TestSamlIdp;
  let oidc: TestOidcProvider;
  let origin: string;
  let saml: SsoConnectionEntity;
  let openid: SsoConnectionEntity;
  /** The OIDC connection's organization: its slug starts the flow (its domain is oidc.test). */
  let oidcSlug: string;
  /** The SAML organization's ADMIN token: its audit log shows the attempts. */
  let samlAdminToken: string;
  let oidcAdminToken: string;

  const s = () => schemaOf(platform.auth.dataSource);
  const decode = async (token: string) => (await loadJose()).decodeJwt(token);

  const AUTHORIZATION_URL = `query ($email: String, $organizationSlug: String, $redirectUri: String!) {
    ssoAuthorizationUrl(email: $email, organizationSlug: $organizationSlug, redirectUri: $redirectUri)
  }`;
  const CREATE_CONNECTION = `mutation ($organizationId: ID!, $input: CreateSsoConnectionInput!) {
    createSsoConnection(organizationId: $organizationId, input: $input) { id }
  }`;
  const SSO_LOGIN = `mutation ($code: String!) {
    ssoLogin(code: $code) { accessToken user { id email emailVerified displayName } }
  }`;
  type SsoLogin = {
    ssoLogin: {
      accessToken: string;
      user: { id: string; email: string; emailVerified: boolean; displayName: string | null };
    };
  };

  /** An organization as its ADMIN sets it up: created, a verified domain, one connection. */
  async function organizationWith(name: string, domain: string, input: Record<string, unknown>) {
    const admin = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string; slug: string } }>(
      'mutation ($name: String!) { createOrganization(name: $name) { id slug } }',
      { name },
      { token: admin.accessToken },
    );
    const { id: organizationId, slug } = created.body.data!.createOrganization;
    // The domain as verifySsoDomain leaves it (DNS verification is sso-admin's test).
    await platform.auth.dataSource.query(
      `INSERT INTO ${s()}.sso_domains (id, organization_id, domain, txt_token, created_at, verified_at)
        VALUES ($1, $2, $3, 'token', now(), now())`,
      [randomUUID(), organizationId, domain],
    );
    const connection = await platform.gql<{ createSsoConnection: { id: string } }>(
      CREATE_CONNECTION,
      { organizationId, input: { name: 'Test IdP', defaultRole: 'EDITOR', ...input } },
      { token: admin.accessToken },
    );
    if (!connection.body.data) throw new Error(JSON.stringify(connection.body.errors));
    const entity = await platform.auth.dataSource
      .getRepository(SsoConnectionEntity)
      .findOneByOrFail({ id: connection.body.data.createSsoConnection.id });
    return { connection: entity, slug, token: admin.accessToken };
  }

  beforeAll(async () => {
    platform = await startTestPlatform({ SSO_REDIRECT_URIS: REDIRECT_URI });
    origin = new URL(platform.gateway.url).origin;
    idp = await startSamlIdp();
    oidc = await startOidcProvider([`${origin}/sso/oidc/callback`]);
    ({ connection: saml, token: samlAdminToken } = await organizationWith(
      'Example',
      'example.test',
      {
        kind: 'SAML',
        samlIdpEntityId: idp.entityId,
        samlSsoUrl: idp.ssoUrl,
        samlCertificates: [idp.cert],
        emailAttribute: SAML_ATTRIBUTES.email,
        nameAttribute: SAML_ATTRIBUTES.name,
        groupsAttribute: SAML_ATTRIBUTES.groups,
      },
    ));
    ({
      connection: openid,
      slug: oidcSlug,
      token: oidcAdminToken,
    } = await organizationWith('Oidc Corp', 'oidc.test', {
      kind: 'OIDC',
      oidcIssuer: oidc.issuer,
      oidcClientId: oidc.clientId,
      oidcClientSecret: oidc.clientSecret,
    }));
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await idp?.stop();
    await oidc?.stop();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  const authorizationUrl = (variables: Record<string, unknown>) =>
    platform.gql<{ ssoAuthorizationUrl: string }>(AUTHORIZATION_URL, {
      redirectUri: REDIRECT_URI,
      ...variables,
    });

  /**
   * ssoAuthorizationUrl through the gateway: by a colleague's email for the SAML organization,
   * by its slug for the OIDC one. The IdP URL and the request row it started.
   */
  async function start(target: SsoConnectionEntity) {
    const started = await authorizationUrl(
      target.id === saml.id ? { email: 'someone@Example.test' } : { organizationSlug: oidcSlug },
    );
    if (!started.body.data) throw new Error(JSON.stringify(started.body.errors));
    const url = started.body.data.ssoAuthorizationUrl;
    const relay =
      new URL(url).searchParams.get('RelayState') ?? new URL(url).searchParams.get('state');
    const request = await platform.auth.dataSource
      .getRepository(SsoRequestEntity)
      .findOneByOrFail({ id: relay! });
    expect(request).toMatchObject({ connectionId: target.id, redirectUri: REDIRECT_URI });
    return { request, url };
  }

  const ACCESS_LOG = `query ($id: ID!, $action: String) {
    accessLog(organizationId: $id, first: 50, action: $action) { edges { node { action targetId metadata } } }
  }`;
  type LogEntry = { action: string; targetId: string; metadata: Record<string, unknown> };
  /** The SAML organization's audit log entries with this action (orgs consumes auth's events). */
  const auditEntries = async (action: string): Promise<LogEntry[]> => {
    const log = await platform.gql<{ accessLog: { edges: { node: LogEntry }[] } }>(
      ACCESS_LOG,
      { id: saml.organizationId, action },
      { token: samlAdminToken },
    );
    return log.body.data?.accessLog.edges.map((edge) => edge.node) ?? [];
  };

  const ssoLogin = (code: string) => platform.gql<SsoLogin>(SSO_LOGIN, { code });

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

  const count = async (sql: string, params: unknown[] = []) =>
    ((await platform.auth.dataSource.query(sql, params))[0].n as number) ?? 0;
  const counts = async () => ({
    users: await count(`SELECT count(*)::int AS n FROM ${s()}.users`),
    sessions: await count(`SELECT count(*)::int AS n FROM ${s()}.sessions`),
    codes: await count(`SELECT count(*)::int AS n FROM ${s()}.sso_codes`),
  });
  const failuresFor = (reason: string) =>
    count(
      `SELECT count(*)::int AS n FROM ${s()}.outbox WHERE type = 'SSO_SIGN_IN_FAILED' AND data->>'reason' = $1`,
      [reason],
    );

  /** A refusal: 302 with error=<reason> and no code; SSO_SIGN_IN_FAILED; no user, session or code. */
  async function expectRefused(respond: () => Promise<Response>, reason: string) {
    const before = await counts();
    const failed = await failuresFor(reason);
    const query = landing(await respond());
    expect(query).toEqual({ error: reason });
    expect(await counts()).toEqual(before);
    expect(await failuresFor(reason)).toBe(failed + 1);
  }

  /** Follows a successful redirect to ssoLogin: the AuthPayload and its access token's claims. */
  async function signedIn(response: Response) {
    const { code } = landing(response);
    expect(code).toEqual(expect.any(String));
    const login = await ssoLogin(code);
    expect(login.body.errors).toBeUndefined();
    return {
      ...login.body.data!.ssoLogin,
      claims: await decode(login.body.data!.ssoLogin.accessToken),
    };
  }

  const ada = {
    nameId: 'ada@example.test',
    email: 'ada@example.test',
    name: 'Ada Lovelace',
    groups: ['engineering'],
  };

  describe('ssoAuthorizationUrl', () => {
    it('refuses a redirectUri off the allow-list: BAD_USER_INPUT, no request stored', async () => {
      const before = await count(`SELECT count(*)::int AS n FROM ${s()}.sso_requests`);
      const response = await authorizationUrl({
        email: 'someone@example.test',
        redirectUri: 'https://evil.example/sso/callback',
      });
      expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await count(`SELECT count(*)::int AS n FROM ${s()}.sso_requests`)).toBe(before);
    });

    it('routes only verified domains: NOT_FOUND reason SSO_NOT_CONFIGURED elsewhere', async () => {
      await platform.auth.dataSource.query(
        `INSERT INTO ${s()}.sso_domains (id, organization_id, domain, txt_token, created_at)
          VALUES ($1, $2, 'claimed.test', 'token', now())`,
        [randomUUID(), saml.organizationId],
      );
      for (const email of ['someone@claimed.test', 'someone@nowhere.test']) {
        const response = await authorizationUrl({ email });
        expect(response.body.errors?.[0]?.extensions).toMatchObject({
          code: 'NOT_FOUND',
          reason: 'SSO_NOT_CONFIGURED',
        });
      }
    });
  });

  describe('SAML', () => {
    it('posts the AuthnRequest to the IdP with the ACS on the gateway', async () => {
      const form = await samlSignIn();
      expect(form.acsUrl).toBe(`${origin}/sso/saml/acs`);
    });

    it('signs in: IdP -> POST /sso/saml/acs on the gateway -> 302 with a code -> ssoLogin -> AuthPayload', async () => {
      const session = await signedIn(
        await post(await samlSignIn({ authnContextClassRef: MFA_CONTEXT })),
      );
      expect(session.user).toEqual({
        id: expect.any(String),
        email: 'ada@example.test',
        emailVerified: true,
        displayName: 'Ada Lovelace',
      });
      // The IdP's MFA context reaches the token's amr.
      expect(session.claims.amr).toEqual(expect.arrayContaining(['fed', 'mfa']));
      // A new colleague: provisioned, in the organization with the default role.
      await eventually(async () => {
        expect(await auditEntries('sso.sign_in')).toContainEqual(
          expect.objectContaining({
            targetId: session.user.id,
            metadata: expect.objectContaining({ account: 'provisioned', role: 'EDITOR' }),
          }),
        );
      });
    });

    it("a password-only AuthnContextClassRef gives no 'mfa'", async () => {
      const session = await signedIn(await post(await samlSignIn()));
      expect(session.claims.amr).toContain('fed');
      expect(session.claims.amr).not.toContain('mfa');
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

    it("shows the ADMIN what to enter at the IdP: the served metadata's entity id and ACS, the OIDC redirect URI", async () => {
      const CONNECTIONS = `query ($o: ID!) { ssoConnections(organizationId: $o) { id spEntityId acsUrl oidcRedirectUri } }`;
      type Listed = {
        ssoConnections: {
          id: string;
          spEntityId: string | null;
          acsUrl: string | null;
          oidcRedirectUri: string | null;
        }[];
      };
      const samlListed = await platform.gql<Listed>(
        CONNECTIONS,
        { o: saml.organizationId },
        { token: samlAdminToken },
      );
      const samlRow = samlListed.body.data!.ssoConnections.find((c) => c.id === saml.id)!;
      const xml = await (await fetch(samlRow.spEntityId!)).text();
      expect(xml).toContain(`entityID="${samlRow.spEntityId}"`);
      expect(xml).toContain(`Location="${samlRow.acsUrl}"`);
      expect(samlRow.oidcRedirectUri).toBeNull();
      const oidcListed = await platform.gql<Listed>(
        CONNECTIONS,
        { o: openid.organizationId },
        { token: oidcAdminToken },
      );
      const oidcRow = oidcListed.body.data!.ssoConnections.find((c) => c.id === openid.id)!;
      // The test provider accepts only the redirect URI it was registered with.
      expect(oidcRow.oidcRedirectUri).toBe(`${origin}/sso/oidc/callback`);
      expect([oidcRow.spEntityId, oidcRow.acsUrl]).toEqual([null, null]);
    });

    it("refuses an unsigned response, and the attempt reaches the organization's audit log", async () => {
      await expectRefused(
        async () => post(await samlSignIn({ signAssertion: false })),
        'SAML_UNSIGNED',
      );
      await eventually(async () => {
        const entries = await auditEntries('sso.sign_in_failed');
        expect(entries).toContainEqual(
          expect.objectContaining({ targetId: saml.id, metadata: { reason: 'SAML_UNSIGNED' } }),
        );
      });
    });

    it('refuses a response signed with another key', async () => {
      await expectRefused(
        async () => post(await samlSignIn({ keyPair: makeTestKeyPair('mallory') })),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('refuses XML signature wrapping (signed assertion moved, evil one in its place)', async () => {
      const form = await samlSignIn();
      const document = decodeResponse(form.SAMLResponse);
      const signed = document.getElementsByTagNameNS('*', 'Assertion')[0];
      const evil = signed.cloneNode(true);
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
        async () => post({ ...form, SAMLResponse: encodeResponse(document) }),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('reads a NameID with an injected comment whole: user@example.test.evil.com is refused, never user@example.test', async () => {
      const repository = platform.auth.dataSource.getRepository(SsoConnectionEntity);
      await repository.update({ id: saml.id }, { emailAttribute: null });
      try {
        const form = await samlSignIn({ user: { nameId: 'user@example.test.evil.com' } });
        const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
        const injected = xml.replace(
          '>user@example.test.evil.com<',
          '>user@example.test<!---->.evil.com<',
        );
        expect(injected).not.toBe(xml);
        const before = await counts();
        const { code } = landing(
          await post({ ...form, SAMLResponse: Buffer.from(injected).toString('base64') }),
        );
        const login = await ssoLogin(code);
        expect(login.body.errors?.[0]?.extensions).toMatchObject({
          code: 'FORBIDDEN',
          reason: 'SSO_DOMAIN_NOT_VERIFIED',
        });
        const users = await count(
          `SELECT count(*)::int AS n FROM ${s()}.users WHERE email IN ('user@example.test', 'user@example.test.evil.com')`,
        );
        expect(users).toBe(0);
        expect((await counts()).sessions).toBe(before.sessions);
      } finally {
        await repository.update({ id: saml.id }, { emailAttribute: SAML_ATTRIBUTES.email });
      }
    });

    it('refuses a wrong audience', async () => {
      await expectRefused(
        async () => post(await samlSignIn({ audience: 'https://another-sp.example' })),
        'SAML_AUDIENCE_MISMATCH',
      );
    });

    it('refuses a wrong recipient', async () => {
      await expectRefused(
        async () => post(await samlSignIn({ recipient: 'https://evil.example/acs' })),
        'SAML_RECIPIENT_MISMATCH',
      );
    });

    it('refuses a wrong destination', async () => {
      await expectRefused(
        async () =>
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
      await expectRefused(async () => post(await atIdpTime(-10 * 60_000)), 'SAML_EXPIRED');
      await expectRefused(async () => post(await atIdpTime(5 * 60_000)), 'SAML_NOT_YET_VALID');
    });

    it('refuses the same response posted twice', async () => {
      const form = await samlSignIn();
      await signedIn(await post(form));
      await expectRefused(async () => post(form), 'SAML_REPLAYED');
    });

    it('refuses an unsolicited response while IdP-initiated sign-in is off', async () => {
      const { request } = await start(saml);
      const samlResponse = await idp.unsolicited({
        user: ada,
        acsUrl: `${origin}/sso/saml/acs`,
        audience: `${origin}/sso/saml/metadata?connection=${saml.id}`,
      });
      await expectRefused(
        async () =>
          post({
            SAMLResponse: samlResponse,
            RelayState: request.id,
            acsUrl: `${origin}/sso/saml/acs`,
          }),
        'SAML_UNSOLICITED',
      );
    });

    describe('without a request of ours (IdP-initiated)', () => {
      const acsUrl = () => `${origin}/sso/saml/acs`;
      const unsolicited = (user = ada) =>
        idp.unsolicited({
          user,
          acsUrl: acsUrl(),
          audience: `${origin}/sso/saml/metadata?connection=${saml.id}`,
        });
      const setIdpInitiated = (idpInitiated: boolean) =>
        platform.auth.dataSource
          .getRepository(SsoConnectionEntity)
          .update({ id: saml.id }, { idpInitiated });

      it('is refused while IdP-initiated sign-in is off: 400 SAML_UNSOLICITED, recorded, nothing created', async () => {
        const before = await counts();
        const failed = await failuresFor('SAML_UNSOLICITED');
        const response = await post({
          SAMLResponse: await unsolicited(),
          RelayState: '',
          acsUrl: acsUrl(),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'SAML_UNSOLICITED' });
        expect(await counts()).toEqual(before);
        expect(await failuresFor('SAML_UNSOLICITED')).toBe(failed + 1);
      });

      it('a solicited response posted with an unknown RelayState is refused the same way', async () => {
        const form = await samlSignIn();
        const before = await counts();
        const response = await post({ ...form, RelayState: 'not-a-request' });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'SAML_UNSOLICITED' });
        expect(await counts()).toEqual(before);
      });

      it('an unknown issuer: 400 SSO_REQUEST_UNKNOWN', async () => {
        const samlResponse = await idp.unsolicited({
          user: ada,
          acsUrl: acsUrl(),
          audience: 'x',
          issuer: 'https://unknown-idp.example',
        });
        const response = await post({
          SAMLResponse: samlResponse,
          RelayState: '',
          acsUrl: acsUrl(),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'SSO_REQUEST_UNKNOWN' });
      });

      it('signs in once IdP-initiated sign-in is on, landing on the allow-listed redirectUri; a replay is refused', async () => {
        await setIdpInitiated(true);
        try {
          const form = {
            SAMLResponse: await unsolicited({
              ...ada,
              nameId: 'bob@example.test',
              email: 'bob@example.test',
            }),
            RelayState: '',
            acsUrl: acsUrl(),
          };
          const session = await signedIn(await post(form));
          expect(session.user.email).toBe('bob@example.test');
          await expectRefused(async () => post(form), 'SAML_REPLAYED');
          // A solicited response replayed without its RelayState still names its AuthnRequest.
          const solicited = await samlSignIn();
          await expectRefused(
            async () => post({ ...solicited, RelayState: '' }),
            'SAML_IN_RESPONSE_TO_MISMATCH',
          );
        } finally {
          await setIdpInitiated(false);
        }
      });
    });
  });

  describe('OIDC', () => {
    const callback = (query: { code: string; state: string }) =>
      fetch(`${origin}/sso/oidc/callback?${new URLSearchParams(query)}`, { redirect: 'manual' });

    it("signs in: IdP -> GET /sso/oidc/callback on the gateway -> 302 with a code -> ssoLogin -> AuthPayload; amr 'mfa' kept", async () => {
      const { url } = await start(openid);
      const params = new URL(url).searchParams;
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('nonce')).toBeTruthy();
      expect(params.get('redirect_uri')).toBe(`${origin}/sso/oidc/callback`);
      const answer = await oidc.authorize(url, {
        sub: 'okta-123',
        email: 'Grace@Oidc.test',
        emailVerified: true,
        name: 'Grace Hopper',
        amr: ['pwd', 'mfa'],
      });
      const session = await signedIn(await callback(answer));
      expect(session.user).toMatchObject({
        email: 'grace@oidc.test',
        displayName: 'Grace Hopper',
      });
      // The IdP's amr 'mfa' reaches the token's amr.
      expect(session.claims.amr).toEqual(expect.arrayContaining(['fed', 'mfa']));
    });

    it("a password-only OIDC amr gives no 'mfa'", async () => {
      const { url } = await start(openid);
      const answer = await oidc.authorize(url, {
        sub: 'okta-456',
        email: 'lin@oidc.test',
        amr: ['pwd'],
      });
      const session = await signedIn(await callback(answer));
      expect(session.claims.amr).toContain('fed');
      expect(session.claims.amr).not.toContain('mfa');
    });

    it('refuses a wrong state: 400 SSO_REQUEST_UNKNOWN, nothing completed', async () => {
      const { url } = await start(openid);
      const answer = await oidc.authorize(url, { sub: 'okta-789', email: 'eve@oidc.test' });
      const before = await counts();
      const response = await callback({ ...answer, state: 'forged-state' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'SSO_REQUEST_UNKNOWN' });
      expect(await counts()).toEqual(before);
    });

    it("refuses an ID token whose nonce is not the request's", async () => {
      const { url, request } = await start(openid);
      const answer = await oidc.authorize(url, { sub: 'okta-000', email: 'eve@oidc.test' });
      await platform.auth.dataSource.query(
        `UPDATE ${s()}.sso_requests SET oidc_nonce = $2 WHERE id = $1`,
        [request.id, 'another-flows-nonce'],
      );
      await expectRefused(async () => callback(answer), 'OIDC_NONCE_MISMATCH');
    });
  });
});
