import { randomUUID } from 'node:crypto';
import { generateServiceToken, schemaOf, sha256Hex } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  loadJose,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import type { SsoIdentity } from '../src/sso/identity';
import { SsoConnectionEntity, SsoLinkEntity } from '../src/sso/sso.entities';
import { startDnsServer, type TestDnsServer } from './dns-server';
import { IDP_CERT_PEM, idpMetadata } from './sso-fixtures';

const DOMAIN_FIELDS = 'id organizationId domain txtRecordName txtRecordValue verified verifiedAt';
const CONNECTION_FIELDS = `id organizationId kind name enabled enforced jitProvisioning idpInitiated defaultRole
  groupRoles { group role } samlIdpEntityId samlSsoUrl samlCertificates oidcIssuer oidcClientId hasClientSecret`;
const ADD_DOMAIN = `mutation ($o: ID!, $d: String!) { addSsoDomain(organizationId: $o, domain: $d) { ${DOMAIN_FIELDS} } }`;
const VERIFY_DOMAIN = `mutation ($id: ID!) { verifySsoDomain(id: $id) { ${DOMAIN_FIELDS} } }`;
const MARK_VERIFIED = `mutation ($id: ID!) { markSsoDomainVerified(id: $id) { ${DOMAIN_FIELDS} } }`;
const DOMAINS = `query ($o: ID!) { ssoDomains(organizationId: $o) { ${DOMAIN_FIELDS} } }`;
const CREATE = `mutation ($o: ID!, $i: CreateSsoConnectionInput!) { createSsoConnection(organizationId: $o, input: $i) { ${CONNECTION_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $i: UpdateSsoConnectionInput!) { updateSsoConnection(id: $id, input: $i) { ${CONNECTION_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteSsoConnection(id: $id) }`;
const CONNECTIONS = `query ($o: ID!) { ssoConnections(organizationId: $o) { ${CONNECTION_FIELDS} } }`;
const SSO_LOGIN = `mutation ($c: String!) { ssoLogin(code: $c) { accessToken refreshToken user { id email emailVerified } } }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;
const ACCESS_LOG = `query ($id: ID!) { accessLog(organizationId: $id, first: 100) { edges { node { action actorId targetId metadata } } } }`;

type Domain = {
  id: string;
  domain: string;
  txtRecordName: string;
  txtRecordValue: string;
  verified: boolean;
  verifiedAt: string | null;
};
type Connection = {
  id: string;
  kind: string;
  name: string;
  hasClientSecret: boolean;
  samlIdpEntityId: string | null;
  samlSsoUrl: string | null;
  samlCertificates: string[];
  groupRoles: { group: string; role: string }[];
  defaultRole: string | null;
};
type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;
const reasonOf = (errors: Errors) => errors?.[0]?.extensions?.reason;

describe('enterprise SSO administration and sign-in', () => {
  let platform: TestPlatform;
  let dns: TestDnsServer;
  const operatorToken = generateServiceToken();
  const clerkToken = generateServiceToken();
  // A domain of this run only: the database may be shared with other files' runs.
  const base = `${randomUUID().slice(0, 8)}.test`;

  beforeAll(async () => {
    dns = await startDnsServer();
    platform = await startTestPlatform({
      SSO_DNS_SERVERS: dns.address,
      SERVICE_TOKENS: JSON.stringify([
        { name: 'sso-operator', scopes: ['sso:admin'], sha256: sha256Hex(operatorToken) },
        { name: 'clerk', scopes: ['users:read'], sha256: sha256Hex(clerkToken) },
      ]),
    });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await dns?.close();
  }, PLATFORM_SETUP_MS);

  const authSchema = () => schemaOf(platform.auth.dataSource);
  const orgsSchema = () => schemaOf(platform.orgs.dataSource);

  async function organization(
    admin: TestUser,
    name: string,
  ): Promise<{ id: string; slug: string }> {
    const created = await platform.gql<{ createOrganization: { id: string; slug: string } }>(
      'mutation ($n: String!) { createOrganization(name: $n) { id slug } }',
      { n: name },
      { token: admin.accessToken },
    );
    return created.body.data!.createOrganization;
  }

  /** A member with `role`, written straight into orgs' table (the invitation flow is tested elsewhere). */
  async function addMember(organizationId: string, user: TestUser, role: string): Promise<void> {
    await platform.orgs.dataSource.query(
      `INSERT INTO ${orgsSchema()}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`,
      [organizationId, user.id, role],
    );
  }

  async function roleIn(organizationId: string, userId: string): Promise<string | null> {
    const rows: { role: string }[] = await platform.orgs.dataSource.query(
      `SELECT role FROM ${orgsSchema()}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId],
    );
    return rows[0]?.role ?? null;
  }

  async function verifiedDomain(admin: TestUser, organizationId: string, domain: string) {
    const added = await platform.gql<{ addSsoDomain: Domain }>(
      ADD_DOMAIN,
      { o: organizationId, d: domain },
      { token: admin.accessToken },
    );
    const row = added.body.data!.addSsoDomain;
    dns.setTxt(row.txtRecordName, [[row.txtRecordValue]]);
    const verified = await platform.gql<{ verifySsoDomain: Domain }>(
      VERIFY_DOMAIN,
      { id: row.id },
      { token: admin.accessToken },
    );
    expect(verified.body.errors).toBeUndefined();
    return verified.body.data!.verifySsoDomain;
  }

  async function samlConnection(
    admin: TestUser,
    organizationId: string,
    input: Record<string, unknown> = {},
  ): Promise<Connection> {
    const created = await platform.gql<{ createSsoConnection: Connection }>(
      CREATE,
      {
        o: organizationId,
        i: {
          kind: 'SAML',
          name: 'Okta',
          samlMetadataXml: idpMetadata(
            `http://www.okta.com/${randomUUID()}`,
            'https://idp.test/sso',
          ),
          ...input,
        },
      },
      { token: admin.accessToken },
    );
    expect(created.body.errors).toBeUndefined();
    return created.body.data!.createSsoConnection;
  }

  /** What a protocol adapter does once the IdP's response is valid: completeSso, then the browser's code. */
  function signInCode(
    connection: Connection & { organizationId?: string },
    organizationId: string,
    identity: Partial<SsoIdentity> & { email: string },
  ): Promise<string> {
    return platform.auth.services.sso.signIn.completeSso(
      {
        connectionId: connection.id,
        organizationId,
        subject: identity.email,
        name: 'Pat Example',
        groups: [],
        amr: ['fed'],
        ...identity,
      },
      { redirectUri: 'http://localhost:3000/sso/callback' },
    );
  }

  async function ssoLogin(code: string) {
    return platform.gql<{
      ssoLogin: {
        accessToken: string;
        refreshToken: string;
        user: { id: string; email: string; emailVerified: boolean };
      };
    }>(SSO_LOGIN, { c: code });
  }

  describe('domains', () => {
    it('verifies a domain by its DNS TXT record; refuses before the record is there', async () => {
      const admin = await registerUser(platform, { verified: true });
      const org = await organization(admin, 'Domains');
      const domain = `dns.${base}`;
      const added = await platform.gql<{ addSsoDomain: Domain }>(
        ADD_DOMAIN,
        { o: org.id, d: `  DNS.${base.toUpperCase()}. ` },
        { token: admin.accessToken },
      );
      expect(added.body.errors).toBeUndefined();
      const row = added.body.data!.addSsoDomain;
      expect(row).toMatchObject({
        domain,
        txtRecordName: `_bastion-verification.${domain}`,
        verified: false,
        verifiedAt: null,
      });
      expect(row.txtRecordValue).toMatch(/^bastion-verification=[A-Za-z0-9_-]{32}$/);

      // No record at all: NXDOMAIN.
      const missing = await platform.gql(
        VERIFY_DOMAIN,
        { id: row.id },
        { token: admin.accessToken },
      );
      expect(codeOf(missing.body.errors)).toBe('BAD_USER_INPUT');
      expect(reasonOf(missing.body.errors)).toBe('DNS_RECORD_NOT_FOUND');
      expect(dns.questions).toContain(`_bastion-verification.${domain} TXT`);
      // A record with another value (a copy from another organization's instructions).
      dns.setTxt(row.txtRecordName, [['bastion-verification=someone-else'], ['v=spf1 -all']]);
      const wrong = await platform.gql(VERIFY_DOMAIN, { id: row.id }, { token: admin.accessToken });
      expect(reasonOf(wrong.body.errors)).toBe('DNS_RECORD_NOT_FOUND');

      dns.setTxt(row.txtRecordName, [['v=spf1 -all'], [row.txtRecordValue]]);
      const verified = await platform.gql<{ verifySsoDomain: Domain }>(
        VERIFY_DOMAIN,
        { id: row.id },
        { token: admin.accessToken },
      );
      expect(verified.body.errors).toBeUndefined();
      expect(verified.body.data!.verifySsoDomain.verified).toBe(true);
      expect(verified.body.data!.verifySsoDomain.verifiedAt).not.toBeNull();
    });

    it('refuses a domain verified for another organization (CONFLICT)', async () => {
      const first = await registerUser(platform, { verified: true });
      const second = await registerUser(platform, { verified: true });
      const a = await organization(first, 'Owner');
      const b = await organization(second, 'Claimant');
      const domain = `taken.${base}`;
      await verifiedDomain(first, a.id, domain);
      const added = await platform.gql<{ addSsoDomain: Domain }>(
        ADD_DOMAIN,
        { o: b.id, d: domain },
        { token: second.accessToken },
      );
      const row = added.body.data!.addSsoDomain;
      // Even with its own record published, the domain stays the first organization's.
      dns.setTxt(row.txtRecordName, [[row.txtRecordValue]]);
      const taken = await platform.gql(
        VERIFY_DOMAIN,
        { id: row.id },
        { token: second.accessToken },
      );
      expect(codeOf(taken.body.errors)).toBe('CONFLICT');
      expect(reasonOf(taken.body.errors)).toBe('DOMAIN_TAKEN');
      const marked = await platform.internal(
        MARK_VERIFIED,
        { id: row.id },
        {
          headers: { 'x-service-token': operatorToken },
        },
      );
      expect(codeOf(marked.body.errors)).toBe('CONFLICT');
    });

    it('lets an operator with sso:admin mark a domain verified, and nobody else', async () => {
      const admin = await registerUser(platform, { verified: true });
      const org = await organization(admin, 'Support');
      const added = await platform.gql<{ addSsoDomain: Domain }>(
        ADD_DOMAIN,
        { o: org.id, d: `support.${base}` },
        { token: admin.accessToken },
      );
      const { id } = added.body.data!.addSsoDomain;
      const clerk = await platform.internal(
        MARK_VERIFIED,
        { id },
        {
          headers: { 'x-service-token': clerkToken },
        },
      );
      expect(codeOf(clerk.body.errors)).toBe('FORBIDDEN');
      const user = await platform.gql(MARK_VERIFIED, { id }, { token: admin.accessToken });
      expect(user.body.errors).toBeDefined();
      const marked = await platform.internal<{ markSsoDomainVerified: Domain }>(
        MARK_VERIFIED,
        { id },
        { headers: { 'x-service-token': operatorToken } },
      );
      expect(marked.body.errors).toBeUndefined();
      expect(marked.body.data!.markSsoDomainVerified.verified).toBe(true);
      await eventually(async () => {
        const log = await platform.gql<{
          accessLog: { edges: { node: { action: string; actorId: string; metadata: unknown } }[] };
        }>(ACCESS_LOG, { id: org.id }, { token: admin.accessToken });
        const entry = log.body.data!.accessLog.edges.find(
          (e) => e.node.action === 'sso.domain_verified',
        );
        expect(entry?.node).toMatchObject({
          actorId: 'sso-operator',
          metadata: { domain: `support.${base}`, method: 'operator' },
        });
      });
    });
  });

  describe('connections', () => {
    it('are for ADMINs: an EDITOR is FORBIDDEN, a non-member gets NOT_FOUND', async () => {
      const admin = await registerUser(platform, { verified: true });
      const editor = await registerUser(platform, { verified: true });
      const stranger = await registerUser(platform, { verified: true });
      const org = await organization(admin, 'Roles');
      await addMember(org.id, editor, 'EDITOR');
      const input = {
        kind: 'SAML',
        name: 'Okta',
        samlMetadataXml: idpMetadata('urn:idp', 'https://idp.test/sso'),
      };
      for (const [user, code] of [
        [editor, 'FORBIDDEN'],
        [stranger, 'NOT_FOUND'],
      ] as const) {
        const created = await platform.gql(
          CREATE,
          { o: org.id, i: input },
          { token: user.accessToken },
        );
        expect(codeOf(created.body.errors)).toBe(code);
        const listed = await platform.gql(CONNECTIONS, { o: org.id }, { token: user.accessToken });
        expect(codeOf(listed.body.errors)).toBe(code);
        const domains = await platform.gql(DOMAINS, { o: org.id }, { token: user.accessToken });
        expect(codeOf(domains.body.errors)).toBe(code);
        const added = await platform.gql(
          ADD_DOMAIN,
          { o: org.id, d: `roles.${base}` },
          { token: user.accessToken },
        );
        expect(codeOf(added.body.errors)).toBe(code);
      }
      const connection = await samlConnection(admin, org.id);
      for (const [user, code] of [
        [editor, 'FORBIDDEN'],
        [stranger, 'NOT_FOUND'],
      ] as const) {
        const updated = await platform.gql(
          UPDATE,
          { id: connection.id, i: { name: 'Mine' } },
          { token: user.accessToken },
        );
        expect(codeOf(updated.body.errors)).toBe(code);
        const deleted = await platform.gql(
          DELETE,
          { id: connection.id },
          { token: user.accessToken },
        );
        expect(codeOf(deleted.body.errors)).toBe(code);
      }
      const still = await platform.gql<{ ssoConnections: Connection[] }>(
        CONNECTIONS,
        { o: org.id },
        { token: admin.accessToken },
      );
      expect(still.body.data!.ssoConnections.map((c) => c.name)).toEqual(['Okta']);
    });

    it('SAML from metadata or from its parts; OIDC with a secret that is never readable back', async () => {
      const admin = await registerUser(platform, { verified: true });
      const org = await organization(admin, 'Providers');
      const fromMetadata = await samlConnection(admin, org.id, {
        samlMetadataXml: idpMetadata('http://www.okta.com/exk1', 'https://acme.okta.test/sso/saml'),
        groupRoles: [{ group: 'eng', role: 'EDITOR' }],
        defaultRole: 'VIEWER',
      });
      expect(fromMetadata).toMatchObject({
        kind: 'SAML',
        samlIdpEntityId: 'http://www.okta.com/exk1',
        samlSsoUrl: 'https://acme.okta.test/sso/saml',
        samlCertificates: [IDP_CERT_PEM],
        groupRoles: [{ group: 'eng', role: 'EDITOR' }],
        defaultRole: 'VIEWER',
        hasClientSecret: false,
      });
      const fromParts = await samlConnection(admin, org.id, {
        name: 'Entra ID',
        samlMetadataXml: null,
        samlIdpEntityId: 'https://sts.windows.net/tenant/',
        samlSsoUrl: 'https://login.microsoftonline.test/tenant/saml2',
        samlCertificates: [IDP_CERT_PEM],
      });
      expect(fromParts.samlCertificates).toEqual([IDP_CERT_PEM]);

      const secret = `client-secret-${randomUUID()}`;
      const oidc = await platform.gql<{ createSsoConnection: Connection }>(
        CREATE,
        {
          o: org.id,
          i: {
            kind: 'OIDC',
            name: 'Google Workspace',
            oidcIssuer: 'https://accounts.google.test',
            oidcClientId: 'client-1',
            oidcClientSecret: secret,
          },
        },
        { token: admin.accessToken },
      );
      expect(oidc.body.errors).toBeUndefined();
      const connection = oidc.body.data!.createSsoConnection;
      expect(connection.hasClientSecret).toBe(true);
      // Nothing in the API carries the secret: the type has no such field, and no answer contains it.
      const asked = await platform.gql(
        `query ($o: ID!) { ssoConnections(organizationId: $o) { oidcClientSecret } }`,
        { o: org.id },
        { token: admin.accessToken },
      );
      expect(asked.body.errors?.[0].message).toMatch(/oidcClientSecret/);
      const listed = await platform.gql(CONNECTIONS, { o: org.id }, { token: admin.accessToken });
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      // At rest it is sealed: the stored bytes do not contain it, and only auth opens them.
      const [row]: { oidc_client_secret: Buffer }[] = await platform.auth.dataSource.query(
        `SELECT oidc_client_secret FROM ${authSchema()}.sso_connections WHERE id = $1`,
        [connection.id],
      );
      expect(row.oidc_client_secret.includes(Buffer.from(secret))).toBe(false);
      const entity = await platform.auth.dataSource
        .getRepository(SsoConnectionEntity)
        .findOneByOrFail({ id: connection.id });
      expect(platform.auth.services.sso.connections.clientSecret(entity)).toBe(secret);
      // A sealed secret copied onto another connection's row does not open there.
      await platform.auth.dataSource.query(
        `UPDATE ${authSchema()}.sso_connections SET oidc_client_secret = $1 WHERE id = $2`,
        [row.oidc_client_secret, fromParts.id],
      );
      const copied = await platform.auth.dataSource
        .getRepository(SsoConnectionEntity)
        .findOneByOrFail({ id: fromParts.id });
      expect(() => platform.auth.services.sso.connections.clientSecret(copied)).toThrow();

      const mixed = await platform.gql(
        UPDATE,
        { id: fromMetadata.id, i: { oidcClientId: 'x' } },
        { token: admin.accessToken },
      );
      expect(codeOf(mixed.body.errors)).toBe('BAD_USER_INPUT');
      const renamed = await platform.gql<{ updateSsoConnection: Connection }>(
        UPDATE,
        { id: fromMetadata.id, i: { name: 'Okta (prod)', defaultRole: null } },
        { token: admin.accessToken },
      );
      expect(renamed.body.data!.updateSsoConnection).toMatchObject({
        name: 'Okta (prod)',
        defaultRole: null,
        samlIdpEntityId: 'http://www.okta.com/exk1',
      });
      const deleted = await platform.gql(
        DELETE,
        { id: fromParts.id },
        { token: admin.accessToken },
      );
      expect(deleted.body.data).toEqual({ deleteSsoConnection: true });
      await eventually(async () => {
        const log = await platform.gql<{ accessLog: { edges: { node: { action: string } }[] } }>(
          ACCESS_LOG,
          { id: org.id },
          { token: admin.accessToken },
        );
        const actions = log.body.data!.accessLog.edges.map((e) => e.node.action);
        expect(actions.filter((a) => a === 'sso.connection_created')).toHaveLength(3);
        expect(actions).toEqual(
          expect.arrayContaining(['sso.connection_updated', 'sso.connection_deleted']),
        );
      });
    });

    it('need a recent sign-in: a session authenticated over 600 s ago gets STEP_UP_REQUIRED', async () => {
      const admin = await registerUser(platform, { verified: true });
      const org = await organization(admin, 'Step-up');
      await platform.auth.dataSource.query(
        `UPDATE ${authSchema()}.sessions SET auth_time = now() - interval '700 seconds' WHERE user_id = $1`,
        [admin.id],
      );
      const refreshed = await platform.gql<{ refreshToken: { accessToken: string } }>(
        'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
        { t: admin.refreshToken },
      );
      const token = refreshed.body.data!.refreshToken.accessToken;
      const input = {
        kind: 'SAML',
        name: 'Okta',
        samlMetadataXml: idpMetadata('urn:idp', 'https://idp.test/sso'),
      };
      const created = await platform.gql(CREATE, { o: org.id, i: input }, { token });
      expect(codeOf(created.body.errors)).toBe('STEP_UP_REQUIRED');
      const added = await platform.gql(ADD_DOMAIN, { o: org.id, d: `stale.${base}` }, { token });
      expect(codeOf(added.body.errors)).toBe('STEP_UP_REQUIRED');
      // Reading is not guarded by step-up.
      const listed = await platform.gql(CONNECTIONS, { o: org.id }, { token });
      expect(listed.body.errors).toBeUndefined();
    });
  });

  it("drops a deleted organization's domains and connections", async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin, 'Short-lived');
    await verifiedDomain(admin, org.id, `gone.${base}`);
    await samlConnection(admin, org.id);
    const deleted = await platform.gql(
      'mutation ($id: ID!) { deleteOrganization(id: $id) }',
      { id: org.id },
      { token: admin.accessToken },
    );
    expect(deleted.body.errors).toBeUndefined();
    await eventually(async () => {
      const rows: { n: number }[] = await platform.auth.dataSource.query(
        `SELECT (SELECT count(*) FROM ${authSchema()}.sso_domains WHERE organization_id = $1)::int
              + (SELECT count(*) FROM ${authSchema()}.sso_connections WHERE organization_id = $1)::int AS n`,
        [org.id],
      );
      expect(rows[0].n).toBe(0);
    });
    // The domain is free for another organization again.
    const next = await registerUser(platform, { verified: true });
    const other = await organization(next, 'Successor');
    expect((await verifiedDomain(next, other.id, `gone.${base}`)).verified).toBe(true);
  });

  describe('ssoLogin', () => {
    let admin: TestUser;
    let org: { id: string; slug: string };
    let connection: Connection;
    const domain = `login.${base}`;

    beforeAll(async () => {
      admin = await registerUser(platform, { verified: true });
      org = await organization(admin, 'Sign-in');
      await verifiedDomain(admin, org.id, domain);
      connection = await samlConnection(admin, org.id, {
        groupRoles: [
          { group: 'bastion-admins', role: 'ADMIN' },
          { group: 'engineering', role: 'EDITOR' },
        ],
      });
    }, PLATFORM_SETUP_MS);

    it('provisions a new user just in time: verified email, no password, the mapped role; a code works once', async () => {
      const email = `new-${randomUUID().slice(0, 6)}@${domain}`;
      const code = await signInCode(connection, org.id, {
        email: email.toUpperCase(),
        groups: ['engineering'],
      });
      const signedIn = await ssoLogin(code);
      expect(signedIn.body.errors).toBeUndefined();
      const { user, accessToken } = signedIn.body.data!.ssoLogin;
      expect(user).toMatchObject({ email, emailVerified: true });
      const claims = (await loadJose()).decodeJwt(accessToken);
      expect(claims).toMatchObject({ sub: user.id, amr: ['fed'] });
      expect(await roleIn(org.id, user.id)).toBe('EDITOR');
      const [stored]: { password_hash: string | null }[] = await platform.auth.dataSource.query(
        `SELECT password_hash FROM ${authSchema()}.users WHERE id = $1`,
        [user.id],
      );
      expect(stored.password_hash).toBeNull();

      const again = await ssoLogin(code);
      expect(codeOf(again.body.errors)).toBe('INVALID_TOKEN');
      expect(again.body.data?.ssoLogin ?? null).toBeNull();
      const made = await ssoLogin('not-a-code-anyone-issued-0123456789');
      expect(codeOf(made.body.errors)).toBe('INVALID_TOKEN');
    });

    it('goes through the sign-in state machine: MFA_REQUIRED for a user with a factor, unless the IdP did MFA', async () => {
      const email = `mfa-${randomUUID().slice(0, 6)}@${domain}`;
      const first = await ssoLogin(
        await signInCode(connection, org.id, { email, groups: ['engineering'] }),
      );
      const userId = first.body.data!.ssoLogin.user.id;
      // A confirmed TOTP factor, as confirmTotp leaves it (the secret is never read here).
      await platform.auth.dataSource.query(
        `INSERT INTO ${authSchema()}.mfa_factors (id, user_id, kind, name, created_at, confirmed_at, totp_secret)
         VALUES ($1, $2, 'TOTP', 'app', now(), now(), '\\x00')`,
        [randomUUID(), userId],
      );
      await platform.auth.dataSource.query(
        `UPDATE ${authSchema()}.users SET mfa_enabled = true WHERE id = $1`,
        [userId],
      );
      const challenged = await ssoLogin(
        await signInCode(connection, org.id, { email, groups: ['engineering'] }),
      );
      expect(codeOf(challenged.body.errors)).toBe('MFA_REQUIRED');
      expect(challenged.body.data?.ssoLogin ?? null).toBeNull();
      const idpMfa = await ssoLogin(
        await signInCode(connection, org.id, {
          email,
          groups: ['engineering'],
          amr: ['fed', 'mfa'],
        }),
      );
      expect(idpMfa.body.errors).toBeUndefined();
      const claims = (await loadJose()).decodeJwt(idpMfa.body.data!.ssoLogin.accessToken);
      expect(claims).toMatchObject({ sub: userId, amr: ['fed', 'mfa'] });
    });

    it('applies the group -> role table at every sign-in: promotion, demotion, removal', async () => {
      const email = `mover-${randomUUID().slice(0, 6)}@${domain}`;
      const as = async (groups: string[]) => {
        const result = await ssoLogin(await signInCode(connection, org.id, { email, groups }));
        expect(result.body.errors).toBeUndefined();
        return result.body.data!.ssoLogin.user.id;
      };
      const userId = await as(['engineering']);
      expect(await roleIn(org.id, userId)).toBe('EDITOR');
      // The table's first matching row wins.
      expect(await as(['engineering', 'bastion-admins'])).toBe(userId);
      expect(await roleIn(org.id, userId)).toBe('ADMIN');
      await as(['engineering']);
      expect(await roleIn(org.id, userId)).toBe('EDITOR');
      // Out of every mapped group and no default role: no longer a member (the account stays).
      await as(['marketing']);
      expect(await roleIn(org.id, userId)).toBeNull();
      // With a default role, the same user comes back at it.
      await platform.gql(
        UPDATE,
        { id: connection.id, i: { defaultRole: 'VIEWER' } },
        { token: admin.accessToken },
      );
      await as([]);
      expect(await roleIn(org.id, userId)).toBe('VIEWER');
      await platform.gql(
        UPDATE,
        { id: connection.id, i: { defaultRole: null } },
        { token: admin.accessToken },
      );
    });

    it('links an existing account only when its domain is verified for this organization', async () => {
      const email = `existing-${randomUUID().slice(0, 6)}@${domain}`;
      const existing = await registerUser(platform, { verified: true, email });
      const signedIn = await ssoLogin(
        await signInCode(connection, org.id, {
          email,
          subject: `okta|${existing.id}`,
          groups: ['engineering'],
        }),
      );
      expect(signedIn.body.errors).toBeUndefined();
      expect(signedIn.body.data!.ssoLogin.user.id).toBe(existing.id);
      const links = await platform.auth.dataSource
        .getRepository(SsoLinkEntity)
        .findBy({ connectionId: connection.id, userId: existing.id });
      expect(links.map((l) => l.subject)).toEqual([`okta|${existing.id}`]);

      // Another organization's connection vouching for an address of this organization's domain:
      // refused, nothing linked or created, and the attempt in that organization's log.
      const otherAdmin = await registerUser(platform, { verified: true });
      const other = await organization(otherAdmin, 'Intruder');
      const foreign = await samlConnection(otherAdmin, other.id, { defaultRole: 'ADMIN' });
      const refused = await ssoLogin(await signInCode(foreign, other.id, { email }));
      expect(codeOf(refused.body.errors)).toBe('FORBIDDEN');
      expect(reasonOf(refused.body.errors)).toBe('SSO_DOMAIN_NOT_VERIFIED');
      const newcomer = `nobody-${randomUUID().slice(0, 6)}@${domain}`;
      const notCreated = await ssoLogin(await signInCode(foreign, other.id, { email: newcomer }));
      expect(reasonOf(notCreated.body.errors)).toBe('SSO_DOMAIN_NOT_VERIFIED');
      expect(
        await platform.auth.dataSource
          .getRepository(SsoLinkEntity)
          .countBy({ connectionId: foreign.id }),
      ).toBe(0);
      const users: unknown[] = await platform.auth.dataSource.query(
        `SELECT id FROM ${authSchema()}.users WHERE email = $1`,
        [newcomer],
      );
      expect(users).toHaveLength(0);
      expect(await roleIn(other.id, existing.id)).toBeNull();
      await eventually(async () => {
        const log = await platform.gql<{
          accessLog: { edges: { node: { action: string; metadata: { reason?: string } } }[] };
        }>(ACCESS_LOG, { id: other.id }, { token: otherAdmin.accessToken });
        const failures = log.body.data!.accessLog.edges.filter(
          (e) => e.node.action === 'sso.sign_in_failed',
        );
        expect(failures.map((f) => f.node.metadata.reason)).toEqual([
          'SSO_DOMAIN_NOT_VERIFIED',
          'SSO_DOMAIN_NOT_VERIFIED',
        ]);
      });
    });

    it("routes a sign-in by the email's verified domain or by the organization's slug", async () => {
      const { routing } = platform.auth.services.sso;
      expect((await routing.connectionFor({ email: `Someone@${domain.toUpperCase()}` })).id).toBe(
        connection.id,
      );
      expect((await routing.connectionFor({ organizationSlug: org.slug })).id).toBe(connection.id);
      for (const where of [
        { email: `someone@unverified.${base}` },
        { organizationSlug: `no-such-organization-${randomUUID()}` },
      ])
        await expect(routing.connectionFor(where)).rejects.toMatchObject({
          extensions: { code: 'NOT_FOUND', reason: 'SSO_NOT_CONFIGURED' },
        });
      await expect(
        routing.connectionFor({ email: `a@${domain}`, organizationSlug: org.slug }),
      ).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT' },
      });
    });

    it('refuses an unknown user when just-in-time provisioning is off (SSO_NO_ACCOUNT)', async () => {
      const strict = await samlConnection(admin, org.id, {
        name: 'Strict',
        jitProvisioning: false,
        defaultRole: 'VIEWER',
      });
      const email = `unknown-${randomUUID().slice(0, 6)}@${domain}`;
      const refused = await ssoLogin(await signInCode(strict, org.id, { email }));
      expect(codeOf(refused.body.errors)).toBe('FORBIDDEN');
      expect(reasonOf(refused.body.errors)).toBe('SSO_NO_ACCOUNT');
      const users: unknown[] = await platform.auth.dataSource.query(
        `SELECT id FROM ${authSchema()}.users WHERE email = $1`,
        [email],
      );
      expect(users).toHaveLength(0);
    });

    it('writes sign-ins and provisioning to the organization audit log', async () => {
      await eventually(async () => {
        const log = await platform.gql<{
          accessLog: { edges: { node: { action: string; metadata: { account?: string } } }[] };
        }>(ACCESS_LOG, { id: org.id }, { token: admin.accessToken });
        const entries = log.body.data!.accessLog.edges.map((e) => e.node);
        const accounts = entries
          .filter((e) => e.action === 'sso.sign_in')
          .map((e) => e.metadata.account);
        expect(accounts).toEqual(expect.arrayContaining(['provisioned', 'linked', 'existing']));
        expect(entries.map((e) => e.action)).toEqual(
          expect.arrayContaining([
            'member.sso_provisioned',
            'sso.domain_verified',
            'sso.connection_created',
            'sso.sign_in_failed',
          ]),
        );
      });
    });

    it('enforced: password sign-in and reset of a user of the domain answer SSO_REQUIRED', async () => {
      const email = `enforced-${randomUUID().slice(0, 6)}@${domain}`;
      const user = await registerUser(platform, { verified: true, email });
      const outsider = await registerUser(platform, { verified: true });
      const enforced = await platform.gql(
        UPDATE,
        { id: connection.id, i: { enforced: true } },
        { token: admin.accessToken },
      );
      expect(enforced.body.errors).toBeUndefined();
      try {
        const login = await platform.gql(LOGIN, { e: user.email, p: user.password });
        expect(codeOf(login.body.errors)).toBe('FORBIDDEN');
        expect(login.body.errors?.[0].extensions).toMatchObject({
          reason: 'SSO_REQUIRED',
          organizationSlug: org.slug,
        });
        const reset = await platform.gql(
          'mutation ($e: String!) { requestPasswordReset(email: $e) }',
          {
            e: user.email.toUpperCase(),
          },
        );
        expect(reasonOf(reset.body.errors)).toBe('SSO_REQUIRED');
        // Users of other domains are not concerned; SSO itself still signs the user in.
        const other = await platform.gql(LOGIN, { e: outsider.email, p: outsider.password });
        expect(other.body.errors).toBeUndefined();
        const viaSso = await ssoLogin(
          await signInCode(connection, org.id, { email, groups: ['engineering'] }),
        );
        expect(viaSso.body.errors).toBeUndefined();
      } finally {
        await platform.gql(
          UPDATE,
          { id: connection.id, i: { enforced: false } },
          { token: admin.accessToken },
        );
      }
      const after = await platform.gql(LOGIN, { e: email, p: user.password });
      // The SSO sign-in proved the address; the registered password stays (the address was verified).
      expect(after.body.errors).toBeUndefined();
    });
  });
});
