import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { schemaOf } from '@bastion/platform';
import type { TestPlatform } from '@bastion/testing';
import type { WebhooksService } from '../src/server';
import { generateSigningSecret } from '../src/secrets/endpoint-secrets';

/** The running webhooks service of a test platform, typed. */
export function webhooksOf(platform: TestPlatform): WebhooksService {
  return platform.subgraphs.webhooks as WebhooksService;
}

export function schema(platform: TestPlatform): string {
  return schemaOf(webhooksOf(platform).dataSource);
}

export interface ReceivedHook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The body as standardwebhooks verified and parsed it, against the endpoint's secret(s). */
  verified: unknown;
  /** Why standardwebhooks refused it (tests expect none). */
  verifyError?: string;
}

export type Answer = (hook: ReceivedHook, req: IncomingMessage, res: ServerResponse) => void;

/**
 * A receiver on 127.0.0.1 that verifies every delivery with standardwebhooks (an independent
 * implementation) against each of `secrets` and records it; `answer` decides the response.
 */
export interface Receiver {
  url: string;
  port: number;
  hooks: ReceivedHook[];
  connections: number;
  /** Requests received whose response has not been sent yet. */
  open: number;
  maxOpen: number;
  secrets: string[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startReceiver(secrets: string[], answer: Answer): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      // Every secret the test says is live must verify on its own.
      let verified: unknown;
      let verifyError: string | undefined;
      try {
        for (const secret of receiver.secrets) verified = new Webhook(secret).verify(body, headers);
      } catch (error) {
        verifyError = (error as Error).message;
      }
      const hook: ReceivedHook = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        verified,
        verifyError,
      };
      receiver.hooks.push(hook);
      receiver.open += 1;
      receiver.maxOpen = Math.max(receiver.maxOpen, receiver.open);
      res.on('close', () => (receiver.open -= 1));
      receiver.answer(hook, req, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    receiver.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    hooks: [],
    connections: 0,
    open: 0,
    maxOpen: 0,
    secrets,
    answer,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return receiver;
}

export const answerWith =
  (status: number, headers: Record<string, string> = {}, body = ''): Answer =>
  (_hook, _req, res) =>
    res.writeHead(status, headers).end(body);

export interface TestEndpoint {
  id: string;
  organizationId: string;
  secret: string;
}

/** An endpoint row as the registration would store it (the test's setup, not the flow under test). */
export async function insertEndpoint(
  platform: TestPlatform,
  options: {
    url: string;
    organizationId?: string;
    eventTypes?: string[];
    enabled?: boolean;
    previousSecret?: { secret: string; expiresAt: Date };
  },
): Promise<TestEndpoint> {
  const webhooks = webhooksOf(platform);
  const { secrets, clock } = webhooks.services;
  const id = randomUUID();
  const organizationId = options.organizationId ?? randomUUID();
  const secret = generateSigningSecret();
  const now = clock.now();
  await webhooks.dataSource.query(
    `INSERT INTO ${schema(platform)}.endpoints
       (id, organization_id, url, event_types, enabled, secret, previous_secret,
        previous_secret_expires_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
    [
      id,
      organizationId,
      options.url,
      options.eventTypes ?? ['member.invited'],
      options.enabled ?? true,
      secrets.seal(secret, id),
      options.previousSecret ? secrets.seal(options.previousSecret.secret, id) : null,
      options.previousSecret?.expiresAt ?? null,
      now,
    ],
  );
  return { id, organizationId, secret };
}

/** A PENDING delivery due now (or at `dueAt`), as the consumer or sendTestWebhook would queue it. */
export async function insertDelivery(
  platform: TestPlatform,
  endpoint: TestEndpoint,
  options: { dueAt?: Date } = {},
): Promise<{ id: string; eventId: string }> {
  const webhooks = webhooksOf(platform);
  const id = randomUUID();
  const eventId = randomUUID();
  const now = webhooks.services.clock.now();
  const data = {};
  const payload = {
    type: 'webhook.ping',
    timestamp: now.toISOString(),
    data: { endpointId: endpoint.id, organizationId: endpoint.organizationId, ...data },
  };
  await webhooks.dataSource.query(
    `INSERT INTO ${schema(platform)}.deliveries
       (id, endpoint_id, organization_id, event_id, event_type, payload, status, attempt_count,
        next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'webhook.ping', $5::jsonb, 'PENDING', 0, $6, $7, $7)`,
    [
      id,
      endpoint.id,
      endpoint.organizationId,
      eventId,
      JSON.stringify(payload),
      options.dueAt ?? now,
      now,
    ],
  );
  return { id, eventId };
}

export interface DeliveryRow {
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  lease_until: Date | null;
}

export async function deliveryRow(platform: TestPlatform, id: string): Promise<DeliveryRow> {
  const [row] = await webhooksOf(platform).dataSource.query(
    `SELECT status, attempt_count, next_attempt_at, lease_until FROM ${schema(platform)}.deliveries WHERE id = $1`,
    [id],
  );
  return row as DeliveryRow;
}

export interface AttemptRow {
  at: Date;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
  response_body: string | null;
}

export async function attemptsOf(
  platform: TestPlatform,
  deliveryId: string,
): Promise<AttemptRow[]> {
  return webhooksOf(platform).dataSource.query(
    `SELECT at, response_status, duration_ms, error, response_body FROM ${schema(platform)}.attempts
      WHERE delivery_id = $1 ORDER BY at, id`,
    [deliveryId],
  );
}

export async function endpointRow(
  platform: TestPlatform,
  id: string,
): Promise<{ enabled: boolean; disabled_reason: string | null; failing_since: Date | null }> {
  const [row] = await webhooksOf(platform).dataSource.query(
    `SELECT enabled, disabled_reason, failing_since FROM ${schema(platform)}.endpoints WHERE id = $1`,
    [id],
  );
  return row;
}

/** Moves the service's clock and lets the dispatcher send whatever became due. */
export async function advance(platform: TestPlatform, ms: number): Promise<void> {
  const { clock, dispatcher } = webhooksOf(platform).services;
  clock.advance(ms);
  dispatcher.kick();
  await dispatcher.idle();
}

export async function settle(platform: TestPlatform): Promise<void> {
  const { dispatcher } = webhooksOf(platform).services;
  dispatcher.kick();
  await dispatcher.idle();
}

/** The audit entries and WEBHOOK_ENDPOINT_CHANGED events the service queued about one endpoint. */
export async function disabledRecords(
  platform: TestPlatform,
  endpointId: string,
): Promise<{ audit: unknown[]; changed: unknown[] }> {
  const rows: { type: string; data: Record<string, unknown> }[] = await webhooksOf(
    platform,
  ).dataSource.query(
    `SELECT type, data FROM ${schema(platform)}.outbox
      WHERE (type = 'AUDIT_RECORDED' AND data->>'targetId' = $1)
         OR (type = 'WEBHOOK_ENDPOINT_CHANGED' AND data->>'endpointId' = $1)
      ORDER BY occurred_at`,
    [endpointId],
  );
  return {
    audit: rows.filter((r) => r.type === 'AUDIT_RECORDED').map((r) => r.data),
    changed: rows.filter((r) => r.type === 'WEBHOOK_ENDPOINT_CHANGED').map((r) => r.data),
  };
}
