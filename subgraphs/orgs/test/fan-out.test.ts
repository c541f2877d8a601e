import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import { schema } from './helpers';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

const FAN_OUT = `{ myOrganizations(first: 50) { id members(first: 50) { role user { id memberships(first: 50) { role organization { name } } } } } }`;

it('organizations -> members -> users -> memberships over 50 organizations answers in full or is refused whole', async () => {
  const user = await registerUser(platform, { verified: true });
  const s = schema(platform);
  await platform.orgs.dataSource.transaction(async (m) => {
    for (let i = 0; i < 50; i += 1) {
      const id = randomUUID();
      await m.query(
        `INSERT INTO ${s}.organizations (id, name, slug, created_at) VALUES ($1, $2, $3, now())`,
        [id, `Fan ${i}`, `fan-${id}`],
      );
      await m.query(`INSERT INTO ${s}.memberships VALUES ($1, $2, 'ADMIN', now())`, [id, user.id]);
    }
  });
  const response = await platform.gql<{
    myOrganizations: { members: { user: { id: string; memberships: unknown[] | null } }[] }[];
  }>(FAN_OUT, {}, { token: user.accessToken });
  const codes = new Set((response.body.errors ?? []).map((e) => e.extensions?.code));
  if (response.body.data === undefined || response.body.data === null) {
    // The gateway's cost estimate refused it before any subgraph worked.
    expect([...codes]).toEqual(['BAD_USER_INPUT']);
    return;
  }
  expect(response.body.data.myOrganizations).toHaveLength(50);
  // Each organization's one member is the caller, who reads their own 50 memberships (owner only:
  // another member's would be refused, and the non-null list would null the whole answer).
  expect(
    response.body.data.myOrganizations.every((o) => o.members[0].user.memberships?.length === 50),
  ).toBe(true);
  expect(response.body.errors).toBeUndefined();
});
