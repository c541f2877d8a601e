import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  loadJose,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { addMember, CHANGE_ROLE, codes, INVITE, orgWithAdmin, schema } from './helpers';

/**
 * Organizations that require MFA (docs/security.md "Organizations that require MFA") and the
 * step-ups of orgs' sensitive mutations, end to end through the gateway. Sessions are shaped in
 * auth's tables (what a sign-in with a second factor stores: amr, auth_time, users.mfa_enabled)
 * and a refresh issues the access token that carries them, as it would after such a sign-in.
 */

const REFRESH = `mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const SET_REQUIRE = `mutation ($o: ID!, $r: Boolean!) {
  setOrganizationRequireMfa(organizationId: $o, required: $r) { id requireMfa } }`;
const ORGANIZATION = `query ($id: ID!) { organization(id: $id) { id name requireMfa } }`;
const MEMBERS = `query ($id: ID!) { organization(id: $id) { members { role user { id } } } }`;
const MEMBERS_MFA = `query ($id: ID!) { organization(id: $id) { members { role mfaEnabled user { id } } } }`;
const SWITCH = `mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken } }`;
const DELETE = `mutation ($id: ID!) { deleteOrganization(id: $id) }`;

/** RFC 8176 amr of the sign-ins (docs/security.md "Sign-in security"). */
const PASSWORD_ONLY = ['pwd'];
const PASSWORD_AND_TOTP = ['pwd', 'otp', 'mfa'];
const RECOVERY_CODE = ['pwd', 'rcv'];

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ ORGS_CREATED_PER_DAY: '100' });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
}, PLATFORM_SETUP_MS);

interface SessionShape {
  amr: string[];
  /** Whether the user has a confirmed factor (users.mfa_enabled -> the mfa_enrolled claim). */
  enrolled: boolean;
  /** How long ago the session's user authenticated. */
  authAgoSeconds?: number;
}

/** The user's session as if they had signed in that way, and a fresh access token for it. */
async function signedIn(user: TestUser, shape: SessionShape): Promise<TestUser> {
  const auth = platform.auth.dataSource;
  const s = schemaOf(auth);
  await auth.query(`UPDATE ${s}.users SET mfa_enabled = $2 WHERE id = $1`, [
    user.id,
    shape.enrolled,
  ]);
  await auth.query(
    `UPDATE ${s}.sessions SET amr = $2, auth_time = now() - $3 * interval '1 second' WHERE user_id = $1`,
    [user.id, shape.amr, shape.authAgoSeconds ?? 0],
  );
  const refreshed = await platform.gql<{
    refreshToken: { accessToken: string; refreshToken: string };
  }>(REFRESH, { t: user.refreshToken });
  if (!refreshed.body.data?.refreshToken)
    throw new Error(`refresh failed: ${JSON.stringify(refreshed.body)}`);
  const claims = (await loadJose()).decodeJwt(refreshed.body.data.refreshToken.accessToken);
  expect(claims.amr).toEqual(shape.amr);
  return { ...user, ...refreshed.body.data.refreshToken };
}

type Errors = { message: string; extensions?: Record<string, unknown> }[];
const errorsOf = (response: { body: { errors?: unknown } }) =>
  (response.body.errors ?? []) as Errors;

function expectMfaRefusal(response: { body: { errors?: unknown } }, organization: string): void {
  const errors = errorsOf(response);
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MFA_REQUIRED_BY_ORGANIZATION',
    });
    expect(error.message).toContain(organization);
    expect(error.message).toMatch(/enrol/i);
    expect(error.message).toMatch(/sign in with it/i);
  }
}

/** An organization whose ADMIN signed in with a second factor and switched requireMfa on. */
async function protectedOrg(name: string): Promise<{ admin: TestUser; orgId: string }> {
  const created = await orgWithAdmin(platform, name);
  const admin = await signedIn(created.admin, { amr: PASSWORD_AND_TOTP, enrolled: true });
  const set = await platform.gql<{ setOrganizationRequireMfa: { requireMfa: boolean } }>(
    SET_REQUIRE,
    { o: created.orgId, r: true },
    { token: admin.accessToken },
  );
  expect(set.body.errors).toBeUndefined();
  expect(set.body.data?.setOrganizationRequireMfa.requireMfa).toBe(true);
  return { admin, orgId: created.orgId };
}

describe('an organization that requires MFA', () => {
  it('refuses a member who has a factor but signed in with the password only, then lets them in after a sign-in with it', async () => {
    const { orgId } = await protectedOrg('Fortress');
    const member = await addMember(platform, orgId, 'EDITOR');
    const withoutFactorUsed = await signedIn(member, { amr: PASSWORD_ONLY, enrolled: true });

    expectMfaRefusal(
      await platform.gql(ORGANIZATION, { id: orgId }, { token: withoutFactorUsed.accessToken }),
      'Fortress',
    );
    expectMfaRefusal(
      await platform.gql(MEMBERS, { id: orgId }, { token: withoutFactorUsed.accessToken }),
      'Fortress',
    );
    // Mutations go through the same check (leaving the organization included).
    expectMfaRefusal(
      await platform.gql(
        `mutation ($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }`,
        { o: orgId, u: member.id },
        { token: withoutFactorUsed.accessToken },
      ),
      'Fortress',
    );
    // What they need to enrol stays readable: their own list names the organization and its rule.
    const mine = await platform.gql<{
      myOrganizations: { id: string; name: string; requireMfa: boolean }[];
    }>(`{ myOrganizations { id name requireMfa } }`, {}, { token: withoutFactorUsed.accessToken });
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data?.myOrganizations).toEqual([
      { id: orgId, name: 'Fortress', requireMfa: true },
    ]);

    // A recovery code is a way back in to enrol, not a second factor.
    const withRecoveryCode = await signedIn(withoutFactorUsed, {
      amr: RECOVERY_CODE,
      enrolled: true,
    });
    expectMfaRefusal(
      await platform.gql(ORGANIZATION, { id: orgId }, { token: withRecoveryCode.accessToken }),
      'Fortress',
    );

    const withFactor = await signedIn(withRecoveryCode, {
      amr: PASSWORD_AND_TOTP,
      enrolled: true,
    });
    const read = await platform.gql<{ organization: { name: string; requireMfa: boolean } }>(
      ORGANIZATION,
      { id: orgId },
      { token: withFactor.accessToken },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.organization).toMatchObject({ name: 'Fortress', requireMfa: true });
    const members = await platform.gql(MEMBERS, { id: orgId }, { token: withFactor.accessToken });
    expect(members.body.errors).toBeUndefined();
  });

  it('refuses switchOrganization into it without a second factor in the session, and allows it with one', async () => {
    const { orgId } = await protectedOrg('Switchyard');
    const member = await addMember(platform, orgId, 'VIEWER');
    const passwordOnly = await signedIn(member, { amr: PASSWORD_ONLY, enrolled: true });
    const refused = await platform.gql(SWITCH, { id: orgId }, { token: passwordOnly.accessToken });
    expectMfaRefusal(refused, 'Switchyard');
    expect(refused.body.data).toBeNull();

    const withFactor = await signedIn(passwordOnly, { amr: PASSWORD_AND_TOTP, enrolled: true });
    const switched = await platform.gql<{ switchOrganization: { accessToken: string } }>(
      SWITCH,
      { id: orgId },
      { token: withFactor.accessToken },
    );
    expect(switched.body.errors).toBeUndefined();
    const claims = (await loadJose()).decodeJwt(switched.body.data!.switchOrganization.accessToken);
    expect(claims).toMatchObject({ org: orgId, role: 'VIEWER' });
  });

  it('refuses tokens that already carry the organization once the policy is switched on: no revocation needed', async () => {
    const { admin: creator, orgId } = await orgWithAdmin(platform, 'Latecomer');
    const member = await addMember(platform, orgId, 'EDITOR');
    const inside = await platform.gql<{ switchOrganization: { accessToken: string } }>(
      SWITCH,
      { id: orgId },
      { token: member.accessToken },
    );
    expect(inside.body.errors).toBeUndefined();
    const orgToken = inside.body.data!.switchOrganization.accessToken;
    expect(
      (await platform.gql(ORGANIZATION, { id: orgId }, { token: orgToken })).body.errors,
    ).toBeUndefined();

    const admin = await signedIn(creator, { amr: PASSWORD_AND_TOTP, enrolled: true });
    const set = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: true },
      { token: admin.accessToken },
    );
    expect(set.body.errors).toBeUndefined();
    expectMfaRefusal(
      await platform.gql(ORGANIZATION, { id: orgId }, { token: orgToken }),
      'Latecomer',
    );
  });

  it('records the change in the audit log and publishes ORGANIZATION_SECURITY_CHANGED', async () => {
    const { admin, orgId } = await protectedOrg('Recorded');
    const off = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: false },
      { token: admin.accessToken },
    );
    expect(off.body.errors).toBeUndefined();
    const s = schema(platform);
    const events: { data: Record<string, unknown> }[] = await platform.orgs.dataSource.query(
      `SELECT data FROM ${s}.outbox WHERE type = 'ORGANIZATION_SECURITY_CHANGED' AND data->>'organizationId' = $1
       ORDER BY data->>'changedAt'`,
      [orgId],
    );
    expect(events.map((e) => [e.data.requireMfa, e.data.actorId])).toEqual([
      [true, admin.id],
      [false, admin.id],
    ]);
    const audits: { data: { action: string; metadata: unknown } }[] =
      await platform.orgs.dataSource.query(
        `SELECT data FROM ${s}.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'organizationId' = $1
         AND data->>'action' = 'organization.security_changed'`,
        [orgId],
      );
    expect(audits.map((a) => a.data.metadata)).toEqual(
      expect.arrayContaining([{ requireMfa: true }, { requireMfa: false }]),
    );
    expect(audits).toHaveLength(2);
  });
});

describe('setOrganizationRequireMfa', () => {
  it('refuses an ADMIN who did not use a second factor in this session: they would lock themself out', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Careful');
    // No factor at all: the step-up passes on a recent password sign-in, the guard does not.
    const noFactor = await signedIn(admin, { amr: PASSWORD_ONLY, enrolled: false });
    const refused = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: true },
      { token: noFactor.accessToken },
    );
    expect(errorsOf(refused).map((e) => e.extensions)).toEqual([
      expect.objectContaining({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED_BY_ORGANIZATION' }),
    ]);
    expect(errorsOf(refused)[0].message).toMatch(/enrol a second factor/i);
    const still = await platform.gql<{ organization: { requireMfa: boolean } }>(
      ORGANIZATION,
      { id: orgId },
      { token: noFactor.accessToken },
    );
    expect(still.body.data?.organization.requireMfa).toBe(false);
  });

  it('is for ADMINs only', async () => {
    const { orgId } = await orgWithAdmin(platform, 'Roles');
    const editor = await signedIn(await addMember(platform, orgId, 'EDITOR'), {
      amr: PASSWORD_AND_TOTP,
      enrolled: true,
    });
    const refused = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: true },
      { token: editor.accessToken },
    );
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(errorsOf(refused)[0].extensions?.reason).toBeUndefined();
  });
});

describe('Membership.mfaEnabled', () => {
  it('shows ADMINs which members have a factor, asking auth once per list; EDITORs and VIEWERs get FORBIDDEN', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Census');
    // The editor has a factor (they did not use it: mfaEnabled is what is enrolled).
    const editor = await signedIn(await addMember(platform, orgId, 'EDITOR'), {
      amr: PASSWORD_ONLY,
      enrolled: true,
    });
    const viewer = await addMember(platform, orgId, 'VIEWER');

    const asks: string[] = [];
    const realFetch = globalThis.fetch;
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('OrgsMembersMfa'))
        asks.push(init.body);
      return realFetch(input, init);
    });
    let listed: Awaited<ReturnType<typeof platform.gql>>;
    try {
      listed = await platform.gql(MEMBERS_MFA, { id: orgId }, { token: admin.accessToken });
    } finally {
      spy.mockRestore();
    }
    expect(listed.body.errors).toBeUndefined();
    const members = (
      listed.body.data as {
        organization: { members: { mfaEnabled: boolean; user: { id: string } }[] };
      }
    ).organization.members;
    expect(members.map((m) => [m.user.id, m.mfaEnabled])).toEqual([
      [admin.id, false],
      [editor.id, true],
      [viewer.id, false],
    ]);
    expect(asks).toHaveLength(1);

    for (const reader of [editor, viewer]) {
      const refused = await platform.gql(MEMBERS_MFA, { id: orgId }, { token: reader.accessToken });
      expect(codes(refused)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
      const data = refused.body.data as {
        organization: { members: { mfaEnabled: boolean | null; role: string }[] };
      };
      expect(data.organization.members.map((m) => m.mfaEnabled)).toEqual([null, null, null]);
      expect(data.organization.members.map((m) => m.role)).toEqual(['ADMIN', 'EDITOR', 'VIEWER']);
    }
  });
});

describe('step-up on sensitive orgs mutations', () => {
  const HOUR = 3600;
  const stepUpError = (response: { body: { errors?: unknown } }) => errorsOf(response)[0];

  it('deleteOrganization: refused after an old sign-in, allowed after a recent one', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Doomed');
    const stale = await signedIn(admin, {
      amr: PASSWORD_ONLY,
      enrolled: false,
      authAgoSeconds: HOUR,
    });
    const refused = await platform.gql(DELETE, { id: orgId }, { token: stale.accessToken });
    expect(stepUpError(refused).extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      maxAge: 600,
      methods: ['PASSWORD', 'PASSKEY'],
    });
    const [{ n }]: { n: number }[] = await platform.orgs.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema(platform)}.organizations WHERE id = $1`,
      [orgId],
    );
    expect(n).toBe(1);
    // A user with a factor must have used it, however recent the password.
    const enrolled = await signedIn(stale, { amr: PASSWORD_ONLY, enrolled: true });
    expect(
      stepUpError(await platform.gql(DELETE, { id: orgId }, { token: enrolled.accessToken }))
        .extensions,
    ).toMatchObject({ code: 'STEP_UP_REQUIRED', methods: ['TOTP', 'PASSKEY'] });
    const fresh = await signedIn(enrolled, { amr: PASSWORD_AND_TOTP, enrolled: true });
    const deleted = await platform.gql(DELETE, { id: orgId }, { token: fresh.accessToken });
    expect(deleted.body.errors).toBeUndefined();
    expect(deleted.body.data).toEqual({ deleteOrganization: true });
  });

  it('setOrganizationRequireMfa: refused after an old sign-in, allowed after a recent one', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Settings');
    const stale = await signedIn(admin, {
      amr: PASSWORD_AND_TOTP,
      enrolled: true,
      authAgoSeconds: HOUR,
    });
    const refused = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: true },
      { token: stale.accessToken },
    );
    expect(stepUpError(refused).extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      maxAge: 600,
    });
    const fresh = await signedIn(stale, { amr: PASSWORD_AND_TOTP, enrolled: true });
    const set = await platform.gql(
      SET_REQUIRE,
      { o: orgId, r: true },
      { token: fresh.accessToken },
    );
    expect(set.body.errors).toBeUndefined();
  });

  it('changeMemberRole: only granting ADMIN needs a step-up', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Promotions');
    const member = await addMember(platform, orgId, 'VIEWER');
    const stale = await signedIn(admin, {
      amr: PASSWORD_ONLY,
      enrolled: false,
      authAgoSeconds: HOUR,
    });
    const toEditor = await platform.gql(
      CHANGE_ROLE,
      { org: orgId, user: member.id, role: 'EDITOR' },
      { token: stale.accessToken },
    );
    expect(toEditor.body.errors).toBeUndefined();
    const toAdmin = await platform.gql(
      CHANGE_ROLE,
      { org: orgId, user: member.id, role: 'ADMIN' },
      { token: stale.accessToken },
    );
    expect(stepUpError(toAdmin).extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      maxAge: 600,
      methods: ['PASSWORD', 'PASSKEY'],
    });
    const [{ role }]: { role: string }[] = await platform.orgs.dataSource.query(
      `SELECT role FROM ${schema(platform)}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [orgId, member.id],
    );
    expect(role).toBe('EDITOR');
    const fresh = await signedIn(stale, { amr: PASSWORD_ONLY, enrolled: false });
    const promoted = await platform.gql<{ changeMemberRole: { role: string } }>(
      CHANGE_ROLE,
      { org: orgId, user: member.id, role: 'ADMIN' },
      { token: fresh.accessToken },
    );
    expect(promoted.body.errors).toBeUndefined();
    expect(promoted.body.data?.changeMemberRole.role).toBe('ADMIN');
  });

  it('inviteMember: only an invitation at ADMIN needs a step-up', async () => {
    const { admin, orgId } = await orgWithAdmin(platform, 'Invitations');
    const stale = await signedIn(admin, {
      amr: PASSWORD_AND_TOTP,
      enrolled: true,
      authAgoSeconds: HOUR,
    });
    const asViewer = await platform.gql(
      INVITE,
      { org: orgId, email: 'viewer@example.com', role: 'VIEWER' },
      { token: stale.accessToken },
    );
    expect(asViewer.body.errors).toBeUndefined();
    const asAdmin = await platform.gql(
      INVITE,
      { org: orgId, email: 'admin@example.com', role: 'ADMIN' },
      { token: stale.accessToken },
    );
    expect(stepUpError(asAdmin).extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      maxAge: 600,
      methods: ['TOTP', 'PASSKEY'],
    });
    const [{ n }]: { n: number }[] = await platform.orgs.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema(platform)}.invitations WHERE organization_id = $1 AND email = 'admin@example.com'`,
      [orgId],
    );
    expect(n).toBe(0);
    const fresh = await signedIn(stale, { amr: PASSWORD_AND_TOTP, enrolled: true });
    const invited = await platform.gql(
      INVITE,
      { org: orgId, email: 'admin@example.com', role: 'ADMIN' },
      { token: fresh.accessToken },
    );
    expect(invited.body.errors).toBeUndefined();
  });
});

it('a stranger still learns nothing: NOT_FOUND before any MFA policy', async () => {
  const { orgId } = await protectedOrg('Hidden');
  const stranger = await registerUser(platform, { verified: true });
  expect(
    codes(await platform.gql(ORGANIZATION, { id: orgId }, { token: stranger.accessToken })),
  ).toEqual(['NOT_FOUND']);
  expect(codes(await platform.gql(SWITCH, { id: orgId }, { token: stranger.accessToken }))).toEqual(
    ['NOT_FOUND'],
  );
});
