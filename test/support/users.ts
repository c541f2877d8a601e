import { schemaOf } from '@bastion/platform';
import { randomBytes } from 'node:crypto';
import type { TestPlatform } from './platform';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken user { id email } }
}`;

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id } }
}`;

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

/** Registers a user through the gateway; `verified` marks the email verified and signs in again. */
export async function registerUser(
  platform: TestPlatform,
  options: { verified?: boolean; email?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? uniqueEmail();
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const registered = await platform.gql<{
    register: { accessToken: string; refreshToken: string; user: { id: string } };
  }>(REGISTER, {
    input: { email, password, displayName: 'Test User' },
  });
  if (!registered.body.data?.register)
    throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  const { user, accessToken, refreshToken } = registered.body.data.register;
  if (!options.verified) return { id: user.id, email, password, accessToken, refreshToken };
  await platform.auth.dataSource.query(
    `UPDATE ${schemaOf(platform.auth.dataSource)}.users SET email_verified_at = now() WHERE id = $1`,
    [user.id],
  );
  const login = await platform.gql<{ login: { accessToken: string; refreshToken: string } }>(
    LOGIN,
    { email, password },
  );
  if (!login.body.data?.login) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { id: user.id, email, password, ...login.body.data.login };
}

/**
 * Polls until `check` passes or the time is up (event delivery is asynchronous). The default
 * deadline leaves room for a loaded machine, inside jest's 60 s `testTimeout`.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw lastError;
}

/**
 * The user with an organization of their own as the active one: creates it (the user is its
 * ADMIN) and switches to it. The answered tokens carry `org`; the user's session moves with them.
 */
export async function withOwnOrganization(
  platform: TestPlatform,
  user: TestUser,
  name = 'Acme',
): Promise<TestUser & { organizationId: string }> {
  const created = await platform.gql<{ createOrganization: { id: string } }>(
    'mutation ($n: String!) { createOrganization(name: $n) { id } }',
    { n: name },
    { token: user.accessToken },
  );
  const organizationId = created.body.data?.createOrganization.id;
  if (!organizationId)
    throw new Error(`createOrganization failed: ${JSON.stringify(created.body)}`);
  const switched = await platform.gql<{
    switchOrganization: { accessToken: string; refreshToken: string };
  }>(
    'mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken } }',
    { id: organizationId },
    { token: user.accessToken },
  );
  if (!switched.body.data?.switchOrganization)
    throw new Error(`switchOrganization failed: ${JSON.stringify(switched.body)}`);
  return { ...user, ...switched.body.data.switchOrganization, organizationId };
}
