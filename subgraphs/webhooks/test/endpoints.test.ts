import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
  userViewer,
} from '@bastion/testing';
import type { WebhooksService } from '../src/server';
import type { WebhooksServices } from '../src/services';

const FIELDS = 'id url eventTypes description enabled disabledReason createdAt';
const CREATE = `mutation ($o: ID!, $i: WebhookEndpointInput!) {
  createWebhookEndpoint(organizationId: $o, input: $i) { secret endpoint { ${FIELDS} } } }`;
const UPDATE = `mutation ($id: ID!, $i: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $i) { ${FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`;
const ROTATE = `mutation ($id: ID!) { rotateWebhookSecret(id: $id) }`;
const ENDPOINT = `query ($id: ID!) { webhookEndpoint(id: $id) { ${FIELDS} } }`;
const LIST = `query ($o: ID!) { organization(id: $o) { id webhookEndpoints { ${FIELDS} } } }`;
const PING = `mutation ($id: ID!) { sendTestWebhook(id: $id) { id eventId eventType status } }`;
const REPLAY_SINCE = `mutation ($id: ID!, $s: DateTime!) { replayWebhookDeliveries(endpointId: $id, since: $s) }`;
const ACCESS_LOG = `query ($o: ID!) { accessLog(organizationId: $o, first: 100) { edges { node { action actorId targetId metadata } } } }`;

type Endpoint = {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
};
type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;
const reasonOf = (errors: Errors) => errors?.[0]?.extensions?.reason;

// Standard Webhooks' secret format, written out: the prefix and base64 of 24 bytes (32 characters).
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32}$/;
const HOOK = 'http://127.0.0.1:9/hook';
const MAX_ENDPOINTS = 3;

describe('webhook endpoints through the gateway', () => {
  let platform: TestPlatform;
  let services: WebhooksServices;

  beforeAll(async () => {
    platform = await startTestPlatform({
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      WEBHOOKS_MAX_ENDPOINTS: String(MAX_ENDPOINTS),
    });
    services = webhooks().services;
    // Test host names resolve by this table only; nothing is asked of a real resolver.
    const hosts: Record<string, string> = {
      'receiver.test': '127.0.0.1',
      'intranet.test': '10.1.2.3',
      'cgnat.test': '100.64.0.9',
      'metadata.test': '169.254.169.254',
      'v6-metadata.test': 'fd00:ec2::254',
      'mapped.test': '::ffff:192.168.1.1',
    };
    services.hosts.lookup = async (host) => {
      const address = hosts[host];
      if (!address) throw new Error(`ENOTFOUND ${host}`);
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const webhooks = () => platform.subgraphs.webhooks as WebhooksService;
  const schema = () => schemaOf(webhooks().dataSource);
  const query = <T>(sql: string, params: unknown[] = []) =>
    webhooks().dataSource.query(sql.replaceAll('$schema', schema()), params) as Promise<T[]>;

  async function organization(admin: TestUser, name = 'Acme'): Promise<string> {
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation ($n: String!) { createOrganization(name: $n) { id } }',
      { n: name },
      { token: admin.accessToken },
    );
    return created.body.data!.createOrganization.id;
  }

  async function addMember(organizationId: string, user: TestUser, role: string): Promise<void> {
    await platform.orgs.dataSource.query(
      `INSERT INTO ${schemaOf(platform.orgs.dataSource)}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`,
      [organizationId, user.id, role],
    );
  }

  async function create(
    admin: TestUser,
    organizationId: string,
    input: Record<string, unknown> = {},
  ): Promise<{ secret: string; endpoint: Endpoint }> {
    const created = await platform.gql<{
      createWebhookEndpoint: { secret: string; endpoint: Endpoint };
    }>(
      CREATE,
      { o: organizationId, i: { url: HOOK, eventTypes: ['member.invited'], ...input } },
      { token: admin.accessToken },
    );
    if (!created.body.data) throw new Error(JSON.stringify(created.body.errors));
    return created.body.data.createWebhookEndpoint;
  }

  const endpointRows = (organizationId: string) =>
    query<{ id: string; secret: Buffer; previous_secret: Buffer | null }>(
      'SELECT * FROM $schema.endpoints WHERE organization_id = $1',
      [organizationId],
    );
  const changeEvents = (organizationId: string) =>
    query<{ data: { change: string; endpointId: string; actorId: string | null } }>(
      `SELECT data FROM $schema.outbox WHERE type = 'WEBHOOK_ENDPOINT_CHANGED' AND data->>'organizationId' = $1 ORDER BY occurred_at`,
      [organizationId],
    );

  it('creates, reads, lists, updates and deletes an endpoint; the secret is answered once and stored sealed', async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    const { secret, endpoint } = await create(admin, org, {
      eventTypes: ['member.invited', 'member.removed', 'member.invited'],
      description: 'CRM',
    });
    expect(secret).toMatch(SECRET_FORMAT);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(endpoint).toMatchObject({
      url: HOOK,
      eventTypes: ['member.invited', 'member.removed'],
      description: 'CRM',
      enabled: true,
      disabledReason: null,
    });

    const read = await platform.gql<{ webhookEndpoint: Endpoint }>(
      ENDPOINT,
      { id: endpoint.id },
      { token: admin.accessToken },
    );
    expect(read.body.data?.webhookEndpoint).toEqual(endpoint);
    const listed = await platform.gql<{ organization: { webhookEndpoints: Endpoint[] } }>(
      LIST,
      { o: org },
      { token: admin.accessToken },
    );
    expect(listed.body.data?.organization.webhookEndpoints).toEqual([endpoint]);

    // Shown once: no field of an endpoint answers it again.
    const asked = await platform.gql(
      'query ($id: ID!) { webhookEndpoint(id: $id) { secret } }',
      { id: endpoint.id },
      { token: admin.accessToken },
    );
    expect(codeOf(asked.body.errors)).toBe('BAD_USER_INPUT');
    expect(asked.body.errors![0]!.message).toMatch(/Cannot query field "secret"/);

    // At rest: sealed, not the secret's text; it opens with the endpoint's id only.
    const [row] = await endpointRows(org);
    expect(row!.secret.toString('latin1')).not.toContain(secret.slice(6));
    expect(services.secrets.open(row!.secret, endpoint.id)).toBe(secret);
    expect(() => services.secrets.open(row!.secret, randomUUID())).toThrow();

    const updated = await platform.gql<{ updateWebhookEndpoint: Endpoint }>(
      UPDATE,
      {
        id: endpoint.id,
        i: { url: 'http://receiver.test:9/other', eventTypes: ['credits.low'], enabled: false },
      },
      { token: admin.accessToken },
    );
    expect(updated.body.data?.updateWebhookEndpoint).toMatchObject({
      id: endpoint.id,
      url: 'http://receiver.test:9/other',
      eventTypes: ['credits.low'],
      description: null,
      enabled: false,
    });
    // The secret stays through an update.
    expect(services.secrets.open((await endpointRows(org))[0]!.secret, endpoint.id)).toBe(secret);

    const deleted = await platform.gql<{ deleteWebhookEndpoint: boolean }>(
      DELETE,
      { id: endpoint.id },
      { token: admin.accessToken },
    );
    expect(deleted.body.data?.deleteWebhookEndpoint).toBe(true);
    const gone = await platform.gql(ENDPOINT, { id: endpoint.id }, { token: admin.accessToken });
    expect(codeOf(gone.body.errors)).toBe('NOT_FOUND');
    expect(await endpointRows(org)).toEqual([]);

    // Each change: WEBHOOK_ENDPOINT_CHANGED, and an entry in the organization's audit log.
    expect((await changeEvents(org)).map((e) => [e.data.change, e.data.actorId])).toEqual([
      ['created', admin.id],
      ['updated', admin.id],
      ['deleted', admin.id],
    ]);
    await eventually(async () => {
      const log = await platform.gql<{
        accessLog: { edges: { node: { action: string; actorId: string; targetId: string } }[] };
      }>(ACCESS_LOG, { o: org }, { token: admin.accessToken });
      const actions = log.body
        .data!.accessLog.edges.map((e) => e.node)
        .filter((n) => n.action.startsWith('webhook.'));
      expect(actions.map((n) => [n.action, n.actorId, n.targetId])).toEqual([
        ['webhook.endpoint_deleted', admin.id, endpoint.id],
        ['webhook.endpoint_updated', admin.id, endpoint.id],
        ['webhook.endpoint_created', admin.id, endpoint.id],
      ]);
    });
  });

  it('rotates the secret: a new one answered once, the old one kept sealed for 24 hours', async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    const { secret, endpoint } = await create(admin, org);
    const rotated = await platform.gql<{ rotateWebhookSecret: string }>(
      ROTATE,
      { id: endpoint.id },
      { token: admin.accessToken },
    );
    const fresh = rotated.body.data!.rotateWebhookSecret;
    expect(fresh).toMatch(SECRET_FORMAT);
    expect(fresh).not.toBe(secret);
    const [row] = await query<{
      secret: Buffer;
      previous_secret: Buffer;
      previous_secret_expires_at: Date;
      updated_at: Date;
    }>('SELECT * FROM $schema.endpoints WHERE id = $1', [endpoint.id]);
    expect(services.secrets.open(row!.secret, endpoint.id)).toBe(fresh);
    expect(services.secrets.open(row!.previous_secret, endpoint.id)).toBe(secret);
    expect(row!.previous_secret_expires_at.getTime() - row!.updated_at.getTime()).toBe(
      24 * 3600 * 1000,
    );
    expect((await changeEvents(org)).map((e) => e.data.change)).toEqual([
      'created',
      'secret_rotated',
    ]);
  });

  it("answers NOT_FOUND for another organization's endpoints and deliveries, and for organizations the caller is not in", async () => {
    const owner = await registerUser(platform, { verified: true });
    const stranger = await registerUser(platform, { verified: true });
    const org = await organization(owner);
    await organization(stranger, 'Elsewhere');
    const { endpoint } = await create(owner, org);
    const ping = await platform.gql<{ sendTestWebhook: { id: string } }>(
      PING,
      { id: endpoint.id },
      { token: owner.accessToken },
    );
    const deliveryId = ping.body.data!.sendTestWebhook.id;
    const token = stranger.accessToken;
    const input = { url: HOOK, eventTypes: ['member.invited'] };
    const attempts = [
      platform.gql(ENDPOINT, { id: endpoint.id }, { token }),
      platform.gql(ENDPOINT, { id: randomUUID() }, { token }),
      platform.gql(ENDPOINT, { id: 'not-a-uuid' }, { token }),
      platform.gql(UPDATE, { id: endpoint.id, i: input }, { token }),
      platform.gql(DELETE, { id: endpoint.id }, { token }),
      platform.gql(ROTATE, { id: endpoint.id }, { token }),
      platform.gql(PING, { id: endpoint.id }, { token }),
      platform.gql(REPLAY_SINCE, { id: endpoint.id, s: new Date(0).toISOString() }, { token }),
      platform.gql(
        'mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id } }',
        { id: deliveryId },
        { token },
      ),
      platform.gql(CREATE, { o: org, i: input }, { token }),
      // The Organization entity the gateway asks webhooks for (as orgs' organization(id) would).
      platform.subgraph(
        'webhooks',
        userViewer(stranger.id),
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { webhookEndpoints { id } } } }',
        { r: [{ __typename: 'Organization', id: org }] },
      ),
    ];
    const answers = await Promise.all(attempts);
    expect(answers.map((a) => codeOf(a.body.errors))).toEqual(
      Array(attempts.length).fill('NOT_FOUND'),
    );
    // Nothing changed.
    const [row] = await endpointRows(org);
    expect(services.secrets.open(row!.secret, endpoint.id)).toBeDefined();
    expect(row!.previous_secret).toBeNull();
    expect((await changeEvents(org)).map((e) => e.data.change)).toEqual(['created']);
  });

  it('refuses members other than ADMINs with FORBIDDEN (ADMIN_REQUIRED)', async () => {
    const admin = await registerUser(platform, { verified: true });
    const editor = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    await addMember(org, editor, 'EDITOR');
    const { endpoint } = await create(admin, org);
    const token = editor.accessToken;
    const input = { url: HOOK, eventTypes: ['member.invited'] };
    const answers = await Promise.all([
      platform.gql(CREATE, { o: org, i: input }, { token }),
      platform.gql(LIST, { o: org }, { token }),
      platform.gql(ENDPOINT, { id: endpoint.id }, { token }),
      platform.gql(UPDATE, { id: endpoint.id, i: input }, { token }),
      platform.gql(DELETE, { id: endpoint.id }, { token }),
      platform.gql(ROTATE, { id: endpoint.id }, { token }),
      platform.gql(PING, { id: endpoint.id }, { token }),
      platform.gql(REPLAY_SINCE, { id: endpoint.id, s: new Date(0).toISOString() }, { token }),
    ]);
    expect(answers.map((a) => [codeOf(a.body.errors), reasonOf(a.body.errors)])).toEqual(
      Array(answers.length).fill(['FORBIDDEN', 'ADMIN_REQUIRED']),
    );
    expect(await endpointRows(org)).toHaveLength(1);
  });

  // Written out by hand from the bad-input list and the design's limits.
  const BAD_INPUT: [string, string, Record<string, unknown>][] = [
    ['not http(s)', 'SCHEME', { url: 'ftp://127.0.0.1/hook' }],
    ['javascript scheme', 'SCHEME', { url: 'javascript:alert(1)' }],
    ['not a URL', 'INVALID', { url: 'hook' }],
    ['credentials', 'CREDENTIALS', { url: 'http://user:pw@127.0.0.1:9/hook' }],
    ['a user name', 'CREDENTIALS', { url: 'http://user@127.0.0.1:9/hook' }],
    ['over 2048 characters', 'TOO_LONG', { url: `http://127.0.0.1:9/${'a'.repeat(2030)}` }],
    ['a private address', 'REFUSED_ADDRESS', { url: 'http://10.0.0.1/hook' }],
    ['the metadata address', 'REFUSED_ADDRESS', { url: 'http://169.254.169.254/latest' }],
    [
      'a name resolving to a private address',
      'REFUSED_ADDRESS',
      { url: 'http://intranet.test/hook' },
    ],
    ['a name resolving to CGNAT', 'REFUSED_ADDRESS', { url: 'http://cgnat.test/hook' }],
    ['a name resolving to metadata', 'REFUSED_ADDRESS', { url: 'http://metadata.test/hook' }],
    [
      'a name resolving to IPv6 metadata',
      'REFUSED_ADDRESS',
      { url: 'http://v6-metadata.test/hook' },
    ],
    [
      'a name resolving to IPv4-mapped private',
      'REFUSED_ADDRESS',
      { url: 'http://mapped.test/hook' },
    ],
    ['IPv4-mapped private literal', 'REFUSED_ADDRESS', { url: 'http://[::ffff:10.0.0.1]/hook' }],
    ['unique-local', 'REFUSED_ADDRESS', { url: 'http://[fd12::1]/hook' }],
    ['a name that does not resolve', 'UNRESOLVABLE', { url: 'http://nowhere.test/hook' }],
    [
      'an unknown event type',
      'UNKNOWN_EVENT_TYPE',
      { eventTypes: ['member.invited', 'user.hacked'] },
    ],
    ['no event type', 'NO_EVENT_TYPES', { eventTypes: [] }],
    [
      '51 event types',
      'TOO_MANY_EVENT_TYPES',
      { eventTypes: Array.from({ length: 51 }, (_, i) => `t${i}`) },
    ],
    ['a description over 500 characters', 'DESCRIPTION_TOO_LONG', { description: 'd'.repeat(501) }],
  ];

  it.each(BAD_INPUT)(
    'refuses %s (BAD_USER_INPUT %s) and stores nothing',
    async (_: string, reason: string, input: Record<string, unknown>) => {
      const admin = await registerUser(platform, { verified: true });
      const org = await organization(admin);
      const answer = await platform.gql(
        CREATE,
        { o: org, i: { url: HOOK, eventTypes: ['member.invited'], ...input } },
        { token: admin.accessToken },
      );
      expect([codeOf(answer.body.errors), reasonOf(answer.body.errors)]).toEqual([
        'BAD_USER_INPUT',
        reason,
      ]);
      expect(answer.body.errors![0]!.extensions!.fieldErrors).toEqual(expect.any(Object));
      expect(await endpointRows(org)).toEqual([]);
      expect(await changeEvents(org)).toEqual([]);
      // The same checks guard an update: the endpoint stays as it was.
      const { endpoint } = await create(admin, org);
      const update = await platform.gql<{ updateWebhookEndpoint: Endpoint }>(
        UPDATE,
        { id: endpoint.id, i: { url: HOOK, eventTypes: ['member.invited'], ...input } },
        { token: admin.accessToken },
      );
      expect(reasonOf(update.body.errors)).toBe(reason);
      const read = await platform.gql<{ webhookEndpoint: Endpoint }>(
        ENDPOINT,
        { id: endpoint.id },
        { token: admin.accessToken },
      );
      expect(read.body.data?.webhookEndpoint).toEqual(endpoint);
    },
  );

  it('admits loopback only because WEBHOOKS_ALLOW_PRIVATE is set, by name and by address', async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    for (const url of ['http://receiver.test:9/hook', 'http://[::1]:9/hook', 'http://127.0.0.2:9/'])
      expect((await create(admin, org, { url })).endpoint.url).toBe(url);
  });

  it(`keeps an organization to ${MAX_ENDPOINTS} endpoints (CONFLICT ENDPOINT_LIMIT), also when registrations race`, async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    const racing = await Promise.all(
      Array.from({ length: MAX_ENDPOINTS + 2 }, () =>
        platform.gql(
          CREATE,
          { o: org, i: { url: HOOK, eventTypes: ['member.invited'] } },
          { token: admin.accessToken },
        ),
      ),
    );
    const outcomes = racing.map((a) => (a.body.errors ? reasonOf(a.body.errors) : 'created'));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(MAX_ENDPOINTS);
    expect(outcomes.filter((o) => o === 'ENDPOINT_LIMIT')).toHaveLength(2);
    expect(codeOf(racing.find((a) => a.body.errors)!.body.errors)).toBe('CONFLICT');
    expect(await endpointRows(org)).toHaveLength(MAX_ENDPOINTS);
    // Another organization has its own allowance.
    const other = await organization(admin, 'Other');
    expect((await create(admin, other)).endpoint.id).toEqual(expect.any(String));
  });

  it('asks for a recent sign-in to create an endpoint or rotate its secret, and a verified email', async () => {
    const admin = await registerUser(platform, { verified: true });
    const org = await organization(admin);
    const { endpoint } = await create(admin, org);
    await platform.auth.dataSource.query(
      `UPDATE ${schemaOf(platform.auth.dataSource)}.sessions SET auth_time = now() - interval '700 seconds' WHERE user_id = $1`,
      [admin.id],
    );
    const refreshed = await platform.gql<{ refreshToken: { accessToken: string } }>(
      'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
      { t: admin.refreshToken },
    );
    const token = refreshed.body.data!.refreshToken.accessToken;
    const input = { url: HOOK, eventTypes: ['member.invited'] };
    const created = await platform.gql(CREATE, { o: org, i: input }, { token });
    expect(codeOf(created.body.errors)).toBe('STEP_UP_REQUIRED');
    const rotated = await platform.gql(ROTATE, { id: endpoint.id }, { token });
    expect(codeOf(rotated.body.errors)).toBe('STEP_UP_REQUIRED');
    // Reading and other changes are not behind a step-up.
    const read = await platform.gql(ENDPOINT, { id: endpoint.id }, { token });
    expect(read.body.errors).toBeUndefined();
    const updated = await platform.gql(UPDATE, { id: endpoint.id, i: input }, { token });
    expect(updated.body.errors).toBeUndefined();
    expect(await endpointRows(org)).toHaveLength(1);

    const unverified = await registerUser(platform);
    const answer = await platform.gql(
      CREATE,
      { o: org, i: input },
      { token: unverified.accessToken },
    );
    expect(codeOf(answer.body.errors)).toBe('EMAIL_NOT_VERIFIED');
  });

  it('lists the webhook event catalog to anyone', async () => {
    const answer = await platform.gql<{
      webhookEventTypes: { name: string; description: string }[];
    }>('{ webhookEventTypes { name description } }');
    const names = answer.body.data!.webhookEventTypes.map((t) => t.name);
    // Names the issue asks for, written out.
    expect(names).toEqual(
      expect.arrayContaining([
        'webhook.ping',
        'member.invited',
        'credits.purchased',
        'ai.generation_completed',
      ]),
    );
    expect(answer.body.data!.webhookEventTypes.every((t) => t.description.length > 0)).toBe(true);
  });
});
