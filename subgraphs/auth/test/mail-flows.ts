import { schemaOf } from '@bastion/platform';
import {
  startSmtpCapture,
  startTestPlatform,
  type GraphQLResponse,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';

/** Shared by the mail-flow tests: a platform that sends its mail to a capturing SMTP server. */
export const APP_URL = 'https://app.example.test';

export const OPS = {
  me: '{ me { id email displayName emailVerified } }',
  login:
    'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }',
  refresh: 'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }',
  requestVerification: 'mutation { requestEmailVerification }',
  verifyEmail: 'mutation ($token: String!) { verifyEmail(token: $token) }',
  requestReset: 'mutation ($email: String!) { requestPasswordReset(email: $email) }',
  resetPassword:
    'mutation ($token: String!, $pw: String!) { resetPassword(token: $token, newPassword: $pw) }',
  updateProfile:
    'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName } }',
  changePassword:
    'mutation ($cur: String!, $pw: String!) { changePassword(currentPassword: $cur, newPassword: $pw) }',
  changeEmail:
    'mutation ($email: String!, $pw: String!) { changeEmail(newEmail: $email, password: $pw) }',
  deleteAccount: 'mutation ($pw: String!) { deleteAccount(password: $pw) }',
};

export type Tokens = { accessToken: string; refreshToken: string };

export async function startMailPlatform(): Promise<{ platform: TestPlatform; mail: SmtpCapture }> {
  const mail = await startSmtpCapture();
  const platform = await startTestPlatform({ SMTP_URL: mail.url, APP_URL });
  return { platform, mail };
}

export const code = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.code;

/** The payload of an access token, as the gateway will read it. */
export function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'));
}

/** A login or refresh that succeeded for `userId`: no error, and an access token for that user. */
export function expectTokensFor(
  response: GraphQLResponse<{ login: Tokens } | { refreshToken: Tokens }>,
  userId: string,
): void {
  expect(response.body.errors).toBeUndefined();
  const data = response.body.data as Record<string, Tokens> | null | undefined;
  const tokens = data?.login ?? data?.refreshToken;
  expect(tokens).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String) });
  expect(claimsOf(tokens!.accessToken).sub).toBe(userId);
}

export async function login(
  platform: TestPlatform,
  email: string,
  password: string,
): Promise<GraphQLResponse<{ login: Tokens }>> {
  return platform.gql<{ login: Tokens }>(OPS.login, { email, password });
}

/** What auth's outbox holds for a user, oldest first: events committed with each change. */
export async function outboxEvents(
  platform: TestPlatform,
  userId: string,
  type: string,
): Promise<Record<string, unknown>[]> {
  const rows = await platform.auth.dataSource.query(
    `SELECT data FROM ${schemaOf(platform.auth.dataSource)}.outbox WHERE type = $1 AND data->>'userId' = $2 ORDER BY occurred_at`,
    [type, userId],
  );
  return rows.map((row: { data: Record<string, unknown> }) => row.data);
}

/** Audit actions recorded for a user, oldest first. */
export async function auditActions(platform: TestPlatform, userId: string): Promise<string[]> {
  const rows = await platform.auth.dataSource.query(
    `SELECT data->>'action' AS action FROM ${schemaOf(platform.auth.dataSource)}.outbox
      WHERE type = 'AUDIT_RECORDED' AND data->>'targetId' = $1 ORDER BY occurred_at`,
    [userId],
  );
  return rows.map((row: { action: string }) => row.action);
}

export async function expireEmailTokens(platform: TestPlatform, userId: string): Promise<void> {
  await platform.auth.dataSource.query(
    `UPDATE ${schemaOf(platform.auth.dataSource)}.email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
    [userId],
  );
}
