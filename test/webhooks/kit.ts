import { randomBytes } from 'node:crypto';
import type { WebhooksService, WebhooksServices } from '@bastion/webhooks';
import {
  eventually,
  postGraphQL,
  registerUser,
  type GraphQLResponse,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/**
 * What the webhook end-to-end tests share: the GraphQL operations a tenant's ADMIN runs, the
 * webhooks service's clock and dispatcher (moved and kicked by the tests instead of sleeping), and
 * the Standard Webhooks retry schedule as the design states it, written out by hand.
 */

/** The delays after failed attempt 1..7 (design: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), ±20%. */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];
export const JITTER = 0.2;
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** The in-process handles of the webhooks service the tests drive time with. */
export type WebhooksEngine = Pick<WebhooksServices, 'clock' | 'dispatcher'>;

export function engineOf(platform: TestPlatform): WebhooksEngine {
  return (platform.subgraphs.webhooks as WebhooksService).services;
}

/** Moves the webhooks clock to `at` (never back), wakes the dispatcher and waits until it is idle. */
export async function advanceTo(engine: WebhooksEngine, at: Date): Promise<void> {
  const ms = at.getTime() - engine.clock.now().getTime();
  if (ms > 0) engine.clock.advance(ms);
  await settle(engine);
}

export async function advanceBy(engine: WebhooksEngine, ms: number): Promise<void> {
  engine.clock.advance(ms);
  await settle(engine);
}

export async function settle(engine: WebhooksEngine): Promise<void> {
  engine.dispatcher.kick();
  await engine.dispatcher.idle();
}

export const CREATE_ORGANIZATION = `mutation ($name: String!) { createOrganization(name: $name) { id } }`;
export const INVITE = `mutation ($org: ID!, $email: String!, $role: Role!) {
  inviteMember(organizationId: $org, email: $email, role: $role) { id email } }`;
export const CREATE_ENDPOINT = `mutation ($org: ID!, $input: WebhookEndpointInput!) {
  createWebhookEndpoint(organizationId: $org, input: $input) {
    secret endpoint { id url eventTypes enabled disabledReason } } }`;
export const ROTATE = `mutation ($id: ID!) { rotateWebhookSecret(id: $id) }`;
export const PING = `mutation ($id: ID!) { sendTestWebhook(id: $id) { id eventId eventType status } }`;
export const REPLAY = `mutation ($id: ID!) {
  replayWebhookDelivery(id: $id) { id eventId status attempts { at } } }`;
export const REPLAY_SINCE = `mutation ($id: ID!, $since: DateTime!) {
  replayWebhookDeliveries(endpointId: $id, since: $since) }`;
export const DELIVERIES = `query ($id: ID!, $first: Int, $after: String, $status: WebhookDeliveryStatus, $type: String) {
  webhookEndpoint(id: $id) {
    id enabled disabledReason
    deliveries(first: $first, after: $after, status: $status, eventType: $type) {
      edges { cursor node {
        id eventId eventType status nextAttemptAt createdAt
        attempts { at responseStatus durationMs error responseBody } } }
      pageInfo { hasNextPage endCursor } } } }`;

export interface Attempt {
  at: string;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  nextAttemptAt: string | null;
  createdAt: string;
  attempts: Attempt[];
}

/** Throws with the errors when a response has any; returns its data. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.body.errors?.length || !response.body.data)
    throw new Error(`GraphQL errors: ${JSON.stringify(response.body.errors ?? response.body)}`);
  return response.body.data;
}

type Gql = <T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  options?: { token?: string },
) => Promise<GraphQLResponse<T>>;

/** A gql function for a gateway URL (a child process's), shaped like TestPlatform.gql. */
export function gqlAt(url: string): Gql {
  return (query, variables, options) => postGraphQL(url, query, variables, options);
}

/** An ADMIN's view of the webhooks API through the gateway. */
export class WebhooksAdmin {
  constructor(
    private readonly gql: Gql,
    readonly token: string,
    readonly organizationId: string,
  ) {}

  async createEndpoint(
    url: string,
    eventTypes: string[],
    description?: string,
  ): Promise<{ id: string; secret: string }> {
    const data = dataOf(
      await this.gql<{
        createWebhookEndpoint: { secret: string; endpoint: { id: string } };
      }>(
        CREATE_ENDPOINT,
        { org: this.organizationId, input: { url, eventTypes, description } },
        { token: this.token },
      ),
    );
    return {
      id: data.createWebhookEndpoint.endpoint.id,
      secret: data.createWebhookEndpoint.secret,
    };
  }

  /** Invites a new address as VIEWER; the invitation's id and address. */
  async invite(
    email = `invitee-${randomBytes(4).toString('hex')}@example.com`,
  ): Promise<{ id: string; email: string }> {
    return dataOf(
      await this.gql<{ inviteMember: { id: string; email: string } }>(
        INVITE,
        { org: this.organizationId, email, role: 'VIEWER' },
        { token: this.token },
      ),
    ).inviteMember;
  }

  /** The ids of the organization's open invitations (orgs' list for ADMINs). */
  async openInvitationIds(): Promise<string[]> {
    const data = dataOf(
      await this.gql<{ organization: { invitations: { id: string }[] } }>(
        `query ($id: ID!) { organization(id: $id) { invitations(first: 100) { id } } }`,
        { id: this.organizationId },
        { token: this.token },
      ),
    );
    return data.organization.invitations.map((i) => i.id);
  }

  async rotate(endpointId: string): Promise<string> {
    return dataOf(
      await this.gql<{ rotateWebhookSecret: string }>(
        ROTATE,
        { id: endpointId },
        { token: this.token },
      ),
    ).rotateWebhookSecret;
  }

  async ping(endpointId: string): Promise<{ id: string; eventId: string }> {
    return dataOf(
      await this.gql<{ sendTestWebhook: { id: string; eventId: string } }>(
        PING,
        { id: endpointId },
        { token: this.token },
      ),
    ).sendTestWebhook;
  }

  async replay(deliveryId: string): Promise<{ id: string; eventId: string; status: string }> {
    return dataOf(
      await this.gql<{ replayWebhookDelivery: { id: string; eventId: string; status: string } }>(
        REPLAY,
        { id: deliveryId },
        { token: this.token },
      ),
    ).replayWebhookDelivery;
  }

  async replaySince(endpointId: string, since: Date): Promise<number> {
    return dataOf(
      await this.gql<{ replayWebhookDeliveries: number }>(
        REPLAY_SINCE,
        { id: endpointId, since: since.toISOString() },
        { token: this.token },
      ),
    ).replayWebhookDeliveries;
  }

  /** Every delivery of the endpoint (newest first), following the connection's pages. */
  async deliveries(
    endpointId: string,
    filter: { status?: Delivery['status']; type?: string } = {},
  ): Promise<Delivery[]> {
    const all: Delivery[] = [];
    let after: string | null = null;
    for (;;) {
      const data: {
        webhookEndpoint: {
          deliveries: {
            edges: { node: Delivery }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      } = dataOf(
        await this.gql(
          DELIVERIES,
          { id: endpointId, first: 50, after, ...filter },
          { token: this.token },
        ),
      );
      if (!data.webhookEndpoint) throw new Error(`endpoint ${endpointId} not found`);
      const { edges, pageInfo } = data.webhookEndpoint.deliveries;
      all.push(...edges.map((e) => e.node));
      if (!pageInfo.hasNextPage) return all;
      after = pageInfo.endCursor;
    }
  }
}

/** A verified user who created an organization (so is its ADMIN), in-process platform. */
export async function adminOfNewOrganization(
  platform: TestPlatform,
): Promise<{ user: TestUser; admin: WebhooksAdmin }> {
  const user = await registerUser(platform, { verified: true });
  const created = dataOf(
    await platform.gql<{ createOrganization: { id: string } }>(
      CREATE_ORGANIZATION,
      { name: `Hooks ${randomBytes(3).toString('hex')}` },
      { token: user.accessToken },
    ),
  );
  return {
    user,
    admin: new WebhooksAdmin(platform.gql, user.accessToken, created.createOrganization.id),
  };
}

/** The settings every webhook test platform runs with. */
export const WEBHOOK_TEST_ENV = { WEBHOOKS_ALLOW_PRIVATE: 'true' };

/**
 * Moves the clock from one due retry to the next, as the log announces them, until nothing is
 * pending or the next one is due after `until`.
 */
export async function drain(
  engine: WebhooksEngine,
  admin: WebhooksAdmin,
  endpointId: string,
  until?: Date,
): Promise<void> {
  for (let step = 0; step < 30; step += 1) {
    const due = await nextDue(admin, endpointId);
    if (!due || (until && due > until)) return;
    await advanceTo(engine, due);
    // The attempt is recorded: the delivery is done or due again later.
    await eventually(async () => {
      const next = await nextDue(admin, endpointId);
      if (next) expect(next.getTime()).toBeGreaterThan(due.getTime());
    });
  }
  throw new Error('deliveries still pending after 30 retries');
}

/** The earliest nextAttemptAt among the endpoint's PENDING deliveries, from the log. */
export async function nextDue(admin: WebhooksAdmin, endpointId: string): Promise<Date | undefined> {
  const pending: Delivery[] = await admin.deliveries(endpointId, { status: 'PENDING' });
  const times = pending.flatMap((d) => (d.nextAttemptAt ? [Date.parse(d.nextAttemptAt)] : []));
  return times.length ? new Date(Math.min(...times)) : undefined;
}
