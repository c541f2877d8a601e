import { randomUUID } from 'node:crypto';
import { schemaOf, webhookEventsOf, type EventEnvelope } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { startDnsServer, type TestDnsServer } from './dns-server';
import { idpMetadata } from './sso-fixtures';

/**
 * What auth's SSO producers (their audit entries and typed events) become for an organization's
 * webhook endpoints: each change exactly once, with the data README "Webhooks" documents.
 */
describe('webhook events from the SSO producers', () => {
  let platform: TestPlatform;
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer();
    platform = await startTestPlatform({ SSO_DNS_SERVERS: dns.address });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await dns?.close();
  }, PLATFORM_SETUP_MS);

  async function webhookEventsFor(organizationId: string) {
    const ds = platform.auth.dataSource;
    const rows: { id: string; type: string; data: Record<string, unknown>; occurred_at: Date }[] =
      await ds.query(
        `SELECT id, type, data, occurred_at FROM ${schemaOf(ds)}.outbox WHERE data->>'organizationId' = $1`,
        [organizationId],
      );
    return rows.flatMap((row) =>
      webhookEventsOf({
        id: row.id,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        source: 'auth',
        data: row.data,
      } as EventEnvelope),
    );
  }

  it('a domain added, verified and removed, a connection created, updated and deleted', async () => {
    const admin = await registerUser(platform, { verified: true });
    const as = { token: admin.accessToken };
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Acme") { id } }',
      {},
      as,
    );
    const orgId = created.body.data!.createOrganization.id;
    const domain = `${randomUUID().slice(0, 8)}.test`;

    const added = await platform.gql<{
      addSsoDomain: { id: string; txtRecordName: string; txtRecordValue: string };
    }>(
      'mutation ($o: ID!, $d: String!) { addSsoDomain(organizationId: $o, domain: $d) { id txtRecordName txtRecordValue } }',
      { o: orgId, d: domain },
      as,
    );
    const domainId = added.body.data!.addSsoDomain.id;
    dns.setTxt(added.body.data!.addSsoDomain.txtRecordName, [
      [added.body.data!.addSsoDomain.txtRecordValue],
    ]);
    const verified = await platform.gql(
      'mutation ($id: ID!) { verifySsoDomain(id: $id) { verified } }',
      { id: domainId },
      as,
    );
    expect(verified.body.errors).toBeUndefined();

    const connection = await platform.gql<{ createSsoConnection: { id: string } }>(
      'mutation ($o: ID!, $i: CreateSsoConnectionInput!) { createSsoConnection(organizationId: $o, input: $i) { id } }',
      {
        o: orgId,
        i: {
          kind: 'SAML',
          name: 'Okta',
          samlMetadataXml: idpMetadata(
            `http://www.okta.com/${randomUUID()}`,
            'https://idp.test/sso',
          ),
        },
      },
      as,
    );
    expect(connection.body.errors).toBeUndefined();
    const connectionId = connection.body.data!.createSsoConnection.id;
    await platform.gql(
      'mutation ($id: ID!, $i: UpdateSsoConnectionInput!) { updateSsoConnection(id: $id, input: $i) { id } }',
      { id: connectionId, i: { name: 'Okta EU' } },
      as,
    );
    await platform.gql(
      'mutation ($id: ID!) { deleteSsoConnection(id: $id) }',
      { id: connectionId },
      as,
    );
    const removed = await platform.gql(
      'mutation ($id: ID!) { removeSsoDomain(id: $id) }',
      { id: domainId },
      as,
    );
    expect(removed.body.errors).toBeUndefined();

    const change = (kind: string, name: string) => ({
      type: 'sso.connection_changed',
      organizationId: orgId,
      data: {
        organizationId: orgId,
        connectionId,
        change: kind,
        kind: 'SAML',
        name,
        actorId: admin.id,
      },
    });
    const expected = [
      {
        type: 'sso.domain_added',
        organizationId: orgId,
        data: { organizationId: orgId, domainId, domain, actorId: admin.id },
      },
      {
        type: 'sso.domain_verified',
        organizationId: orgId,
        data: { organizationId: orgId, domainId, domain, method: 'dns', actorId: admin.id },
      },
      change('created', 'Okta'),
      change('updated', 'Okta EU'),
      change('deleted', 'Okta EU'),
      {
        type: 'sso.domain_removed',
        organizationId: orgId,
        data: { organizationId: orgId, domainId, domain, wasVerified: true, actorId: admin.id },
      },
    ];
    const order = (events: object[]) =>
      [...events].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(order(await webhookEventsFor(orgId))).toEqual(order(expected));
  });
});
