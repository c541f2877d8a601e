import { randomUUID } from 'node:crypto';
import { generateServiceToken, sha256Hex } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
import WebAuthnEmulator from 'nid-webauthn-emulator';
import { REDIRECT_URI, account, errorCode, oauthClient } from './oauth-flow';
import { idpMetadata } from './sso-fixtures';

const ADD_DOMAIN = `mutation ($o: ID!, $d: String!) { addSsoDomain(organizationId: $o, domain: $d) { id } }`;
const MARK_VERIFIED = `mutation ($id: ID!) { markSsoDomainVerified(id: $id) { verified } }`;
const CREATE = `mutation ($o: ID!, $i: CreateSsoConnectionInput!) { createSsoConnection(organizationId: $o, input: $i) { id } }`;
const PASSKEY_ORIGIN = 'http://localhost:3000';
const REGISTER_PASSKEY = `mutation ($r: String!) { registerPasskey(response: $r) { factor { id } } }`;
const PASSKEY_LOGIN = `mutation ($r: String!) { passkeyLogin(response: $r) { user { id } } }`;
const UPDATE = `mutation ($id: ID!, $i: UpdateSsoConnectionInput!) { updateSsoConnection(id: $id, input: $i) { enforced enabled } }`;

/** Social sign-in of the users of a domain whose organization enforces its SSO connection. */
describe('enforced SSO and social or passkey sign-in', () => {
  let provider: TestOidcProvider;
  let platform: TestPlatform;
  let oauth: ReturnType<typeof oauthClient>;
  const operator = generateServiceToken();
  const domain = `${randomUUID().slice(0, 8)}.test`;

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    platform = await startTestPlatform({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      SERVICE_TOKENS: JSON.stringify([
        { name: 'sso-operator', scopes: ['sso:admin'], sha256: sha256Hex(operator) },
      ]),
    });
    oauth = oauthClient(platform, provider);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
  }, PLATFORM_SETUP_MS);

  it('refuses the domain address, an account of the domain linked to another address, and its passkey', async () => {
    // Before any SSO: a colleague signs in with the provider, as themselves@domain.
    const colleague = account({ email: `colleague@${domain}` });
    const before = await oauth.signIn('oidc', colleague);
    expect(before.user.email).toBe(`colleague@${domain}`);
    // ... and another registers a passkey.
    const keyHolder = await registerUser(platform, { email: `keys@${domain}` });
    const device = new WebAuthnEmulator();
    const creation = await platform.gql<{ passkeyRegistrationOptions: string }>(
      'mutation { passkeyRegistrationOptions }',
      {},
      { token: keyHolder.accessToken },
    );
    const registered = await platform.gql(
      REGISTER_PASSKEY,
      {
        r: JSON.stringify(
          device.createJSON(
            PASSKEY_ORIGIN,
            JSON.parse(creation.body.data!.passkeyRegistrationOptions),
          ),
        ),
      },
      { token: keyHolder.accessToken },
    );
    expect(registered.body.errors).toBeUndefined();
    const passkeyLogin = async () => {
      const options = await platform.gql<{ passkeyLoginOptions: string }>(
        'mutation { passkeyLoginOptions }',
      );
      const assertion = device.getJSON(
        PASSKEY_ORIGIN,
        JSON.parse(options.body.data!.passkeyLoginOptions),
      );
      return platform.gql<{ passkeyLogin: { user: { id: string } } }>(PASSKEY_LOGIN, {
        r: JSON.stringify(assertion),
      });
    };

    const admin = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string; slug: string } }>(
      'mutation { createOrganization(name: "Enforcer") { id slug } }',
      {},
      { token: admin.accessToken },
    );
    const org = created.body.data!.createOrganization;
    const added = await platform.gql<{ addSsoDomain: { id: string } }>(
      ADD_DOMAIN,
      { o: org.id, d: domain },
      { token: admin.accessToken },
    );
    const marked = await platform.internal(
      MARK_VERIFIED,
      { id: added.body.data!.addSsoDomain.id },
      { headers: { 'x-service-token': operator } },
    );
    expect(marked.body.errors).toBeUndefined();
    const connection = await platform.gql<{ createSsoConnection: { id: string } }>(
      CREATE,
      {
        o: org.id,
        i: {
          kind: 'SAML',
          name: 'Okta',
          samlMetadataXml: idpMetadata('urn:okta', 'https://idp.test/sso'),
          enforced: true,
          defaultRole: 'EDITOR',
        },
      },
      { token: admin.accessToken },
    );
    expect(connection.body.errors).toBeUndefined();

    // The provider says the domain address: refused, naming the organization.
    const direct = await oauth.login(
      'oidc',
      await oauth.callback('oidc', account({ email: `new@${domain}` })),
    );
    expect(errorCode(direct)).toBe('FORBIDDEN');
    expect(direct.body.errors?.[0].extensions).toMatchObject({
      reason: 'SSO_REQUIRED',
      organizationSlug: org.slug,
    });
    // The colleague's provider account now says a personal address; the account it is linked to
    // is of the domain: refused all the same.
    const personal = await oauth.login(
      'oidc',
      await oauth.callback('oidc', {
        ...colleague,
        email: `colleague-${randomUUID().slice(0, 4)}@example.com`,
      }),
    );
    expect(errorCode(personal)).toBe('FORBIDDEN');
    expect(personal.body.errors?.[0].extensions?.reason).toBe('SSO_REQUIRED');
    // A passkey registered before the connection was enforced does not bypass it.
    const byPasskey = await passkeyLogin();
    expect(errorCode(byPasskey)).toBe('FORBIDDEN');
    expect(byPasskey.body.errors?.[0].extensions?.reason).toBe('SSO_REQUIRED');
    // Another domain's user is not concerned.
    const outsider = await oauth.signIn('oidc', account());
    expect(outsider.user.id).toBeDefined();

    // A disabled connection enforces nothing.
    await platform.gql(
      UPDATE,
      { id: connection.body.data!.createSsoConnection.id, i: { enabled: false } },
      { token: admin.accessToken },
    );
    const again = await oauth.signIn('oidc', colleague);
    expect(again.user.id).toBe(before.user.id);
    const passkeyAgain = await passkeyLogin();
    expect(passkeyAgain.body.errors).toBeUndefined();
    expect(passkeyAgain.body.data!.passkeyLogin.user.id).toBe(keyHolder.id);
  });
});
