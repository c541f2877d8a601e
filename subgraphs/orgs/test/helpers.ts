import { registerUser, type TestPlatform, type TestUser } from '@bastion/testing';
import { schemaOf } from '@bastion/platform';

export type Role = 'ADMIN' | 'EDITOR' | 'VIEWER';

export const CREATE = `mutation Create($name: String!) { createOrganization(name: $name) { id name slug } }`;
export const INVITE = `mutation Invite($org: ID!, $email: String!, $role: Role!) {
  inviteMember(organizationId: $org, email: $email, role: $role) { id email role expiresAt } }`;
export const ACCEPT = `mutation Accept($token: String!) { acceptInvitation(token: $token) { role organization { id } user { id } } }`;
export const CHANGE_ROLE = `mutation Change($org: ID!, $user: ID!, $role: Role!) {
  changeMemberRole(organizationId: $org, userId: $user, role: $role) { role } }`;
export const REMOVE = `mutation Remove($org: ID!, $user: ID!) { removeMember(organizationId: $org, userId: $user) }`;
export const MEMBERS = `query Members($id: ID!) { organization(id: $id) { id myRole members { role user { id } } } }`;

export function codes(response: {
  body: { errors?: { extensions?: Record<string, unknown> }[] };
}): unknown[] {
  return (response.body.errors ?? []).map((e) => e.extensions?.code);
}

/** A verified user who created an organization, so is its ADMIN. */
export async function orgWithAdmin(
  platform: TestPlatform,
  name = 'Acme',
): Promise<{ admin: TestUser; orgId: string }> {
  const admin = await registerUser(platform, { verified: true });
  const created = await platform.gql<{ createOrganization: { id: string } }>(
    CREATE,
    { name },
    { token: admin.accessToken },
  );
  if (!created.body.data?.createOrganization)
    throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  return { admin, orgId: created.body.data.createOrganization.id };
}

/** Puts a member into an organization directly (the test's own setup, not the flow under test). */
export async function addMember(
  platform: TestPlatform,
  orgId: string,
  role: Role,
  user?: TestUser,
): Promise<TestUser> {
  const member = user ?? (await registerUser(platform, { verified: true }));
  await platform.orgs.dataSource.query(
    `INSERT INTO ${schema(platform)}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`,
    [orgId, member.id, role],
  );
  return member;
}

export function schema(platform: TestPlatform): string {
  return schemaOf(platform.orgs.dataSource);
}

/** ORGANIZATION_MEMBERSHIP_CHANGED events in orgs' outbox for one organization, sorted by reason. */
export async function membershipEvents(
  platform: TestPlatform,
  orgId: string,
): Promise<{ userId: string; role: Role | null; reason: string }[]> {
  const rows: { data: { userId: string; role: Role | null; reason: string; changedAt: string } }[] =
    await platform.orgs.dataSource.query(
      `SELECT data FROM ${schema(platform)}.outbox WHERE type = 'ORGANIZATION_MEMBERSHIP_CHANGED' AND data->>'organizationId' = $1`,
      [orgId],
    );
  for (const { data } of rows)
    if (Number.isNaN(Date.parse(data.changedAt)))
      throw new Error(`changedAt is not a time: ${data.changedAt}`);
  return rows
    .map(({ data }) => ({ userId: data.userId, role: data.role, reason: data.reason }))
    .sort((a, b) => a.reason.localeCompare(b.reason));
}
