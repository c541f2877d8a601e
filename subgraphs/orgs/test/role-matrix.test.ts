import { createHash, randomUUID } from 'node:crypto';
import type { Viewer } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { schema } from './helpers';

/**
 * Every orgs field and mutation against every kind of caller, written by hand from the contract
 * and the permission table in docs/api.md "Operations" (not derived from the permission map it checks).
 * 'ok' means no error; otherwise the one code expected.
 */
type Who =
  | 'ADMIN'
  | 'EDITOR'
  | 'VIEWER'
  | 'non-member'
  | 'anonymous'
  | 'service orgs:read'
  | 'service no scope';
const WHO: Who[] = [
  'ADMIN',
  'EDITOR',
  'VIEWER',
  'non-member',
  'anonymous',
  'service orgs:read',
  'service no scope',
];
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const N = 'NOT_FOUND';

//                                  ADMIN   EDITOR  VIEWER  non-member anonymous  svc:read svc:none
const MATRIX: Record<string, string[]> = {
  'Query.organization': ['ok', 'ok', 'ok', N, U, F, F],
  'Organization.members': ['ok', 'ok', 'ok', N, U, F, F],
  'Organization.invitations': ['ok', F, F, N, U, F, F],
  // ADMINs only, like invitations (auth answers for the ADMIN; one member listed).
  'Membership.mfaEnabled': ['ok', F, F, N, U, F, F],
  'Organization (_entities)': ['ok', 'ok', 'ok', N, U, 'ok', F],
  'Query.myOrganizations': ['ok', 'ok', 'ok', 'ok', U, F, F],
  'Query.organizationMembership': [F, F, F, F, U, 'ok', F],
  // For the webhooks service's mail to an organization's ADMINs.
  'Query.organizationAdminIds': [F, F, F, F, U, 'ok', F],
  'Query.accessLog': ['ok', F, F, N, U, F, F],
  // Its ADMINs check their own organization's chain (audit:read, as for its log).
  'Query.auditChainCheck': ['ok', F, F, N, U, F, F],
  'Query.verifyAuditChain': [F, F, F, F, U, 'ok', F],
  'Query.auditChainReports': [F, F, F, F, U, 'ok', F],
  // Scope audit:read only (neither column holds it; audit-log.test.ts reads it with the scope).
  'Query.organizationAuditLog': [F, F, F, F, U, F, F],
  'User.memberships (own)': ['ok', 'ok', 'ok', 'ok', U, 'ok', F],
  'User.securityEvents (own)': ['ok', 'ok', 'ok', 'ok', U, F, F],
  'Mutation.createOrganization': ['ok', 'ok', 'ok', 'ok', U, F, F],
  'Mutation.updateOrganization': ['ok', F, F, N, U, F, F],
  'Mutation.deleteOrganization': ['ok', F, F, N, U, F, F],
  // Switched off: the matrix's sessions used no second factor, so switching it on is refused
  // (require-mfa.test.ts covers that and the step-up).
  'Mutation.setOrganizationRequireMfa': ['ok', F, F, N, U, F, F],
  'Mutation.inviteMember': ['ok', F, F, N, U, F, F],
  // Invitations are visible to ADMINs only: anyone else finds nothing to revoke.
  'Mutation.revokeInvitation': ['ok', N, N, N, U, F, F],
  // The invitation is for the non-member's address.
  'Mutation.acceptInvitation': [F, F, F, 'ok', U, F, F],
  // Target: the VIEWER. A VIEWER may not change roles, not even their own.
  'Mutation.changeMemberRole': ['ok', F, F, N, U, F, F],
  // Target: the VIEWER. The VIEWER removing themselves is leaving, which any member may do.
  'Mutation.removeMember': ['ok', F, 'ok', N, U, F, F],
  // Auth's enterprise SSO: an organization by id or slug (orgs:read), and memberships mapped from
  // the IdP's groups (scope orgs:provision, which neither service column holds).
  'Query.ssoOrganization': [F, F, F, F, U, 'ok', F],
  'Mutation.provisionSsoMember': [F, F, F, F, U, F, F],
};

interface Fixture {
  orgId: string;
  invitationId: string;
  token: string;
}

const OPERATIONS: Record<
  string,
  (f: Fixture, self: string) => { query: string; variables?: Record<string, unknown> }
> = {
  'Query.organization': (f) => ({
    query: `query($id: ID!) { organization(id: $id) { id name slug createdAt myRole requireMfa } }`,
    variables: { id: f.orgId },
  }),
  'Organization.members': (f) => ({
    query: `query($id: ID!) { organization(id: $id) { members(first: 5) { role joinedAt user { id } } } }`,
    variables: { id: f.orgId },
  }),
  'Organization.invitations': (f) => ({
    query: `query($id: ID!) { organization(id: $id) { invitations { id email role expiresAt } } }`,
    variables: { id: f.orgId },
  }),
  'Membership.mfaEnabled': (f) => ({
    query: `query($id: ID!) { organization(id: $id) { members(first: 1) { mfaEnabled } } }`,
    variables: { id: f.orgId },
  }),
  'Organization (_entities)': (f) => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }`,
    variables: { r: [{ __typename: 'Organization', id: f.orgId }] },
  }),
  'Query.myOrganizations': () => ({ query: `{ myOrganizations(first: 10) { id } }` }),
  'Query.organizationMembership': (f, self) => ({
    query: `query($o: ID!, $u: ID!) { organizationMembership(organizationId: $o, userId: $u) { role } }`,
    variables: { o: f.orgId, u: self },
  }),
  'Query.organizationAdminIds': (f) => ({
    query: `query($o: ID!) { organizationAdminIds(organizationId: $o) }`,
    variables: { o: f.orgId },
  }),
  'Query.accessLog': (f) => ({
    query: `query($id: ID!) { accessLog(organizationId: $id) { edges { node { action } } } }`,
    variables: { id: f.orgId },
  }),
  'Query.auditChainCheck': (f) => ({
    query: `query($id: ID!) { auditChainCheck(organizationId: $id) { valid entries } }`,
    variables: { id: f.orgId },
  }),
  'Query.verifyAuditChain': (f) => ({
    query: `query($id: ID) { verifyAuditChain(organizationId: $id) }`,
    variables: { id: f.orgId },
  }),
  'Query.auditChainReports': (f) => ({
    query: `query($id: ID) { auditChainReports(organizationId: $id) { valid } }`,
    variables: { id: f.orgId },
  }),
  'Query.organizationAuditLog': (f) => ({
    query: `query($id: ID!) { organizationAuditLog(organizationId: $id) { edges { node { action } } } }`,
    variables: { id: f.orgId },
  }),
  'User.memberships (own)': (_, self) => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { memberships { role } } } }`,
    variables: { r: [{ __typename: 'User', id: self }] },
  }),
  'User.securityEvents (own)': (_, self) => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { securityEvents { edges { cursor } } } } }`,
    variables: { r: [{ __typename: 'User', id: self }] },
  }),
  'Mutation.createOrganization': () => ({
    query: `mutation { createOrganization(name: "Matrix") { id } }`,
  }),
  'Mutation.updateOrganization': (f) => ({
    query: `mutation($id: ID!) { updateOrganization(id: $id, name: "Renamed") { slug } }`,
    variables: { id: f.orgId },
  }),
  'Mutation.deleteOrganization': (f) => ({
    query: `mutation($id: ID!) { deleteOrganization(id: $id) }`,
    variables: { id: f.orgId },
  }),
  'Mutation.setOrganizationRequireMfa': (f) => ({
    query: `mutation($id: ID!) { setOrganizationRequireMfa(organizationId: $id, required: false) { requireMfa } }`,
    variables: { id: f.orgId },
  }),
  'Mutation.inviteMember': (f) => ({
    query: `mutation($id: ID!) { inviteMember(organizationId: $id, email: "new@example.com", role: VIEWER) { id } }`,
    variables: { id: f.orgId },
  }),
  'Mutation.revokeInvitation': (f) => ({
    query: `mutation($id: ID!) { revokeInvitation(id: $id) }`,
    variables: { id: f.invitationId },
  }),
  'Mutation.acceptInvitation': (f) => ({
    query: `mutation($t: String!) { acceptInvitation(token: $t) { role } }`,
    variables: { t: f.token },
  }),
  'Mutation.changeMemberRole': (f) => ({
    query: `mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: EDITOR) { role } }`,
    variables: { o: f.orgId, u: users.VIEWER.id },
  }),
  'Mutation.removeMember': (f) => ({
    query: `mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }`,
    variables: { o: f.orgId, u: users.VIEWER.id },
  }),
  'Query.ssoOrganization': (f) => ({
    query: `query($id: ID) { ssoOrganization(id: $id) { slug } }`,
    variables: { id: f.orgId },
  }),
  'Mutation.provisionSsoMember': (f) => ({
    query: `mutation($o: ID!, $u: ID!, $c: ID!) { provisionSsoMember(organizationId: $o, userId: $u, role: VIEWER, connectionId: $c) { role } }`,
    variables: { o: f.orgId, u: users.VIEWER.id, c: '00000000-0000-4000-8000-000000000000' },
  }),
};

let platform: TestPlatform;
let users: Record<'ADMIN' | 'EDITOR' | 'VIEWER' | 'non-member', TestUser>;

beforeAll(async () => {
  platform = await startTestPlatform({ ORGS_CREATED_PER_DAY: '1000' });
  const [ADMIN, EDITOR, VIEWER, nonMember] = await Promise.all(
    [0, 1, 2, 3].map(() => registerUser(platform, { verified: true })),
  );
  users = { ADMIN, EDITOR, VIEWER, 'non-member': nonMember };
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

/** A fresh organization per cell (mutations change it), with one member of each role and an invitation for the non-member. */
async function fixture(): Promise<Fixture> {
  const s = schema(platform);
  const orgId = randomUUID();
  const invitationId = randomUUID();
  const token = randomUUID() + randomUUID();
  await platform.orgs.dataSource.transaction(async (m) => {
    await m.query(
      `INSERT INTO ${s}.organizations (id, name, slug, created_at) VALUES ($1, 'Matrix', $2, now())`,
      [orgId, `matrix-${orgId}`],
    );
    for (const role of ['ADMIN', 'EDITOR', 'VIEWER'] as const) {
      await m.query(`INSERT INTO ${s}.memberships VALUES ($1, $2, $3, now())`, [
        orgId,
        users[role].id,
        role,
      ]);
    }
    await m.query(
      `INSERT INTO ${s}.invitations (id, organization_id, email, role, token_hash, invited_by, created_at, expires_at)
      VALUES ($1, $2, $3, 'EDITOR', $4, $5, now(), now() + interval '7 days')`,
      [
        invitationId,
        orgId,
        users['non-member'].email,
        createHash('sha256').update(token).digest('hex'),
        users.ADMIN.id,
      ],
    );
  });
  return { orgId, invitationId, token };
}

function viewerFor(who: Who): { viewer: Viewer; self: string } {
  if (who === 'anonymous') return { viewer: { kind: 'anonymous' }, self: randomUUID() };
  if (who.startsWith('service')) {
    return {
      viewer: {
        kind: 'service',
        name: 'matrix',
        scopes: who === 'service orgs:read' ? ['orgs:read'] : [],
      },
      self: users.ADMIN.id,
    };
  }
  const user = users[who as keyof typeof users];
  return {
    viewer: {
      kind: 'user',
      userId: user.id,
      sessionId: randomUUID(),
      emailVerified: true,
      organizationId: null,
      role: null,
      tokenId: randomUUID(),
      issuedAt: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      mfaEnrolled: false,
    },
    self: user.id,
  };
}

it('the hand-written matrix covers every orgs root field and mutation', () => {
  const { schema: graph } = platform.orgs.subgraph;
  const roots = [
    ...Object.keys(graph.getQueryType()!.getFields()).map((f) => `Query.${f}`),
    ...Object.keys(graph.getMutationType()!.getFields()).map((f) => `Mutation.${f}`),
  ].filter((f) => !f.includes('._'));
  expect(roots.filter((f) => !(f in MATRIX))).toEqual([]);
});

describe.each(Object.keys(MATRIX))('%s', (operation) => {
  it.each(WHO.map((who, i) => [who, MATRIX[operation][i]]))('as %s: %s', async (who, expected) => {
    const f = await fixture();
    const { viewer, self } = viewerFor(who as Who);
    const { query, variables } = OPERATIONS[operation](f, self);
    const response = await platform.subgraph('orgs', viewer, query, variables);
    const codes = (response.body.errors ?? []).map((e) => e.extensions?.code);
    expect([operation, who, codes.length === 0 ? 'ok' : codes[0], response.body.errors]).toEqual([
      operation,
      who,
      expected,
      expected === 'ok'
        ? undefined
        : [expect.objectContaining({ extensions: expect.objectContaining({ code: expected }) })],
    ]);
  });
});
