import { randomBytes } from 'node:crypto';
import { createLogger, schemaOf } from '@bastion/platform';
import type { WebhooksService } from '@bastion/webhooks';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

interface LogLine {
  msg?: string;
  err?: { type?: string; code?: string; driverError?: Record<string, unknown> };
  [key: string]: unknown;
}

const AUTH_PAYLOAD = 'accessToken refreshToken';

/**
 * Runs the account flows with every service logging at trace level into memory, then reads every
 * line for what the flow created: passwords, argon2 hashes, access and refresh tokens, and email
 * addresses. A failing insert is part of the flow, because that is where a hash once leaked.
 */
describe('logs carry no secrets', () => {
  const lines: string[] = [];
  let platform: TestPlatform;
  const secrets: string[] = [];
  const emails: string[] = [];
  /** Webhook signing secrets: answered once, never written to a log. */
  const signingSecrets: string[] = [];

  beforeAll(async () => {
    const logger = createLogger(
      { name: 'bastion', level: 'trace' },
      { write: (line: string) => void lines.push(line) },
    );
    platform = await startTestPlatform(
      { LOG_LEVEL: 'trace', WEBHOOKS_ALLOW_PRIVATE: 'true' },
      { logger },
    );
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  const password = () => `pw ${randomBytes(12).toString('hex')}`;
  const remember = (payload: { accessToken: string; refreshToken: string } | undefined) => {
    if (!payload) throw new Error('expected tokens');
    secrets.push(payload.accessToken, payload.refreshToken);
    return payload;
  };

  it('runs register, login, refresh, a duplicate and a failing register, a reset request and logout', async () => {
    const email = uniqueEmail('scan');
    const firstPassword = password();
    emails.push(email);
    secrets.push(firstPassword);
    type Payload = { accessToken: string; refreshToken: string };

    const registered = await platform.gql<{ register: Payload }>(
      `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_PAYLOAD} } }`,
      { input: { email, password: firstPassword } },
    );
    remember(registered.body.data?.register);

    const login = await platform.gql<{ login: Payload }>(
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_PAYLOAD} } }`,
      { e: email, p: firstPassword },
    );
    const session = remember(login.body.data?.login);

    const wrong = password();
    secrets.push(wrong);
    const failedLogin = await platform.gql(
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      { e: email, p: wrong },
    );
    expect(failedLogin.body.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');

    const refreshed = await platform.gql<{ refreshToken: Payload }>(
      `mutation($t: String) { refreshToken(refreshToken: $t) { ${AUTH_PAYLOAD} } }`,
      { t: session.refreshToken },
    );
    const current = remember(refreshed.body.data?.refreshToken);

    // The same address again: hashed, then refused by the unique index inside the database.
    const duplicatePassword = password();
    secrets.push(duplicatePassword);
    const duplicate = await platform.gql(
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      {
        input: { email, password: duplicatePassword },
      },
    );
    expect(duplicate.body.errors?.[0].extensions?.code).toBe('CONFLICT');

    // An insert the database refuses for a reason the service does not expect: logged as an error.
    const users = `${schemaOf(platform.auth.dataSource)}.users`;
    const refusedEmail = uniqueEmail('refused');
    const refusedPassword = password();
    emails.push(refusedEmail);
    secrets.push(refusedPassword);
    await platform.auth.dataSource.query(
      `ALTER TABLE ${users} ADD CONSTRAINT log_scan_refuses CHECK (email NOT LIKE 'refused-%')`,
    );
    try {
      const refused = await platform.gql(
        `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
        {
          input: { email: refusedEmail, password: refusedPassword, displayName: 'Refused' },
        },
      );
      expect(refused.body.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await platform.auth.dataSource.query(`ALTER TABLE ${users} DROP CONSTRAINT log_scan_refuses`);
    }

    const reset = await platform.gql<{ requestPasswordReset: boolean }>(
      'mutation($e: String!) { requestPasswordReset(email: $e) }',
      { e: email },
    );
    expect(reset.body.data?.requestPasswordReset).toBe(true);
    const logout = await platform.gql<{ logout: boolean }>(
      'mutation($t: String) { logout(refreshToken: $t) }',
      { t: current.refreshToken },
      {
        token: current.accessToken,
      },
    );
    expect(logout.body.data?.logout).toBe(true);

    // The reset mail goes out after the response; its log line is part of what is scanned.
    await eventually(async () =>
      expect(lines.some((line) => line.includes('mail not sent'))).toBe(true),
    );
  });

  it('registers a webhook endpoint and rotates its secret', async () => {
    const admin = await registerUser(platform, { verified: true });
    const token = { token: admin.accessToken };
    const org = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Scan") { id } }',
      {},
      token,
    );
    const created = await platform.gql<{
      createWebhookEndpoint: { secret: string; endpoint: { id: string } };
    }>(
      'mutation ($o: ID!, $i: WebhookEndpointInput!) { createWebhookEndpoint(organizationId: $o, input: $i) { secret endpoint { id } } }',
      {
        o: org.body.data!.createOrganization.id,
        // An address nothing listens on: the attempt fails.
        i: { url: 'https://127.0.0.1:9/hook', eventTypes: ['member.invited'] },
      },
      token,
    );
    const { secret, endpoint } = created.body.data!.createWebhookEndpoint;
    const rotated = await platform.gql<{ rotateWebhookSecret: string }>(
      'mutation ($id: ID!) { rotateWebhookSecret(id: $id) }',
      { id: endpoint.id },
      token,
    );
    signingSecrets.push(secret, rotated.body.data!.rotateWebhookSecret);
    // A test event signed with both secrets; its failed attempt is logged.
    const ping = await platform.gql<{ sendTestWebhook: { id: string } }>(
      'mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }',
      { id: endpoint.id },
      token,
    );
    const webhooks = platform.subgraphs.webhooks as WebhooksService;
    await eventually(async () => {
      const attempts: unknown[] = await webhooks.dataSource.query(
        `SELECT id FROM ${schemaOf(webhooks.dataSource)}.attempts WHERE delivery_id = $1`,
        [ping.body.data!.sendTestWebhook.id],
      );
      expect(attempts.length).toBeGreaterThan(0);
    });
    // Each secret also in the form a signature is keyed with (its base64 body).
    signingSecrets.push(...signingSecrets.map((s) => s.slice('whsec_'.length)));
  });

  it('logged the failing insert as an error with its code, without its parameters', () => {
    const parsed = lines.map((line) => JSON.parse(line) as LogLine);
    const failure = parsed.find((line) => line.err?.type === 'QueryFailedError');
    expect(failure).toBeDefined();
    // 23514: check_violation, from the constraint the flow added.
    expect(failure?.err?.code ?? failure?.err?.driverError?.code).toBe('23514');
    // The SQL, its parameters and PostgreSQL's quote of the row stay out, at any depth.
    expect(JSON.stringify(failure)).not.toMatch(/"(parameters|query|detail)":/);
  });

  it('no line holds a password, an argon2 hash or a token the flow created', () => {
    // Start-up, the failing insert (auth and gateway) and the reset mail at least.
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(secrets.length).toBe(10); // four passwords, three sessions' access and refresh tokens
    expect(signingSecrets).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain('$argon2');
      for (const secret of [...secrets, ...signingSecrets]) expect(line).not.toContain(secret);
    }
  });

  it('no line holds an email address the flow created, unless it is an audit record', () => {
    for (const line of lines) {
      const { msg } = JSON.parse(line) as LogLine;
      if (typeof msg === 'string' && /audit/i.test(msg)) continue;
      for (const email of emails) expect(line.toLowerCase()).not.toContain(email.toLowerCase());
    }
  });
});
