import { randomUUID } from 'node:crypto';
import { DataExports, exportLinkKey } from '@bastion/auth';
import {
  AppError,
  exportDownloadOperation,
  schemaOf,
  signForwardedClaims,
} from '@bastion/platform';
import {
  FakeGemini,
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
  userViewer,
} from '@bastion/testing';

/**
 * README "Your data": a user with data in every service exports it; the document is compared
 * field by field with what this test created (the oracle: the test's own inputs and the
 * platform's configured prices and grant, never the exporting code). Then the download link:
 * without a bearer, with the owner's, with another user's, tampered, and after 15 minutes.
 */
const GRANT = 100;
/** A flat price, so the charge is known without the token counts. */
const MODEL = {
  id: 'export-model',
  displayName: 'Export',
  upstreamModel: 'gemini-export',
  creditsPerRequest: 7,
  maxOutputTokens: 20,
  priceVersion: 'v-export',
};

const HOOK = 'http://127.0.0.1:9/export-hook';

const EXPORT = `mutation { requestDataExport { id status downloadUrl expiresAt createdAt } }`;

interface DataExport {
  id: string;
  status: string;
  downloadUrl: string | null;
  expiresAt: string | null;
  createdAt: string;
}

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('data export', () => {
  let platform: TestPlatform;
  let gemini: FakeGemini;
  let user: TestUser;
  let other: TestUser;
  let organizationId: string;
  let generationId: string;
  let endpointId: string;
  let apiKey: { id: string; prefix: string; key: string };
  let endpointSecret: string;
  let exported: DataExport;
  let document: Doc;

  beforeAll(async () => {
    gemini = await new FakeGemini().start();
    platform = await startTestPlatform({
      CREDITS_SIGNUP_GRANT: String(GRANT),
      GEMINI_API_KEY: gemini.apiKey,
      GEMINI_BASE_URL: gemini.url,
      GEMINI_RETRY_DELAY_MS: '0',
      AI_MODELS: JSON.stringify([MODEL]),
      DATA_EXPORTS_PER_DAY: '3',
      // The endpoint below is on loopback (nothing is sent to it in this test).
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    });
    user = await registerUser(platform, { verified: true });
    other = await registerUser(platform, { verified: true });
    const as = (token: string) => ({ token });
    // auth: a display name.
    const profile = await platform.gql(
      'mutation { updateProfile(input: { displayName: "Ada Export" }) { id } }',
      {},
      as(user.accessToken),
    );
    expect(profile.body.errors).toBeUndefined();
    // auth: an API key with a ceiling (its hash must not appear, nor the key).
    const key = await platform.gql<{
      createApiKey: { key: string; apiKey: { id: string; prefix: string } };
    }>(
      `mutation ($input: ApiKeyInput!) { createApiKey(input: $input) { key apiKey { id prefix } } }`,
      {
        input: {
          name: 'export script',
          capabilities: ['ai:generate'],
          creditCeiling: 50,
          ceilingPeriod: 'DAY',
        },
      },
      as(user.accessToken),
    );
    expect(key.body.errors).toBeUndefined();
    apiKey = { ...key.body.data!.createApiKey.apiKey, key: key.body.data!.createApiKey.key };
    // orgs: an organization the user created (a membership and an audit entry by the user).
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Export Works") { id } }',
      {},
      as(user.accessToken),
    );
    organizationId = created.body.data!.createOrganization.id;
    // webhooks: an endpoint the user registered for the organization.
    const endpoint = await platform.gql<{
      createWebhookEndpoint: { secret: string; endpoint: { id: string } };
    }>(
      `mutation ($o: ID!, $i: WebhookEndpointInput!) {
        createWebhookEndpoint(organizationId: $o, input: $i) { secret endpoint { id } } }`,
      { o: organizationId, i: { url: HOOK, eventTypes: ['member.invited'], description: 'CRM' } },
      as(user.accessToken),
    );
    expect(endpoint.body.errors).toBeUndefined();
    endpointId = endpoint.body.data!.createWebhookEndpoint.endpoint.id;
    endpointSecret = endpoint.body.data!.createWebhookEndpoint.secret;
    // credits: the signup grant arrives by event.
    await eventually(async () =>
      expect(await platform.credits.services.ledger.account(user.id)).not.toBeNull(),
    );
    // ai: one generation, charged at the flat price.
    gemini.replies.push({
      kind: 'text',
      text: 'An exported answer.',
      usage: { promptTokenCount: 3, candidatesTokenCount: 4 },
    });
    const generated = await platform.gql<{ generateText: { id: string } }>(
      'mutation ($input: GenerateTextInput!) { generateText(input: $input) { id } }',
      { input: { model: MODEL.id, prompt: 'export me' } },
      as(user.accessToken),
    );
    expect(generated.body.errors).toBeUndefined();
    generationId = generated.body.data!.generateText.id;
    // The audit entries travel by event: wait until orgs holds them all.
    await eventually(async () => {
      const [row] = await platform.orgs.dataSource.query(
        `SELECT count(*)::int AS n FROM ${schemaOf(platform.orgs.dataSource)}.audit_log WHERE actor_id = $1 AND action IN ('user.registered', 'user.login', 'user.profile_updated', 'organization.created')`,
        [user.id],
      );
      expect(row.n).toBeGreaterThanOrEqual(4);
    });

    const response = await platform.gql<{ requestDataExport: DataExport }>(
      EXPORT,
      {},
      as(user.accessToken),
    );
    expect(response.body.errors).toBeUndefined();
    exported = response.body.data!.requestDataExport;
    const download = await fetch(exported.downloadUrl!);
    expect(download.status).toBe(200);
    document = (await download.json()) as Doc;
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await platform?.stop();
    await gemini?.stop();
  }, PLATFORM_SETUP_MS);

  it('answers READY with a link on the gateway valid 15 minutes', () => {
    expect(exported.status).toBe('READY');
    const url = new URL(exported.downloadUrl!);
    expect(url.origin).toBe(new URL(platform.gateway.url).origin);
    expect(url.pathname).toBe(`/exports/${exported.id}`);
    const validFor = Date.parse(exported.expiresAt!) - Date.now();
    expect(validFor).toBeGreaterThan(13 * 60 * 1000);
    expect(validFor).toBeLessThanOrEqual(15 * 60 * 1000);
    expect(document).toMatchObject({ format: 'bastion-data-export/1', userId: user.id });
  });

  it("holds auth's part: profile, every session, no provider, no factor, the API key, no secret", async () => {
    expect(document.auth.profile).toEqual({
      id: user.id,
      email: user.email,
      displayName: 'Ada Export',
      emailVerified: true,
      emailVerifiedAt: expect.any(String),
      mfaEnabled: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // The sessions the test made: registration and the sign-in registerUser did after verifying.
    const sessions = await platform.gql<{ sessions: { id: string }[] }>(
      '{ sessions(first: 100) { id } }',
      {},
      { token: user.accessToken },
    );
    const live = sessions.body.data!.sessions.map((s) => s.id).sort();
    const inExport = (document.auth.sessions as Doc[]).map((s) => s.id).sort();
    expect(inExport).toHaveLength(2);
    for (const id of live) expect(inExport).toContain(id);
    for (const s of document.auth.sessions as Doc[])
      expect(s).toMatchObject({ createdAt: expect.any(String), signInMethods: ['pwd'] });
    expect(document.auth.linkedProviders).toEqual([]);
    expect(document.auth.mfaFactors).toEqual([]);
    expect(document.auth.apiKeys).toEqual([
      {
        id: apiKey.id,
        name: 'export script',
        prefix: apiKey.prefix,
        capabilities: ['ai:generate'],
        organizationId: null,
        creditCeiling: 50,
        ceilingPeriod: 'DAY',
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: expect.any(String),
      },
    ]);
    expect(apiKey.key.startsWith(apiKey.prefix)).toBe(true);
    expect(JSON.stringify(document)).not.toContain(apiKey.key);
    const text = JSON.stringify(document);
    expect(text).not.toContain(user.password);
    expect(text).not.toMatch(/passwordHash|tokenHash|\$argon2/);
    expect(text).not.toContain(user.refreshToken);
  });

  it("holds orgs' part: the membership, the security events and the organization's entries", () => {
    expect(document.orgs.memberships).toEqual([
      {
        organizationId,
        organizationName: 'Export Works',
        role: 'ADMIN',
        joinedAt: expect.any(String),
      },
    ]);
    const security = (document.orgs.securityEvents as Doc[]).map((e) => e.action);
    for (const action of ['user.registered', 'user.login', 'user.profile_updated'])
      expect(security).toContain(action);
    const inOrganizations = document.orgs.organizationAuditEntries as Doc[];
    expect(inOrganizations).toContainEqual(
      expect.objectContaining({ organizationId, action: 'organization.created' }),
    );
    // Nothing of another user's.
    expect(JSON.stringify(document.orgs)).not.toContain(other.id);
  });

  it("holds credits' part: the grant, the charge, the balance they leave", () => {
    expect(document.credits.account).toMatchObject({
      balance: GRANT - MODEL.creditsPerRequest,
      held: 0,
    });
    expect(
      (document.credits.transactions as Doc[]).map(({ type, amount, balanceAfter }) => ({
        type,
        amount,
        balanceAfter,
      })),
    ).toEqual([
      { type: 'GRANT', amount: GRANT, balanceAfter: GRANT },
      {
        type: 'USAGE',
        amount: -MODEL.creditsPerRequest,
        balanceAfter: GRANT - MODEL.creditsPerRequest,
      },
    ]);
    expect(document.credits.holds).toEqual([
      expect.objectContaining({ status: 'SETTLED', settledAmount: MODEL.creditsPerRequest }),
    ]);
  });

  it("holds ai's part: the generation with its prompt, output and charge", () => {
    expect(document.ai.generations).toEqual([
      {
        id: generationId,
        status: 'COMPLETED',
        model: MODEL.id,
        template: null,
        prompt: 'export me',
        output: 'An exported answer.',
        creditsCharged: MODEL.creditsPerRequest,
        inputTokens: 3,
        outputTokens: 4,
        // Gemini leaves a zero count out (proto3 JSON): none were reported, so none were used.
        thinkingTokens: 0,
        priceVersion: MODEL.priceVersion,
        failure: null,
        createdAt: expect.any(String),
      },
    ]);
  });

  it("holds webhooks' part: the endpoint the user registered, without its secret", () => {
    expect(document.webhooks.endpoints).toEqual([
      {
        id: endpointId,
        organizationId,
        url: HOOK,
        eventTypes: ['member.invited'],
        description: 'CRM',
        enabled: true,
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(document)).not.toContain(endpointSecret.slice('whsec_'.length));
  });

  it('lists the export in User.dataExports, for its owner only', async () => {
    const mine = await platform.gql<{ me: { dataExports: DataExport[] } }>(
      '{ me { dataExports { id status downloadUrl } } }',
      {},
      { token: user.accessToken },
    );
    expect(mine.body.data!.me.dataExports).toEqual([
      {
        id: exported.id,
        status: 'READY',
        downloadUrl: expect.stringContaining(`/exports/${exported.id}?token=`),
      },
    ]);
    const theirs = await platform.gql<{ me: { dataExports: DataExport[] } }>(
      '{ me { dataExports { id } } }',
      {},
      { token: other.accessToken },
    );
    expect(theirs.body.data!.me.dataExports).toEqual([]);
  });

  it("downloads with the owner's bearer, refuses another user's, a tampered link and an unknown credential", async () => {
    const url = exported.downloadUrl!;
    const owner = await fetch(url, { headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(owner.status).toBe(200);
    expect(owner.headers.get('cache-control')).toBe('no-store');
    expect(((await owner.json()) as Doc).userId).toBe(user.id);

    const another = await fetch(url, { headers: { authorization: `Bearer ${other.accessToken}` } });
    expect(another.status).toBe(403);
    expect(await another.json()).toMatchObject({ error: 'FORBIDDEN' });

    const forged = await fetch(url, { headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);

    const token = new URL(url).searchParams.get('token')!;
    const [expires, signature] = token.split('.');
    const tampered = new URL(url);
    tampered.searchParams.set('token', `${Number(expires) + 3600}.${signature}`);
    const later = await fetch(tampered);
    expect(later.status).toBe(403);
    expect(await later.json()).toMatchObject({ error: 'EXPORT_LINK_INVALID' });

    // The same token on another user's export opens nothing.
    const elsewhere = new URL(url);
    elsewhere.pathname = `/exports/${randomUUID()}`;
    expect((await fetch(elsewhere)).status).toBe(403);
  });

  it('refuses an API key the exports: they are credential fields, no capability reaches them', async () => {
    for (const query of ['{ me { dataExports { id downloadUrl } } }', EXPORT]) {
      const refused = await platform.gql(query, {}, { token: apiKey.key });
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'KEY_CAPABILITY',
      });
    }
  });

  it('refuses a link after 15 minutes with EXPORT_LINK_EXPIRED (moved clock)', async () => {
    const exports = platform.auth.services.dataExports;
    const real = exports.clock;
    try {
      exports.clock = () => real() + 14 * 60 * 1000;
      expect((await fetch(exported.downloadUrl!)).status).toBe(200);
      exports.clock = () => real() + 15 * 60 * 1000 + 1000;
      const expired = await fetch(exported.downloadUrl!);
      expect(expired.status).toBe(410);
      expect(await expired.json()).toMatchObject({ error: 'EXPORT_LINK_EXPIRED' });
    } finally {
      exports.clock = real;
    }
  });

  it('shows an impersonated session the exports without links, and refuses it the download', async () => {
    const impersonated = userViewer(user.id, { actor: { sub: 'support-desk' } });
    const listed = await platform.subgraph<{ me: { dataExports: DataExport[] } }>(
      'auth',
      impersonated,
      '{ me { dataExports { id status downloadUrl expiresAt } } }',
    );
    expect(listed.body.data?.me.dataExports).toEqual([
      { id: exported.id, status: 'READY', downloadUrl: null, expiresAt: null },
    ]);
    // As the gateway forwards a download, with the impersonated session's claims.
    const token = new URL(exported.downloadUrl!).searchParams.get('token')!;
    const target = new URL('/data-exports/download', platform.subgraphs.auth!.url);
    target.searchParams.set('id', exported.id);
    target.searchParams.set('token', token);
    const claims = await signForwardedClaims(
      impersonated,
      { ip: '127.0.0.1', userAgent: 'jest' },
      'auth',
      exportDownloadOperation(exported.id, token),
      platform.deps.claimsKeys.keyFor('auth'),
    );
    const refused = await fetch(target, { headers: { 'x-bastion-claims': claims } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'FORBIDDEN' });
  });

  it('allows one running export per user and DATA_EXPORTS_PER_DAY a day, changing nothing when refused', async () => {
    const ds = platform.auth.dataSource;
    const s = schemaOf(ds);
    const count = async () =>
      (
        await ds.query(`SELECT count(*)::int AS n FROM ${s}.data_exports WHERE user_id = $1`, [
          other.id,
        ])
      )[0].n as number;
    // A running export (as one being gathered right now) blocks a second.
    await ds.query(
      `INSERT INTO ${s}.data_exports (id, user_id, status, created_at) VALUES ($1, $2, 'RUNNING', now())`,
      [randomUUID(), other.id],
    );
    const running = await platform.gql(EXPORT, {}, { token: other.accessToken });
    expect(running.body.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'EXPORT_RUNNING',
    });
    expect(await count()).toBe(1);
    await ds.query(`UPDATE ${s}.data_exports SET status = 'FAILED' WHERE user_id = $1`, [other.id]);
    // Three a day, the failed one included: two more, then RATE_LIMITED.
    for (let i = 0; i < 2; i++) {
      const ok = await platform.gql(EXPORT, {}, { token: other.accessToken });
      expect(ok.body.errors).toBeUndefined();
    }
    const limited = await platform.gql(EXPORT, {}, { token: other.accessToken });
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
    expect(await count()).toBe(3);
  });

  it('stores a FAILED export when a service does not answer, and never a partial document', async () => {
    const exports = platform.auth.services.dataExports;
    // The same service over the same tables, with a gathering that fails as the gateway's would.
    const failing = new DataExports(
      platform.auth.dataSource,
      async () => {
        throw new AppError('UPSTREAM_UNAVAILABLE', { message: 'credits did not answer' });
      },
      exportLinkKey({ JWT_SECRET: 'a-test-secret-of-at-least-32-bytes!!' }),
      { perDay: 3, publicOrigin: () => platform.gateway.url },
    );
    const third = await registerUser(platform, { verified: true });
    await expect(failing.request(third.id, { ip: null, userAgent: null })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    const [row] = await exports.list(third.id);
    expect(row).toMatchObject({ status: 'FAILED', downloadUrl: null });
    const [stored] = await platform.auth.dataSource.query(
      `SELECT document FROM ${schemaOf(platform.auth.dataSource)}.data_exports WHERE id = $1`,
      [row.id],
    );
    expect(stored.document).toBeNull();
    // A FAILED export does not block the next; a RUNNING one older than ten minutes (its process
    // died) does not either.
    await platform.auth.dataSource.query(
      `INSERT INTO ${schemaOf(platform.auth.dataSource)}.data_exports (id, user_id, status, created_at)
       VALUES ($1, $2, 'RUNNING', now() - interval '11 minutes')`,
      [randomUUID(), third.id],
    );
    const next = await platform.gql<{ requestDataExport: DataExport }>(
      EXPORT,
      {},
      { token: third.accessToken },
    );
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data!.requestDataExport.status).toBe('READY');
  });
});
