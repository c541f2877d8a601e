import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import type { WebhooksService } from '../src/server';

const CREATE = `mutation ($o: ID!, $i: WebhookEndpointInput!) {
  createWebhookEndpoint(organizationId: $o, input: $i) { endpoint { id } } }`;
const DISABLE = `mutation ($id: ID!, $i: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $i) { enabled } }`;
const DELIVERY_FIELDS =
  'id eventId eventType status nextAttemptAt createdAt attempts { at responseStatus durationMs error responseBody }';
const DELIVERIES = `query ($id: ID!, $first: Int, $after: String, $status: WebhookDeliveryStatus, $type: String) {
  webhookEndpoint(id: $id) { deliveries(first: $first, after: $after, status: $status, eventType: $type) {
    edges { cursor node { ${DELIVERY_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`;
const PING = `mutation ($id: ID!) { sendTestWebhook(id: $id) { ${DELIVERY_FIELDS} } }`;
const REPLAY = `mutation ($id: ID!) { replayWebhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`;
const REPLAY_SINCE = `mutation ($id: ID!, $s: DateTime!) { replayWebhookDeliveries(endpointId: $id, since: $s) }`;
const ACCESS_LOG = `query ($o: ID!) { accessLog(organizationId: $o, first: 100, action: "webhook.replay_requested") { edges { node { action actorId targetId metadata } } } }`;

type Delivery = {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  nextAttemptAt: string | null;
  createdAt: string;
  attempts: {
    at: string;
    responseStatus: number | null;
    durationMs: number;
    error: string | null;
    responseBody: string | null;
  }[];
};
type Page = {
  edges: { cursor: string; node: Delivery }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};
type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;

const HOOK = 'http://127.0.0.1:9/hook';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe('the delivery log, test events and replay', () => {
  let platform: TestPlatform;
  let admin: TestUser;
  let organizationId: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ WEBHOOKS_ALLOW_PRIVATE: 'true' });
    admin = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Hooks") { id } }',
      {},
      { token: admin.accessToken },
    );
    organizationId = created.body.data!.createOrganization.id;
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const webhooks = () => platform.subgraphs.webhooks as WebhooksService;
  const sql = (text: string, params: unknown[] = []) =>
    webhooks().dataSource.query(
      text.replaceAll('$schema', schemaOf(webhooks().dataSource)),
      params,
    );
  const gql = <T>(query: string, variables: Record<string, unknown>, token = admin.accessToken) =>
    platform.gql<T>(query, variables, { token });

  async function endpoint(enabled: boolean): Promise<string> {
    const input = { url: HOOK, eventTypes: ['member.invited', 'member.removed'] };
    const created = await gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(CREATE, {
      o: organizationId,
      i: input,
    });
    const id = created.body.data!.createWebhookEndpoint.endpoint.id;
    // A disabled endpoint's deliveries are never dispatched: the rows below stay as written.
    if (!enabled) await gql(DISABLE, { id, i: { ...input, enabled: false } });
    return id;
  }

  /** A delivery row as the consumer and the dispatcher would leave it, with `attempts` made. */
  async function delivery(
    endpointId: string,
    createdAt: Date,
    status: 'PENDING' | 'SUCCEEDED' | 'FAILED',
    eventType = 'member.invited',
    attempts: { status: number | null; error: string | null }[] = [],
  ): Promise<{ id: string; eventId: string }> {
    const id = randomUUID();
    const eventId = randomUUID();
    await sql(
      `INSERT INTO $schema.deliveries (id, endpoint_id, organization_id, event_id, event_type, payload, status,
         attempt_count, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
      [
        id,
        endpointId,
        organizationId,
        eventId,
        eventType,
        JSON.stringify({ type: eventType, timestamp: createdAt.toISOString(), data: {} }),
        status,
        attempts.length,
        status === 'PENDING' ? createdAt : null,
        createdAt,
      ],
    );
    for (const [i, attempt] of attempts.entries())
      await sql(
        `INSERT INTO $schema.attempts (id, delivery_id, at, response_status, duration_ms, error, response_body)
         VALUES ($1, $2, $3, $4, 12, $5, $6)`,
        [
          randomUUID(),
          id,
          new Date(createdAt.getTime() + (i + 1) * 1000),
          attempt.status,
          attempt.error,
          attempt.status ? 'nope' : null,
        ],
      );
    return { id, eventId };
  }

  async function page(endpointId: string, variables: Record<string, unknown> = {}): Promise<Page> {
    const answer = await gql<{ webhookEndpoint: { deliveries: Page } }>(DELIVERIES, {
      id: endpointId,
      ...variables,
    });
    if (!answer.body.data) throw new Error(JSON.stringify(answer.body.errors));
    return answer.body.data.webhookEndpoint.deliveries;
  }

  it('lists deliveries newest first with their attempts, page by page, filtered by status and event type', async () => {
    const id = await endpoint(false);
    const rows = [
      await delivery(id, at(1), 'SUCCEEDED', 'member.invited', [{ status: 200, error: null }]),
      await delivery(id, at(2), 'FAILED', 'member.removed', [
        { status: 500, error: null },
        { status: null, error: 'timeout' },
      ]),
      await delivery(id, at(3), 'PENDING', 'member.invited'),
      await delivery(id, at(4), 'SUCCEEDED', 'member.removed', [{ status: 204, error: null }]),
      await delivery(id, at(5), 'FAILED', 'member.invited', [{ status: 410, error: null }]),
    ];
    const first = await page(id, { first: 2 });
    expect(first.edges.map((e) => e.node.id)).toEqual([rows[4]!.id, rows[3]!.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(id, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.id)).toEqual([rows[2]!.id, rows[1]!.id]);
    const third = await page(id, { first: 2, after: second.pageInfo.endCursor });
    expect(third.edges.map((e) => e.node.id)).toEqual([rows[0]!.id]);
    expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: third.edges[0]!.cursor });

    const failed = second.edges[1]!.node;
    expect(failed).toEqual({
      id: rows[1]!.id,
      eventId: rows[1]!.eventId,
      eventType: 'member.removed',
      status: 'FAILED',
      nextAttemptAt: null,
      createdAt: at(2).toISOString(),
      attempts: [
        {
          at: new Date(at(2).getTime() + 1000).toISOString(),
          responseStatus: 500,
          durationMs: 12,
          error: null,
          responseBody: 'nope',
        },
        {
          at: new Date(at(2).getTime() + 2000).toISOString(),
          responseStatus: null,
          durationMs: 12,
          error: 'timeout',
          responseBody: null,
        },
      ],
    });
    expect(second.edges[0]!.node.nextAttemptAt).toBe(at(3).toISOString());

    const ids = async (variables: Record<string, unknown>) =>
      (await page(id, variables)).edges.map((e) => e.node.id);
    expect(await ids({ status: 'FAILED' })).toEqual([rows[4]!.id, rows[1]!.id]);
    expect(await ids({ type: 'member.removed' })).toEqual([rows[3]!.id, rows[1]!.id]);
    expect(await ids({ status: 'SUCCEEDED', type: 'member.invited' })).toEqual([rows[0]!.id]);
    expect(await ids({ type: 'credits.low' })).toEqual([]);

    const bad = await gql(DELIVERIES, { id, first: 101 });
    expect(codeOf(bad.body.errors)).toBe('BAD_USER_INPUT');
    const forged = await gql(DELIVERIES, { id, after: 'bm90LWEtY3Vyc29y' });
    expect(codeOf(forged.body.errors)).toBe('BAD_USER_INPUT');
  });

  it('sends a webhook.ping with a fresh event id, due now, whatever the endpoint subscribes to', async () => {
    const id = await endpoint(true);
    const before = Date.now();
    const one = await gql<{ sendTestWebhook: Delivery }>(PING, { id });
    const two = await gql<{ sendTestWebhook: Delivery }>(PING, { id });
    const [a, b] = [one.body.data!.sendTestWebhook, two.body.data!.sendTestWebhook];
    // The dispatcher is kicked at once, so an attempt may already be in the log: not asserted here.
    expect(a).toMatchObject({ eventType: 'webhook.ping', status: 'PENDING' });
    expect(a.eventId).not.toBe(b.eventId);
    expect(Date.parse(a.nextAttemptAt!)).toBeGreaterThanOrEqual(before - 1000);
    const [row] = await sql('SELECT payload, endpoint_id FROM $schema.deliveries WHERE id = $1', [
      a.id,
    ]);
    expect(row.endpoint_id).toBe(id);
    expect(row.payload).toEqual({
      type: 'webhook.ping',
      timestamp: a.createdAt,
      data: { endpointId: id, organizationId },
    });

    const disabled = await endpoint(false);
    const refused = await gql(PING, { id: disabled });
    expect(codeOf(refused.body.errors)).toBe('CONFLICT');
    expect(
      await sql('SELECT id FROM $schema.deliveries WHERE endpoint_id = $1', [disabled]),
    ).toEqual([]);
  });

  it('replays one delivery: the same row and event id back to PENDING with a fresh budget, its attempts kept', async () => {
    const id = await endpoint(false);
    const failed = await delivery(id, at(10), 'FAILED', 'member.invited', [
      { status: 500, error: null },
      { status: 503, error: null },
    ]);
    const replayed = await gql<{ replayWebhookDelivery: Delivery }>(REPLAY, { id: failed.id });
    const answer = replayed.body.data!.replayWebhookDelivery;
    expect(answer).toMatchObject({ id: failed.id, eventId: failed.eventId, status: 'PENDING' });
    expect(answer.attempts.map((a) => a.responseStatus)).toEqual([500, 503]);
    const [row] = await sql(
      'SELECT attempt_count, lease_until FROM $schema.deliveries WHERE id = $1',
      [failed.id],
    );
    expect(row).toEqual({ attempt_count: 0, lease_until: null });
    expect(
      await sql('SELECT id FROM $schema.deliveries WHERE endpoint_id = $1', [id]),
    ).toHaveLength(1);

    // A PENDING delivery is answered as it is, and no replay is recorded for it.
    const again = await gql<{ replayWebhookDelivery: Delivery }>(REPLAY, { id: failed.id });
    expect(again.body.data!.replayWebhookDelivery).toEqual(answer);

    const missing = await gql(REPLAY, { id: randomUUID() });
    expect(codeOf(missing.body.errors)).toBe('NOT_FOUND');
    await eventually(async () => {
      const log = await gql<{
        accessLog: { edges: { node: { targetId: string; metadata: Record<string, unknown> } }[] };
      }>(ACCESS_LOG, { o: organizationId });
      const entries = log.body.data!.accessLog.edges.filter((e) => e.node.targetId === id);
      expect(entries.map((e) => e.node.metadata)).toEqual([{ deliveryId: failed.id, count: 1 }]);
    });
  });

  it('replays every delivery created since a time, and answers how many', async () => {
    const id = await endpoint(false);
    const old = await delivery(id, at(20), 'FAILED');
    const succeeded = await delivery(id, at(30), 'SUCCEEDED', 'member.removed', [
      { status: 200, error: null },
    ]);
    const failed = await delivery(id, at(31), 'FAILED', 'member.invited', [
      { status: 500, error: null },
    ]);
    const pending = await delivery(id, at(32), 'PENDING');
    const other = await endpoint(false);
    const elsewhere = await delivery(other, at(40), 'FAILED');

    const answer = await gql<{ replayWebhookDeliveries: number }>(REPLAY_SINCE, {
      id,
      s: at(30).toISOString(),
    });
    expect(answer.body.data!.replayWebhookDeliveries).toBe(2);
    const statuses = await sql(
      'SELECT id, status, attempt_count FROM $schema.deliveries WHERE endpoint_id IN ($1, $2) ORDER BY created_at',
      [id, other],
    );
    expect(statuses).toEqual([
      { id: old.id, status: 'FAILED', attempt_count: 0 },
      { id: succeeded.id, status: 'PENDING', attempt_count: 0 },
      { id: failed.id, status: 'PENDING', attempt_count: 0 },
      { id: pending.id, status: 'PENDING', attempt_count: 0 },
      { id: elsewhere.id, status: 'FAILED', attempt_count: 0 },
    ]);
    // The attempts made before stay in the log.
    expect(
      await sql('SELECT response_status FROM $schema.attempts WHERE delivery_id = $1', [
        succeeded.id,
      ]),
    ).toEqual([{ response_status: 200 }]);
    const none = await gql<{ replayWebhookDeliveries: number }>(REPLAY_SINCE, {
      id,
      s: at(60).toISOString(),
    });
    expect(none.body.data!.replayWebhookDeliveries).toBe(0);
  });
});
