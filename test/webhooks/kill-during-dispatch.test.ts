import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PLATFORM_SETUP_MS,
  ChildPlatform,
  eventually,
  platformPorts,
  startPrivateNats,
  startPrivatePostgres,
  startSmtpCapture,
  startWebhookReceiver,
  testEnv,
  uniqueEmail,
  type PrivateService,
  type SmtpCapture,
  type WebhookReceiver,
} from '@bastion/testing';
import { CREATE_ORGANIZATION, WebhooksAdmin, dataOf, gqlAt } from './kit';

const realStack = Boolean(process.env.DATABASE_URL);
const stack = realStack
  ? 'a private PostgreSQL + NATS'
  : 'embedded PGlite + the database bus, a data dir of its own';

/** Invitations made before the kill; the receiver holds the first ones open when the process dies. */
const EVENTS = 12;
/** Invitations sent at once just before the kill. */
const BURST = 6;
/** WEBHOOKS_ENDPOINT_CONCURRENCY in this test: this many requests are in flight at the kill. */
const IN_FLIGHT = 3;

/**
 * `npm start`'s process is killed -9 while it dispatches: the receiver holds requests open (an
 * attempt in flight, unrecorded), more deliveries wait their turn and more events may still be on
 * their way from orgs' outbox. Started again on the same data, every event reaches the receiver
 * at least once, each verified, and the delivery log has one SUCCEEDED delivery per event.
 * On the real stack the PostgreSQL and NATS are the test's own (private-services), never the
 * shared ones.
 */
describe(`webhooks: kill -9 in the middle of dispatching (${stack})`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-webhooks-kill-'));
  const services: PrivateService[] = [];
  let smtp: SmtpCapture;
  let receiver: WebhookReceiver;
  let platform: ChildPlatform;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    smtp = await startSmtpCapture();
    let backing: Record<string, string | undefined> = {
      DATABASE_URL: undefined,
      NATS_URL: undefined,
    };
    if (realStack) {
      const [postgres, nats] = await Promise.all([startPrivatePostgres(), startPrivateNats()]);
      services.push(postgres, nats);
      backing = { DATABASE_URL: postgres.url, NATS_URL: nats.url };
    }
    const env = {
      ...testEnv({
        ...backing,
        REDIS_URL: undefined,
        DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        WEBHOOKS_ALLOW_PRIVATE: 'true',
        WEBHOOKS_ENDPOINT_CONCURRENCY: String(IN_FLIGHT),
        // The lease of a claimed delivery is the attempt's deadline plus a margin: a killed
        // process's deliveries go out again ten seconds after they were claimed, not a minute.
        WEBHOOKS_TIMEOUT_MS: '5000',
      }),
      ...(await platformPorts()),
      LOG_LEVEL: 'warn',
      PATH: process.env.PATH,
    };
    platform = new ChildPlatform(
      Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
    );
    await platform.start();
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
    await smtp?.close();
    await Promise.all(services.map((service) => service.destroy()));
    rmSync(dataDir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it(
    'delivers every event at least once after the restart, none lost',
    async () => {
      const admin = await verifiedAdmin(platform.url, smtp);
      const endpoint = await admin.createEndpoint(receiver.url, ['member.invited']);
      receiver.acceptSecrets(endpoint.secret);

      receiver.hold();
      const acknowledged: string[] = [];
      for (let i = 0; i < EVENTS; i += 1) acknowledged.push((await admin.invite()).id);
      // Attempts in flight (held by the receiver, so never recorded) when the process dies.
      await receiver.waitHolding(IN_FLIGHT, 60_000);
      // And a burst of invitations on their way: some commit, their events in the outbox or on
      // the bus, some never do. The kill comes as soon as the first of them is answered.
      const burst = Array.from({ length: BURST }, () =>
        admin.invite().then(
          (invitation) => void acknowledged.push(invitation.id),
          () => undefined,
        ),
      );
      await Promise.race(burst);
      expect(await platform.signal('SIGKILL')).toBeNull();
      await Promise.all(burst);
      // The dead process's connections close: the held requests end unanswered.
      await eventually(async () => expect(receiver.holdingCount).toBe(0));
      expect(receiver.accepted()).toEqual([]);
      receiver.release();

      await platform.start();
      // What committed: every invitation the client was told about, maybe a few more.
      const committed = await admin.openInvitationIds();
      expect(committed).toEqual(expect.arrayContaining(acknowledged));
      // The deliveries of the killed attempts wait for their lease to lapse; then each arrives.
      const delivered = await eventually(async () => {
        const got = new Set(receiver.accepted().map((r) => String(r.payload?.data?.invitationId)));
        expect(committed.filter((id) => !got.has(id))).toEqual([]);
        return receiver.accepted();
      }, 120_000);
      expect(receiver.unverified()).toEqual([]);
      // At least once: the held attempts were cut off, so those events were sent again, with the
      // same webhook-id and the same body.
      const cutOff = receiver.received.filter((r) => r.abandoned);
      expect(cutOff.length).toBeGreaterThanOrEqual(IN_FLIGHT);
      for (const attempt of cutOff)
        expect(delivered.find((r) => r.id === attempt.id)?.body).toBe(attempt.body);
      // One event per committed invitation, no other.
      const eventIds = new Set(delivered.map((r) => r.id));
      expect(eventIds.size).toBe(committed.length);

      const log = await eventually(async () => {
        const rows = await admin.deliveries(endpoint.id);
        expect(rows.map((d) => d.status)).toEqual(Array(committed.length).fill('SUCCEEDED'));
        return rows;
      });
      expect(new Set(log.map((d) => d.eventId))).toEqual(eventIds);
      for (const delivery of log)
        expect(delivery.attempts.some((a) => a.responseStatus === 204)).toBe(true);
    },
    PLATFORM_SETUP_MS,
  );
});

/**
 * A new user as a real one gets there: registers, follows the mailed verification link's token,
 * signs in again (a fresh sign-in satisfies the step-up), creates an organization.
 */
async function verifiedAdmin(url: string, smtp: SmtpCapture): Promise<WebhooksAdmin> {
  const gql = gqlAt(url);
  const email = uniqueEmail('hooks-admin');
  const password = `pw-${Date.now().toString(36)}-kill-test`;
  dataOf(
    await gql('mutation ($i: RegisterInput!) { register(input: $i) { user { id } } }', {
      i: { email, password },
    }),
  );
  const mail = await smtp.waitFor(email, /verify your email/i, { timeoutMs: 60_000 });
  dataOf(await gql('mutation ($t: String!) { verifyEmail(token: $t) }', { t: mail.token }));
  const login = dataOf(
    await gql<{ login: { accessToken: string } }>(
      'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: email, p: password },
    ),
  );
  const token = login.login.accessToken;
  const created = dataOf(
    await gql<{ createOrganization: { id: string } }>(
      CREATE_ORGANIZATION,
      { name: 'Kill test' },
      { token },
    ),
  );
  return new WebhooksAdmin(gql, token, created.createOrganization.id);
}
